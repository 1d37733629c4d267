"""`chatpaper` over the real papers in ../shared/corpus/pdfs, offline (skipped when the corpus is absent).

One CLI run for the module (extractive backend, two workers): every PDF with a text layer gets a
report pair whose JSON is a valid `PaperSummary` with the paper's title, authors and code link as
hand-checked in truth.json, and the image-only scan fails alone with its one-line OCR reason.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatpaper.cli import main
from chatpaper.models import PaperSummary
from chatpaper.render.safe import md_text
from tests.conftest import CORPUS
from tests.corpus import corpus_params, norm

pytestmark = pytest.mark.corpus

POINTS = ("background", "prior_work", "method", "results")


@dataclass(frozen=True)
class CorpusRun:
    """What one `chatpaper ../shared/corpus/pdfs -o OUT` run left behind."""

    code: int
    stdout: str
    stderr: str
    out: Path
    truth: list[dict]

    def text_layer(self) -> list[dict]:
        return [t for t in self.truth if t["text_layer"]]

    def scans(self) -> list[dict]:
        return [t for t in self.truth if not t["text_layer"]]

    def report(self, truth: dict) -> dict:
        return json.loads((self.out / f"{Path(truth['file']).stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    """Run the CLI once for every test here; module scope runs before the per-test clean environment,
    so the developer's keys and settings are cleared here as well (None unsets a variable)."""
    if not (CORPUS / "pdfs").is_dir():
        pytest.skip(f"real-paper corpus not found at {CORPUS} (it sits beside the repo in CI)")
    truth = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
    base = tmp_path_factory.mktemp("corpus-run")
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("CHATPAPER_", "OPENAI_"))}
    env["HOME"] = str(base / "home")
    out = base / "reports"
    # without OCR: the scan's failure is what is checked here (reading it by OCR: tests/test_pdf_ocr.py)
    args = [
        str(CORPUS / "pdfs"),
        "-o",
        str(out),
        "--workers",
        "2",
        "--cache-dir",
        str(base / "cache"),
        "--ocr",
        "never",
    ]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return CorpusRun(result.exit_code, result.stdout, result.stderr, out, truth)


def test_the_truth_names_one_image_only_scan(corpus_run: CorpusRun) -> None:
    """The premise of the tests below (the corpus README: lynch-mit-lcs-tm394-scan.pdf has no text layer)."""
    assert [t["file"] for t in corpus_run.scans()] == ["lynch-mit-lcs-tm394-scan.pdf"]
    assert len(corpus_run.text_layer()) == len(corpus_run.truth) - 1 >= 10


def test_only_the_scan_fails_with_a_one_line_ocr_reason_and_exit_3(corpus_run: CorpusRun) -> None:
    assert corpus_run.code == 3, corpus_run.stderr
    assert "offline extractive backend" in corpus_run.stderr
    failures = [line for line in corpus_run.stderr.splitlines() if line.startswith("failed: ")]
    (scan,) = corpus_run.scans()
    (line,) = failures
    assert line.startswith(f"failed: {CORPUS / 'pdfs' / scan['file']}: no text layer")
    assert "OCR" in line
    done = len(corpus_run.text_layer())
    assert f"{done} done · 0 skipped · 1 failed" in corpus_run.stderr.splitlines()[-1]
    assert not (corpus_run.out / f"{Path(scan['file']).stem}.json").exists()
    assert not (corpus_run.out / f"{Path(scan['file']).stem}.md").exists()
    index = (corpus_run.out / "index.md").read_text(encoding="utf-8")
    assert f"{done + 1} papers · {done} summarized · 1 failed" in index
    failed = index.split("## Failed", 1)[1]
    assert scan["file"] in failed and "OCR" in failed


def test_every_text_layer_pdf_gets_a_valid_report_pair(corpus_run: CorpusRun) -> None:
    problems = []
    for truth in corpus_run.text_layer():
        name = Path(truth["file"]).stem
        markdown_path = corpus_run.out / f"{name}.md"
        if not markdown_path.is_file() or not (corpus_run.out / f"{name}.json").is_file():
            problems.append(f"{truth['file']}: no report pair")
            continue
        summary = PaperSummary.model_validate(corpus_run.report(truth))
        empty = [p for p in POINTS if not getattr(summary.summary, p).strip()]
        if empty:
            problems.append(f"{truth['file']}: empty points {empty}")
        if summary.meta.backend != "extractive" or not summary.meta.source.endswith(truth["file"]):
            problems.append(f"{truth['file']}: meta {summary.meta.backend} {summary.meta.source}")
        if summary.meta.sha256 != truth["pdf_stats"]["sha256"]:
            problems.append(f"{truth['file']}: sha256 {summary.meta.sha256}")
        markdown = markdown_path.read_text(encoding="utf-8")
        # The title as a report shows it: escaped for Markdown, control characters a broken font left dropped.
        if not markdown.startswith(f"# {md_text(summary.title)}\n") or "extractive, no LLM" not in markdown:
            problems.append(f"{truth['file']}: Markdown starts {markdown[:80]!r}")
        if f"]({name}.md)" not in (corpus_run.out / "index.md").read_text(encoding="utf-8"):
            problems.append(f"{truth['file']}: not linked from index.md")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("truth", corpus_params("title", where=lambda r: r["text_layer"]))
def test_reports_carry_the_truths_title(corpus_run: CorpusRun, truth: dict) -> None:
    """The reader's title (test_pdf_corpus) is the report's title."""
    assert norm(corpus_run.report(truth)["title"]) == norm(truth["title"])


@pytest.mark.parametrize("truth", corpus_params("authors", where=lambda r: r["text_layer"]))
def test_reports_carry_the_truths_authors(corpus_run: CorpusRun, truth: dict) -> None:
    assert [norm(a) for a in corpus_run.report(truth)["authors"]] == [norm(a) for a in truth["authors"]]


def test_the_truth_has_own_and_third_party_code_links(corpus_run: CorpusRun) -> None:
    """The premise of the next test: some papers print their own repository, some only others'."""
    assert any(t["code_url"] for t in corpus_run.text_layer())
    assert any(t["code_url"] is None and t["github_urls_printed"] for t in corpus_run.text_layer())


@pytest.mark.parametrize("truth", corpus_params("code_url", where=lambda r: r["text_layer"]))
def test_the_report_links_the_papers_own_code_and_no_one_elses(corpus_run: CorpusRun, truth: dict) -> None:
    """Every report's code_url is the truth's, null included: a paper that prints only other people's
    repositories (datasets, baselines) gets no code link rather than the first one printed."""
    got, want = corpus_run.report(truth)["code_url"], truth["code_url"]
    assert (got is None) == (want is None)
    assert (got or "").rstrip("/").lower() == (want or "").rstrip("/").lower()


@pytest.mark.parametrize("truth", corpus_params("trust", where=lambda r: r["text_layer"]))
def test_an_extractive_summary_is_borne_out_by_its_paper(corpus_run: CorpusRun, truth: dict) -> None:
    """The extractive backend quotes the paper: each point's evidence is the sentences it quoted, each
    found, with its section and page; no number is unsupported and the report shows no warning."""
    summary = PaperSummary.model_validate(corpus_run.report(truth))
    assert summary.checks is not None and summary.checks.numbers_unsupported == []
    quoted = summary.evidence.quotes()
    assert quoted and summary.checks.quotes_checked == len(quoted) and summary.checks.quotes_unsupported == 0
    for point, evidence in quoted:
        assert evidence.found and evidence.quote in getattr(summary.summary, point)
        assert evidence.page is None or 1 <= evidence.page <= truth["pages"]
    assert any(e.page for _, e in quoted)
    markdown = (corpus_run.out / f"{Path(truth['file']).stem}.md").read_text(encoding="utf-8")
    assert "⚠" not in markdown and markdown.count("<sub>Quoted from ") == len({p for p, _ in quoted})
