"""`chatpaper --query` end to end: the real CLI and the real `arxiv` client against the fake arXiv server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chatpaper.cli import main
from chatpaper.models import PaperSummary
from tests.fakes.arxiv_server import FakeArxivServer, make_entries, make_pdf
from tests.fakes.openai_server import FakeOpenAIServer

ENTRIES = make_entries(30)
RAG = [e for e in ENTRIES if "Retrieval-Augmented" in e.title]  # 2501.00001, .00011, .00021


@pytest.fixture
def arxiv() -> Iterator[FakeArxivServer]:
    with FakeArxivServer(ENTRIES) as fake:
        yield fake


def chatpaper(arxiv: FakeArxivServer, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """`chatpaper ARGS` with reports in tmp_path/reports and PDFs in tmp_path/cache (offline backend)."""
    base = ["-o", str(tmp_path / "reports"), "--cache-dir", str(tmp_path / "cache")]
    environ = {**arxiv.env(delay=0.0, retries=2), **(env or {})}
    return CliRunner().invoke(main, [*args, *base], env=environ, catch_exceptions=False)


def listed_ids(result: Result) -> list[str]:
    """The arXiv ids of a --dry-run listing, in order."""
    return re.findall(r"^(\d{4}\.\d{5}v\d)\s", result.stdout, flags=re.MULTILINE)


def test_query_summarizes_each_paper_under_its_arxiv_id(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(arxiv, tmp_path, "--query", "retrieval")
    assert result.exit_code == 0, result.output
    reports = tmp_path / "reports"
    names = sorted(p.name for p in reports.glob("*.md") if p.name != "index.md")
    assert names == sorted(f"{e.versioned_id}.md" for e in RAG)
    assert "3 done · 0 skipped · 0 failed" in result.stderr
    # arXiv asked politely: chatpaper's User-Agent on the API and on every PDF.
    assert all(r.user_agent.startswith("chatpaper/") for r in arxiv.requests)
    assert len(arxiv.requests_for("pdf")) == 3


def test_arxiv_metadata_is_authoritative_in_the_report(tmp_path: Path) -> None:
    entry = ENTRIES[0]
    # The PDF prints a different title and no authors: the report must still carry arXiv's.
    pdf = make_pdf("A Draft Title That Changed", "Abstract\nWe study retrieval. We propose a method.")
    with FakeArxivServer(ENTRIES, pdfs={entry.arxiv_id: pdf}) as fake:
        result = chatpaper(fake, tmp_path, "--ids", entry.arxiv_id)
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "reports" / f"{entry.versioned_id}.json").read_text(encoding="utf-8"))
    summary = PaperSummary.model_validate(data)
    assert summary.title == entry.title
    assert summary.authors == entry.authors
    assert summary.abstract == entry.abstract
    assert summary.paper_url == f"https://arxiv.org/abs/{entry.versioned_id}"
    assert summary.arxiv is not None
    assert summary.arxiv.categories == entry.categories
    assert summary.arxiv.published == entry.published.date()
    assert summary.arxiv.comment == entry.comment
    assert summary.meta.source == entry.versioned_id
    markdown = (tmp_path / "reports" / f"{entry.versioned_id}.md").read_text(encoding="utf-8")
    assert entry.title in markdown and "A Draft Title That Changed" not in markdown


def test_index_lists_the_run_in_order_with_dates(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(arxiv, tmp_path, "--query", "cat:cs.CL", "--sort", "submitted", "-n", "3")
    assert result.exit_code == 0, result.output
    index = (tmp_path / "reports" / "index.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| \d+ \| \[(.+?)\]\((\S+?)\.md\) \| (\S+) \|", index, flags=re.MULTILINE)
    in_cl = sorted((e for e in ENTRIES if "cs.CL" in e.categories), key=lambda e: e.published, reverse=True)[:3]
    assert [(t, n, d) for t, n, d in rows] == [(e.title, e.versioned_id, e.published.date().isoformat()) for e in in_cl]


def test_paging_past_one_page_counts_results_after_filtering(tmp_path: Path) -> None:
    with FakeArxivServer(make_entries(260)) as fake:
        fake.empty_page(100)  # arXiv's sporadic empty page mid-way: asked again, not taken as the end
        result = chatpaper(fake, tmp_path, "--query", "cat:cs.LG OR cat:cs.AI", "-n", "120", "--dry-run")
        starts = [r.query.get("start") for r in fake.api_requests]
        pdfs = fake.requests_for("pdf")
    assert result.exit_code == 0, result.output
    assert len(listed_ids(result)) == 120
    assert starts == ["0", "100", "100"]
    assert pdfs == []


def test_filter_and_exclude_keys_are_whole_words_on_title_and_abstract(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(
        arxiv, tmp_path, "--query", "all:models", "--filter-keys", "diffusion", "--exclude-keys", "Robust", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    wanted = [
        e.versioned_id
        for e in ENTRIES
        if "diffusion" in f"{e.title} {e.abstract}".lower() and "robust" not in f"{e.title} {e.abstract}".lower()
    ]
    assert wanted and sorted(listed_ids(result)) == sorted(wanted)
    # "diffusio" is not a whole word: nothing passes.
    partial = chatpaper(arxiv, tmp_path, "--query", "all:models", "--filter-keys", "diffusio", "--dry-run")
    assert listed_ids(partial) == []
    assert "arXiv found no papers" in partial.stderr


def test_category_and_date_window(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(
        arxiv,
        tmp_path,
        "--category",
        "cs.CV",
        "--since",
        "2025-01-05",
        "--until",
        "2025-01-20",
        "--sort",
        "submitted",
        "-n",
        "50",
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    window = (datetime(2025, 1, 5, tzinfo=UTC), datetime(2025, 1, 21, tzinfo=UTC))
    wanted = [
        e
        for e in ENTRIES
        if "cs.CV" in e.categories and e.published is not None and window[0] <= e.published < window[1]
    ]
    wanted.sort(key=lambda e: e.published, reverse=True)  # newest first
    assert listed_ids(result) == [e.versioned_id for e in wanted]
    assert arxiv.api_requests[0].query["sortBy"] == "submittedDate"


def test_sort_orders(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    submitted = chatpaper(arxiv, tmp_path, "--query", "all:we", "--sort", "submitted", "-n", "5", "--dry-run")
    updated = chatpaper(arxiv, tmp_path, "--query", "all:we", "--sort", "updated", "-n", "5", "--dry-run")
    by = {e.versioned_id: e for e in ENTRIES}
    newest = [e.versioned_id for e in sorted(ENTRIES, key=lambda e: e.published, reverse=True)[:5]]
    assert listed_ids(submitted) == newest
    assert [by[i].updated for i in listed_ids(updated)] == sorted((by[i].updated for i in by), reverse=True)[:5]
    assert [r.query["sortBy"] for r in arxiv.api_requests] == ["submittedDate", "lastUpdatedDate"]


def test_dry_run_lists_ids_titles_dates_and_tokens_without_llm_or_download(
    arxiv: FakeArxivServer, tmp_path: Path
) -> None:
    with FakeOpenAIServer() as llm:
        env = {"OPENAI_BASE_URL": llm.url, "OPENAI_API_KEY": "sk-test-dry"}
        result = chatpaper(arxiv, tmp_path, "--query", "retrieval", "--dry-run", env=env)
        calls = len(llm.requests)
    assert result.exit_code == 0, result.output
    for entry in RAG:
        line = next(line for line in result.stdout.splitlines() if line.startswith(entry.versioned_id))
        assert entry.title in line
        assert entry.published.date().isoformat() in line
        assert re.search(r"~\d[\d,]+", line)
    assert re.search(r"3 papers would be summarized · [\d,]+ prompt tokens", result.stdout)
    assert calls == 0
    assert arxiv.requests_for("pdf") == []
    assert not (tmp_path / "reports").exists()


def test_second_run_downloads_nothing(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    first = chatpaper(arxiv, tmp_path, "--query", "retrieval")
    assert first.exit_code == 0, first.output
    assert len(arxiv.requests_for("pdf")) == 3
    again = chatpaper(arxiv, tmp_path, "--query", "retrieval")
    assert again.exit_code == 0, again.output
    assert "0 done · 3 skipped · 0 failed" in again.stderr
    # A new output folder: the summaries come from the cache, still without a download.
    elsewhere = CliRunner().invoke(
        main,
        ["--query", "retrieval", "-o", str(tmp_path / "other"), "--cache-dir", str(tmp_path / "cache")],
        env=arxiv.env(delay=0.0),
        catch_exceptions=False,
    )
    assert elsewhere.exit_code == 0, elsewhere.output
    assert len(list((tmp_path / "other").glob("*.json"))) == 3
    assert len(arxiv.requests_for("pdf")) == 3
    assert sorted(p.name for p in (tmp_path / "cache" / "pdfs").iterdir()) == sorted(
        f"{e.versioned_id}.pdf" for e in RAG
    )


def test_a_pdf_that_cannot_be_fetched_fails_alone_and_stays_in_the_index(
    arxiv: FakeArxivServer, tmp_path: Path
) -> None:
    missing = RAG[1]
    arxiv.missing_pdfs.add(missing.arxiv_id)
    result = chatpaper(arxiv, tmp_path, "--query", "retrieval")
    assert result.exit_code == 3, result.output
    failures = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failures) == 1 and failures[0].startswith(f"failed: {missing.versioned_id}: ")
    assert "2 done · 0 skipped · 1 failed" in result.stderr
    index = (tmp_path / "reports" / "index.md").read_text(encoding="utf-8")
    row = next(line for line in index.splitlines() if missing.title in line and line.startswith("| "))
    assert missing.published.date().isoformat() in row and "failed" in row
    assert f"`{missing.versioned_id}` ({missing.title})" in index
    assert not list((tmp_path / "cache" / "pdfs").glob("*.part")) and not list(
        (tmp_path / "cache" / "pdfs").glob(f"{missing.arxiv_id}*")
    )


def test_arxiv_faults_are_retried(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    arxiv.fail("api", 503)
    arxiv.fail("api", 429, retry_after=0)
    arxiv.fail("pdf", 503, pdf_id=RAG[0].arxiv_id)
    result = chatpaper(arxiv, tmp_path, "--query", "retrieval")
    assert result.exit_code == 0, result.output
    assert [r.status for r in arxiv.api_requests] == [503, 429, 200]


def test_unknown_ids_fail_alone(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(arxiv, tmp_path, "--ids", f"{ENTRIES[2].arxiv_id},2501.99999", "--ids", "not-an-id")
    assert result.exit_code == 3, result.output
    assert (tmp_path / "reports" / f"{ENTRIES[2].versioned_id}.md").is_file()
    assert "failed: 2501.99999: arXiv has no paper 2501.99999: check the id" in result.stderr
    assert "failed: not-an-id: not an arXiv id" in result.stderr


def test_query_errors_are_one_line_and_fatal(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    unbalanced = chatpaper(arxiv, tmp_path, "--query", 'ti:"open quote')
    assert unbalanced.exit_code == 1
    assert unbalanced.stderr.strip().splitlines() == [
        "chatpaper: error: unbalanced quote in query 'ti:\"open quote': close the quoted phrase"
    ]
    arxiv.fail("api", 503, times=10)
    down = chatpaper(arxiv, tmp_path, "--query", "retrieval")
    assert down.exit_code == 1
    assert "arXiv API unavailable after 3 attempts" in down.stderr


def test_filters_without_a_query_are_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [str(tmp_path), "--filter-keys", "x"])
    assert result.exit_code == 2
    assert "--filter-keys and --exclude-keys apply to --query" in result.output
