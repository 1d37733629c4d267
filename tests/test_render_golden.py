"""Golden reports: the Markdown (and JSON twin) a user gets for the sample papers, and the run's index.md.

The summaries come from the real pipeline with the offline extractive backend (deterministic); the
time of the run, the file paths and chatpaper's version are pinned so only a change in what the
reader, the extractive backend or the templates produce shows up. After an intended change, rewrite
the goldens and review the diff:

    CHATPAPER_UPDATE_GOLDEN=1 python -m pytest tests/test_render_golden.py
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest

from chatpaper.models import ArxivInfo, Language, PaperOutcome, PaperSummary
from chatpaper.pipeline import summarize_batch
from chatpaper.render import RunUsage, render_index, render_report, reports
from chatpaper.settings import Settings
from chatpaper.sources.local import file_sha256, find_pdfs
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden" / "reports"
# read at import: the autouse fixture clears CHATPAPER_* variables before each test runs
UPDATE = os.environ.get("CHATPAPER_UPDATE_GOLDEN") == "1"

PINNED_TIME = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
PINNED_VERSION = "0.0.0-golden"

# golden name: (sample paper, output language)
REPORTS: dict[str, tuple[str, Language]] = {
    "skimrag-long-document-qa": ("skimrag-long-document-qa.pdf", "en"),
    "keyphrase-distillation-zh.zh": ("keyphrase-distillation-zh.pdf", "zh"),
}


@pytest.fixture(autouse=True)
def pinned_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's footer names chatpaper's version; a release must not change the goldens."""
    monkeypatch.setattr(reports, "__version__", PINNED_VERSION)


def pinned(outcome: PaperOutcome) -> PaperOutcome:
    """The outcome as if the run had been `chatpaper examples/...` at PINNED_TIME."""
    source = f"examples/{Path(outcome.source).name}"
    summary = outcome.summary
    if summary is not None:
        meta = summary.meta.model_copy(update={"source": source, "created": PINNED_TIME})
        summary = summary.model_copy(update={"meta": meta})
    return outcome.model_copy(update={"source": source, "summary": summary})


@cache
def run_examples(language: Language, files: tuple[str, ...]) -> tuple[PaperOutcome, ...]:
    """The sample papers through the real pipeline, offline, into a throwaway folder (cached per session)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            backend="extractive",
            language=language,
            out=Path(tmp) / "out",
            cache_dir=Path(tmp) / "cache",
            workers=2,
        )
        refs, problems = find_pdfs([EXAMPLES / f for f in files])
        assert not problems, problems
        result = summarize_batch(refs, settings)
    assert [o.status for o in result.outcomes] == ["done"] * len(files), [o.reason for o in result.outcomes]
    return tuple(pinned(o) for o in result.outcomes)


def summary_of(file: str, language: Language) -> PaperSummary:
    (outcome,) = run_examples(language, (file,))
    assert outcome.summary is not None
    return outcome.summary


def check_golden(name: str, got: str) -> None:
    """Compare with tests/golden/reports/<name>, or rewrite it under CHATPAPER_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.is_file(), f"no golden {name}; run with CHATPAPER_UPDATE_GOLDEN=1 to create it"
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True), got.splitlines(keepends=True), f"golden/reports/{name}", "rendered now"
            )
        )
        pytest.fail(f"{name} changed (CHATPAPER_UPDATE_GOLDEN=1 rewrites the golden):\n{diff}", pytrace=False)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_markdown_report_matches_golden(name: str) -> None:
    file, language = REPORTS[name]
    check_golden(f"{name}.md", render_report(summary_of(file, language)))


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_json_twin_matches_golden(name: str) -> None:
    """The JSON exactly as the pipeline writes it (other tools read these fields)."""
    file, language = REPORTS[name]
    summary = summary_of(file, language)
    got = summary.model_dump_json(indent=2) + "\n"
    check_golden(f"{name}.json", got)
    if not UPDATE:
        assert PaperSummary.model_validate_json((GOLDEN / f"{name}.json").read_text(encoding="utf-8")) == summary


def test_arxiv_report_keeps_each_metadata_item_on_its_own_line() -> None:
    """A paper from arXiv: the links, arXiv and comment items are list items of their own."""
    summary = summary_of(*REPORTS["skimrag-long-document-qa"]).model_copy(
        update={
            "paper_url": "https://arxiv.org/abs/2501.00001v2",
            "arxiv": ArxivInfo(
                id="2501.00001v2",
                categories=["cs.CL", "cs.IR"],
                published=date(2025, 1, 1),
                comment="9 pages, 3 figures",
                doi="10.1000/skimrag",
            ),
        }
    )
    got = render_report(summary)
    lines = got.splitlines()
    links = "- **Links:** [Paper](https://arxiv.org/abs/2501.00001v2) · [Code]"
    for start in (links, "- **arXiv:** ", "- **Comment:** "):
        assert sum(line.startswith(start) for line in lines) == 1, got[:1200]
    check_golden("skimrag-long-document-qa.arxiv.md", got)


def test_index_of_the_sample_run_matches_golden() -> None:
    files = tuple(sorted(p.name for p in EXAMPLES.glob("*.pdf")))
    outcomes = run_examples("en", files)
    failed = PaperOutcome(source="examples/missing.pdf", name="missing", status="failed", reason="file not found")
    # A report an earlier run left in the folder, written by an LLM: listed after the run, with its model.
    earlier = outcomes[1].summary
    assert earlier is not None
    by_llm = earlier.meta.model_copy(update={"backend": "openai", "model": "gpt-4o-mini", "calls": 1})
    folder = {"earlier-run": earlier.model_copy(update={"title": "An Earlier Report", "meta": by_llm})}
    got = render_index([*outcomes, failed], started=PINNED_TIME, usage=RunUsage(), folder=folder)
    check_golden("index.md", got)


def test_pinning_leaves_nothing_of_this_machine_in_the_goldens() -> None:
    """The goldens must not depend on where or when the tests run."""
    if UPDATE:
        pytest.skip("rewriting the goldens")
    texts: Iterator[str] = (p.read_text(encoding="utf-8") for p in sorted(GOLDEN.iterdir()))
    for text in texts:
        assert str(EXAMPLES) not in text and "/tmp" not in text
        assert PINNED_TIME.strftime("%Y-%m-%d") in text


def test_sample_reports_in_examples_match_the_sample_papers() -> None:
    """examples/reports is the tool's own output for examples/*.pdf: valid JSON for today's model, one report
    pair per sample paper, made from these very PDFs (rerun `chatpaper examples/ -o examples/reports --force`
    after changing a sample paper or the JSON contract)."""
    sample = EXAMPLES / "reports"
    pdfs = sorted(EXAMPLES.glob("*.pdf"))
    assert sorted(p.stem for p in sample.glob("*.json")) == [p.stem for p in pdfs]
    index = (sample / "index.md").read_text(encoding="utf-8")
    for pdf in pdfs:
        summary = PaperSummary.model_validate_json((sample / f"{pdf.stem}.json").read_text(encoding="utf-8"))
        assert summary.meta.sha256 == file_sha256(pdf), f"{pdf.name} changed since its sample report was made"
        assert summary.meta.source == f"examples/{pdf.name}" and summary.meta.backend == "extractive"
        markdown = (sample / f"{pdf.stem}.md").read_text(encoding="utf-8")
        assert markdown.startswith(f"# {summary.title}\n") and "extractive, no LLM" in markdown
        assert f"]({pdf.stem}.md)" in index
