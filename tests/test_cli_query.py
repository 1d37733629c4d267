"""`chatpaper --query` end to end: the real CLI and the real `arxiv` client against the fake arXiv server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
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


def report_names(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "reports").glob("*.md") if p.name != "index.md")


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


def test_n_counts_after_filter_keys_across_pages(tmp_path: Path) -> None:
    entries = make_entries(260)
    with FakeArxivServer(entries) as fake:
        result = chatpaper(fake, tmp_path, "--query", "all:benchmarks", "--filter-keys", "rag", "-n", "15", "--dry-run")
        starts = [r.query.get("start") for r in fake.api_requests]
    assert result.exit_code == 0, result.output
    # one RAG paper in ten: 10 on the first page of 100, the other 5 on the second, and no third page
    assert listed_ids(result) == [e.versioned_id for e in entries if "(RAG)" in e.abstract][:15]
    assert starts == ["0", "100"]


def test_a_later_page_that_stays_empty_keeps_the_first_and_says_so(tmp_path: Path) -> None:
    """The real console script: the warning is on stderr as a user sees it."""
    with FakeArxivServer(make_entries(260)) as fake:
        fake.empty_page(100, times=10)
        args = ["--query", "all:we", "--filter-keys", "rag", "-n", "30", "--dry-run", "--cache-dir", str(tmp_path)]
        proc = subprocess.run(
            [sys.executable, "-m", "chatpaper", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **fake.env(delay=0.0, retries=1)},
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    assert len(re.findall(r"^2501\.\d{5}v\d\s", proc.stdout, flags=re.MULTILINE)) == 10  # page 1's RAG papers
    assert (
        "WARNING chatpaper.sources.arxiv: arXiv stopped answering after the first 100 results "
        "(empty page at start=100, 2 attempts): going on with the 10 papers found; run again later for more"
    ) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_repeated_category_flags_search_any_of_them(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(arxiv, tmp_path, "-c", "cs.CV", "-c", "quant-ph", "-n", "50", "--dry-run")
    assert result.exit_code == 0, result.output
    wanted = [e.versioned_id for e in ENTRIES if {"cs.CV", "quant-ph"} & set(e.categories)]
    assert wanted and listed_ids(result) == wanted
    assert arxiv.api_requests[0].query["search_query"] == "cat:cs.CV OR cat:quant-ph"


def test_a_field_on_a_group_and_an_unknown_field(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(arxiv, tmp_path, "--query", "ti:(diffusion OR graph)", "-n", "50", "--dry-run")
    assert result.exit_code == 0, result.output
    assert arxiv.api_requests[0].query["search_query"] == "(ti:diffusion OR ti:graph)"
    wanted = [e.versioned_id for e in ENTRIES if re.search(r"Diffusion|Graph", e.title)]
    assert len(wanted) == 6 and listed_ids(result) == wanted
    unknown = chatpaper(arxiv, tmp_path, "--query", "title:diffusion")
    assert unknown.exit_code == 2  # a usage error, with click's usage lines
    line = unknown.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: unknown field title: in query 'title:diffusion': arXiv's fields are ti")
    assert len(arxiv.api_requests) == 1  # refused before asking arXiv


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
    assert re.search(r"3 papers would be summarized by gpt-4o-mini · [\d,]+ prompt tokens · at most ~\$", result.stdout)
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
    assert len(failures) == 1
    # the id once: the line names the paper, the reason does not repeat it
    assert failures[0].startswith(f"failed: {missing.versioned_id}: arXiv has no PDF at ")
    assert failures[0].count(missing.versioned_id) == 2  # the source and the PDF link
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
    arxiv.truncate_api()
    arxiv.fail("pdf", 503, pdf_id=RAG[0].arxiv_id)
    arxiv.respond_raw(b"<html>rate limited</html>", route="pdf", content_type="text/html")
    result = chatpaper(arxiv, tmp_path, "--query", "retrieval", env={"CHATPAPER_ARXIV_RETRIES": "3"})
    assert result.exit_code == 0, result.output
    assert [r.status for r in arxiv.api_requests] == [503, 429, 200, 200]  # the third was cut mid-transfer
    assert len(arxiv.pdf_requests) == 5 and report_names(tmp_path) == sorted(f"{e.versioned_id}.md" for e in RAG)


def test_versioned_ids_name_each_report_once(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    # 2501.00003 is at version 2: the bare id is v2, the same as the explicit v2
    result = chatpaper(arxiv, tmp_path, "--ids", "2501.00003v1,2501.00003", "--ids", "arXiv:2501.00003v2")
    assert result.exit_code == 0, result.output
    assert report_names(tmp_path) == ["2501.00003v1.md", "2501.00003v2.md"]
    assert sorted(r.path for r in arxiv.pdf_requests) == ["/pdf/2501.00003v1", "/pdf/2501.00003v2"]
    assert "2 done · 0 skipped · 0 failed" in result.stderr


def test_ids_with_other_terms_are_all_kept_and_the_missing_ones_reported(
    arxiv: FakeArxivServer, tmp_path: Path
) -> None:
    ids = [f"2501.{n:05d}" for n in range(1, 16)]
    result = chatpaper(arxiv, tmp_path, "--ids", ",".join([*ids, "2501.99999"]), "--since", "2025-01-03", "--dry-run")
    assert result.exit_code == 0, result.output
    assert [i.split("v")[0] for i in listed_ids(result)] == ids[2:]  # 13 papers although -n is 10
    for missing in ("2501.00001", "2501.00002", "2501.99999"):
        line = next(line for line in result.stdout.splitlines() if line.startswith(missing))
        assert line.endswith(
            f"arXiv returned nothing for {missing}: unknown to arXiv or outside the query's other terms"
        )
    assert arxiv.api_requests[0].query["max_results"] == "16"


def test_an_id_arxiv_rejects_fails_alone(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    arxiv.respond_raw(arxiv.error_feed("incorrect id format for 2501.00002"), status=400)
    result = chatpaper(arxiv, tmp_path, "--ids", "2501.00001,2501.00002,2501.00003")
    assert result.exit_code == 3, result.output
    assert "failed: 2501.00002: arXiv rejected id 2501.00002: incorrect id format for 2501.00002" in result.stderr
    assert report_names(tmp_path) == ["2501.00001v1.md", "2501.00003v2.md"]
    index = (tmp_path / "reports" / "index.md").read_text(encoding="utf-8")
    assert "arXiv rejected id 2501.00002" in index


def test_an_api_url_without_a_scheme_is_one_line(tmp_path: Path) -> None:
    env = {"CHATPAPER_ARXIV_API_URL": "export.arxiv.org/api/query"}
    result = CliRunner().invoke(main, ["--query", "x", "-o", str(tmp_path / "r")], env=env)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "chatpaper: error: setting 'arxiv_api_url' from env CHATPAPER_ARXIV_API_URL is invalid: Value error, "
        "must be an http(s) URL with a host, like the default https://export.arxiv.org/api/query"
    ]


def test_unknown_ids_fail_alone(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = chatpaper(arxiv, tmp_path, "--ids", f"{ENTRIES[2].arxiv_id},2501.99999")
    assert result.exit_code == 3, result.output
    assert (tmp_path / "reports" / f"{ENTRIES[2].versioned_id}.md").is_file()
    assert "failed: 2501.99999: arXiv has no paper 2501.99999: check the id" in result.stderr


def test_a_malformed_id_is_a_usage_error_before_any_request(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    """`--ids abc` cannot name a paper: exit 2 with the usage lines, nothing asked, nothing written."""
    result = chatpaper(arxiv, tmp_path, "--ids", f"{ENTRIES[2].arxiv_id}", "--ids", "not-an-id")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Usage: ")
    assert "Error: not an arXiv id: 'not-an-id' (expected e.g. 2301.00001" in result.stderr
    assert not arxiv.api_requests
    assert not (tmp_path / "reports").exists()


def test_query_errors_are_usage_errors_and_arxiv_down_is_fatal(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    unbalanced = chatpaper(arxiv, tmp_path, "--query", 'ti:"open quote')
    assert unbalanced.exit_code == 2
    assert unbalanced.stderr.strip().splitlines()[-1] == (
        "Error: unbalanced quote in query 'ti:\"open quote': close the quoted phrase"
    )
    assert not arxiv.api_requests and not (tmp_path / "reports").exists()
    arxiv.fail("api", 503, times=10)
    down = chatpaper(arxiv, tmp_path, "--query", "retrieval")
    assert down.exit_code == 1
    assert "arXiv API unavailable after 3 attempts" in down.stderr


def test_filters_without_a_query_are_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [str(tmp_path), "--filter-keys", "x"])
    assert result.exit_code == 2
    assert "--filter-keys and --exclude-keys apply to --query" in result.output
