"""Every point shows where it comes from, and every number is checked against the paper (issue 13).

What a user sees, through the real command and the real `openai` client against the loopback fake:
replies whose quotes and numbers are lifted from the paper flag nothing; replies with made-up numbers
and quotes planted in them have every one flagged, in the JSON (`checks`, `evidence`) and in the
Markdown (`> ⚠ not found in the paper: N (point)`, the quote marked), with a trust mark in index.md;
on every real corpus paper (skipped when the corpus is absent) and on a sample paper. Then the one
re-ask a summary with made-up quotes may cost, and the trust mark of the digest page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatpaper.cli import main
from chatpaper.llm.client import ChatClient
from chatpaper.llm.openai_backend import OpenAIBackend
from chatpaper.models import ArxivEntry, Paper, PaperSummary
from chatpaper.pdf import read_paper
from chatpaper.render import render_report
from chatpaper.render.digest import render_digest
from chatpaper.render.digest_html import render_digest_html
from chatpaper.render.digest_view import DigestPage, DigestPaper
from chatpaper.render.safe import md_text
from chatpaper.settings import Settings
from tests.conftest import CORPUS, EXAMPLES
from tests.corpus import corpus_params, load_truth
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Plant,
    answer,
    content,
    lifted,
    planted,
    server_error,
)

KEY = "sk-test-trust"
SAMPLE = "skimrag-long-document-qa"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ChatClient.__init__.__kwdefaults__, "backoff_base", 0.01)


@dataclass(frozen=True)
class Run:
    """One `chatpaper FOLDER -o OUT` against the fake: the reports by title, index.md, what was planted."""

    code: int
    stderr: str
    out: Path
    plants: dict[str, Plant]
    requests: int

    def reports(self) -> dict[str, tuple[PaperSummary, str]]:
        found = {}
        for path in self.out.glob("*.json"):
            summary = PaperSummary.model_validate_json(path.read_text(encoding="utf-8"))
            found[path.stem] = (summary, path.with_suffix(".md").read_text(encoding="utf-8"))
        return found

    def index(self) -> str:
        return (self.out / "index.md").read_text(encoding="utf-8")


def run_cli(inputs: Path | list[Path], base: Path, behavior: object, *, workers: int = 4) -> Run:
    """The command over `inputs` (a folder or files) with the fake answering every paper with `behavior`; the
    environment is cleared of the developer's keys and settings (a module-scoped run starts before the per-test
    fixture)."""
    with FakeOpenAIServer(api_key=KEY) as server:
        server.default = behavior  # type: ignore[assignment]
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("CHATPAPER_", "OPENAI_"))}
        env |= {
            "HOME": str(base / "home"),
            "OPENAI_BASE_URL": server.url,
            "OPENAI_API_KEY": KEY,
            "CHATPAPER_MODEL": "gpt-4o-mini",
            "CHATPAPER_CACHE_DIR": str(base / "cache"),
        }
        out = base / "reports"
        paths = inputs if isinstance(inputs, list) else [inputs]
        args = [*map(str, paths), "-o", str(out), "--workers", str(workers)]
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        plants = {p.title: p for p in server.plants}
        return Run(result.exit_code, result.stderr, out, plants, len(server.chat_requests))


def assert_plants_flagged(summary: PaperSummary, markdown: str, plant: Plant) -> None:
    """Every planted number is unsupported under its point, in the JSON and on its Markdown line; every
    planted quote is `found: false` and marked in the small print."""
    assert summary.checks is not None
    flagged = [(n.point, n.number) for n in summary.checks.numbers_unsupported]
    for point, number in plant.numbers:
        assert (point, number) in flagged
        assert f"> ⚠ not found in the paper: {number} ({point})\n" in markdown
    unfound = {(point, e.quote) for point, e in summary.evidence.quotes() if not e.found}
    for point, planted_quote in plant.quotes:
        quote = " ".join(planted_quote.split())  # as the report keeps it: spaces collapsed
        assert (point, quote) in unfound
        shown = md_text(quote if len(quote) <= 240 else quote[:239])
        assert re.search(re.escape(shown) + r".{0,2}” \(⚠ not found in the paper\)", markdown)
    made_up = len(plant.quotes)
    assert summary.checks.quotes_unsupported == made_up
    assert f"> ⚠ {made_up} of {summary.checks.quotes_checked} quotes not found in the paper (" in markdown


def assert_nothing_flagged(summary: PaperSummary, markdown: str) -> None:
    """Lifted replies: no number or quote flagged, every quote traced, no warning in the report."""
    assert summary.checks is not None
    assert summary.checks.numbers_unsupported == [] and summary.checks.quotes_unsupported == 0
    assert summary.checks.quotes_checked > 0
    assert all(e.found for _, e in summary.evidence.quotes())
    assert "⚠" not in markdown and "not found in the paper" not in markdown


# --- a sample paper ---------------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / f"{SAMPLE}.pdf").write_bytes((EXAMPLES / f"{SAMPLE}.pdf").read_bytes())
    return folder


def test_planted_numbers_and_quotes_are_flagged_in_json_markdown_and_the_index(sample: Path, tmp_path: Path) -> None:
    run = run_cli(sample, tmp_path, planted())
    assert run.code == 0, run.stderr
    (summary, markdown) = run.reports()[SAMPLE]
    assert_plants_flagged(summary, markdown, run.plants[summary.title])
    assert run.requests == 1  # a minority of made-up quotes is no reason to pay for a re-ask
    # the lifted quotes beside them are traced to the section and page they are printed on
    traced = [e for _, e in summary.evidence.quotes() if e.found]
    assert traced and all(e.section and e.page for e in traced)
    assert re.search(r"” \([^()]+, p\. \d\)", markdown)
    numbers = len(run.plants[summary.title].numbers)
    row = next(line for line in run.index().splitlines() if f"]({SAMPLE}.md)" in line)
    assert row.endswith(f" · ⚠ {numbers} numbers unverified · 5 of {summary.checks.quotes_checked} quotes not found |")


def test_lifted_replies_flag_nothing(sample: Path, tmp_path: Path) -> None:
    run = run_cli(sample, tmp_path, lifted())
    assert run.code == 0, run.stderr
    summary, markdown = run.reports()[SAMPLE]
    assert_nothing_flagged(summary, markdown)
    assert summary.checks is not None and summary.checks.numbers_checked >= 3
    assert "⚠" not in run.index()
    assert markdown.count("<sub>“") == 4  # each point's evidence in small print


def test_an_answer_without_quotes_says_so(sample: Path, tmp_path: Path) -> None:
    run = run_cli(sample, tmp_path, answer())  # the fake's plain answer quotes nothing
    summary, markdown = run.reports()[SAMPLE]
    assert summary.checks is not None and summary.checks.quotes_checked == 0
    assert "> ⚠ the model quoted nothing from the paper for its points" in markdown
    assert " · ⚠ no quotes |" in run.index()


# --- the one re-ask -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_paper() -> Paper:
    return read_paper(EXAMPLES / f"{SAMPLE}.pdf")


def backend(server: FakeOpenAIServer) -> OpenAIBackend:
    settings = Settings(base_url=server.url, api_key="sk-test", model="gpt-4o-mini", timeout=5.0, max_attempts=2).llm
    return OpenAIBackend(settings, client=ChatClient(settings, backoff_base=0.01))


def test_mostly_made_up_quotes_cost_one_reask_that_says_why(sample_paper: Paper) -> None:
    with FakeOpenAIServer() as server:
        server.script(planted(all_quotes=True), lifted())
        draft = backend(server).summarize(sample_paper, "en")
        first, second = server.chat_requests
    assert draft.calls == 2
    complaint = second.messages[-1]["content"]
    assert second.messages[-2]["role"] == "assistant" and second.messages[:-2] == first.messages
    assert "most of its quotes are not in the paper (4 of 4 not found" in complaint
    assert "word for word" in complaint
    assert draft.answer.evidence.background and "benchmark suites we built" not in str(draft.answer.evidence)


@pytest.mark.parametrize(
    "second",
    [planted(all_quotes=True), content("not JSON at all"), server_error()],
    ids=["still-made-up", "invalid", "server-errors"],
)
def test_the_reask_is_never_followed_by_another_call(sample_paper: Paper, second: object) -> None:
    with FakeOpenAIServer() as server:
        server.script(planted(all_quotes=True), second, server_error(), lifted())  # type: ignore[arg-type]
        draft = backend(server).summarize(sample_paper, "en")
        requests = server.chat_requests
    # two server errors spend the paper's two attempts on the re-ask: the first answer stands, no new re-ask
    assert len(requests) <= 3 and draft.calls == len(requests)
    assert all(len(r.messages) == len(requests[1].messages) for r in requests[1:])
    assert draft.answer.evidence.background  # a valid answer stands: the first, or the re-asked one


def test_an_invalid_answer_spends_the_reask_so_made_up_quotes_get_none(sample_paper: Paper) -> None:
    with FakeOpenAIServer() as server:
        server.script(content('{"title": "Half an answer"}'), planted(all_quotes=True), lifted())
        draft = backend(server).summarize(sample_paper, "en")
        assert len(server.chat_requests) == 2 and draft.calls == 2


def test_a_summary_made_from_notes_gets_no_reask_for_its_quotes(sample_paper: Paper) -> None:
    """Map-reduce: the model saw notes, not the paper, so asking again for verbatim quotes would pay for the
    same answer; the quotes are still checked and shown."""
    with FakeOpenAIServer() as server:
        server.default = planted(all_quotes=True)
        settings = Settings(
            base_url=server.url, api_key="sk-test", model="fake-model", context_tokens=2600, max_output_tokens=600
        ).llm
        draft = OpenAIBackend(settings, client=ChatClient(settings, backoff_base=0.01)).summarize(sample_paper, "en")
        kinds = [r.response_format for r in server.chat_requests]
    assert kinds.count(None) >= 2 and kinds[-1] == "json_schema" and kinds.count("json_schema") == 1
    assert draft.answer.evidence.results


# --- real papers --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, Run]]:
    """The corpus through the command twice: lifted replies, then planted ones."""
    if not (CORPUS / "pdfs").is_dir():
        pytest.skip(f"real-paper corpus not found at {CORPUS} (it sits beside the repo in CI)")
    # the papers with a text layer, as the tests below take (the scan's OCR is test_pdf_ocr.py's, and slow)
    papers = [CORPUS / "pdfs" / record["file"] for record in load_truth() if record["text_layer"]]
    honest = run_cli(papers, tmp_path_factory.mktemp("lifted"), lifted())
    lying = run_cli(papers, tmp_path_factory.mktemp("planted"), planted())
    yield honest, lying


@pytest.mark.corpus
@pytest.mark.parametrize("truth", corpus_params("trust", where=lambda record: record["text_layer"]))
def test_on_a_real_paper_lifted_replies_flag_nothing_and_planted_ones_are_all_caught(
    truth: dict, corpus_runs: tuple[Run, Run]
) -> None:
    honest, lying = corpus_runs
    name = Path(truth["file"]).stem
    summary, markdown = honest.reports()[name]
    assert_nothing_flagged(summary, markdown)
    summary, markdown = lying.reports()[name]
    assert_plants_flagged(summary, markdown, lying.plants[summary.title])
    assert "numbers unverified" in next(line for line in lying.index().splitlines() if f"]({name}.md)" in line)


# --- the digest page and older summaries --------------------------------------------------------------


def stored_summary(**changes: object) -> PaperSummary:
    data = json.loads((EXAMPLES / "reports" / f"{SAMPLE}.json").read_text(encoding="utf-8"))
    data["meta"].update(backend="openai", model="gpt-4o-mini", prompt_version="p1")
    data.update(changes)
    return PaperSummary.model_validate(data)


def test_the_digest_pages_show_a_trust_mark_only_where_the_paper_does_not_bear_the_summary_out() -> None:
    checks = {"numbers_checked": 6, "quotes_checked": 8, "quotes_unsupported": 1}
    doubtful = stored_summary(checks={**checks, "numbers_unsupported": [{"point": "results", "number": "97.3%"}] * 2})
    sound = stored_summary(checks={**checks, "numbers_unsupported": [], "quotes_unsupported": 0})
    entries = [ArxivEntry(arxiv_id=f"2501.0000{i}", version=1, title=f"Paper {i}") for i in (1, 2)]
    page = DigestPage(
        day="2025-01-02",
        source="feed",
        categories=("cs.CL",),
        topics=("cs.CL",),
        announced=2,
        matched=2,
        papers=[
            DigestPaper(entries[0], "cs.CL", 3.0, status="done", summary=doubtful),
            DigestPaper(entries[1], "cs.CL", 2.0, status="done", summary=sound),
        ],
    )
    for text, second_paper in (
        (render_digest(page), '<a id="p-2501-00002">'),
        (render_digest_html(page), 'id="p-2501-00002"'),
    ):
        first, second = text.split(second_paper)
        assert "· ⚠ 2 numbers unverified · 1 of 8 quotes not found" in first
        assert "⚠" not in second


def test_a_summary_made_before_the_checks_loads_and_shows_no_warning() -> None:
    data = json.loads((EXAMPLES / "reports" / f"{SAMPLE}.json").read_text(encoding="utf-8"))
    data.pop("evidence", None)
    data.pop("checks", None)
    old = PaperSummary.model_validate(data)
    assert old.checks is None and old.evidence.quotes() == []
    markdown = render_report(old)
    assert "⚠" not in markdown and "<sub>Quoted" not in markdown


def test_a_hostile_quote_stays_text_in_the_small_print() -> None:
    evidence = {
        "background": [{"quote": "</sub><script>alert(1)</script> [x](javascript:alert(1))", "found": False}],
        "prior_work": [],
        "method": [],
        "results": [],
    }
    checks = {"numbers_checked": 1, "numbers_unsupported": [{"point": "method", "number": "<b>9</b>"}]}
    markdown = render_report(stored_summary(evidence=evidence, checks={**checks, "quotes_checked": 1}))
    assert "<script" not in markdown and "](javascript" not in markdown and "<b>9" not in markdown
    assert "&lt;script&gt;" in markdown or "&lt;script>" in markdown
    assert "> ⚠ not found in the paper: &lt;b>9&lt;/b> (method)" in markdown
