"""The nightly digest in process: the fake arXiv server (feed, API, PDFs) and a counting backend.

Acceptance with the real OpenAI client against the fake OpenAI server (and the killed run) is in
test_digest_cli.py; here the backend is an in-process stub so each test can count calls per paper
and make a chosen paper fail.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from chatpaper.digest import DigestResult, run_digest
from chatpaper.digest_state import DigestState
from chatpaper.errors import ConfigError, LLMUnavailableError
from chatpaper.llm.backend import Draft
from chatpaper.models import ArxivEntry, Language, Paper, SummaryAnswer, SummaryPoints
from chatpaper.settings import Settings, load_settings
from tests.fakes.arxiv_server import FakeArxivServer

DAY1 = date(2025, 8, 20)
DAY2 = date(2025, 8, 21)


def paper(
    number: int, title: str, abstract: str = "", categories: tuple[str, ...] = ("cs.CL",), **extra: Any
) -> ArxivEntry:
    return ArxivEntry(
        arxiv_id=f"2508.{number:05d}",
        version=1,
        title=title,
        authors=["Ada Li", "Bo Chen"],
        abstract=abstract or f"We study {title.lower()}. Existing methods are slow. We propose a fix.",
        categories=list(categories),
        primary_category=categories[0],
        published=datetime(2025, 8, 19, 14, number % 60, tzinfo=UTC),
        **extra,
    )


# Ranked for include = [retrieval, long context], exclude = [survey]:
# phrase in title + abstract (2*(3+1)) + word in abstract (1) = 9; word in title+abstract = 4; in abstract = 1.
DAY1_PAPERS = [
    paper(1, "Sparse Attention for Long Context Models", "Retrieval heads in long context models."),
    paper(2, "Dense Retrieval at Scale", "We study retrieval with dense vectors."),
    paper(3, "A Survey of Retrieval Methods", "A survey of retrieval."),
    paper(4, "Graph Neural Networks for Molecules", "Message passing on molecules."),
    paper(5, "Speech Recognition in Noise", "We study robust speech recognition; retrieval is not used."),
    paper(6, "Protein Folding with Diffusion", "Diffusion models for proteins.", ("q-bio.BM",)),
]


class StubBackend:
    """Counts summarize calls per arXiv id; ids in `failing` raise until removed."""

    name = "openai"
    model = "stub-model"
    prompt_version = "stub-1"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.failing: set[str] = set()
        self._lock = threading.Lock()

    def summarize(self, paper: Paper, language: Language, *, arxiv: ArxivEntry | None = None) -> Draft:
        assert arxiv is not None
        with self._lock:
            self.calls.append(arxiv.arxiv_id)
        if arxiv.arxiv_id in self.failing:
            raise LLMUnavailableError("the server kept answering 503; try again later")
        answer = SummaryAnswer(
            title=arxiv.title,
            title_translated=None,
            authors=arxiv.authors,
            first_author_affiliation=None,
            keywords=["stub"],
            code_url=None,
            summary=SummaryPoints(
                background=f"Background of {arxiv.title}.",
                prior_work="Earlier methods were slow. " * 20,  # long: folds into <details>
                method=f"The method of {arxiv.title}.",
                results="It works.",
            ),
        )
        return Draft(answer=answer, prompt_tokens=1000, completion_tokens=100, calls=1)

    def estimate_prompt_tokens(self, paper: Paper | None, language: Language) -> int:
        return 1000


@pytest.fixture
def server() -> Iterator[FakeArxivServer]:
    with FakeArxivServer(DAY1_PAPERS, announce_day=DAY1) as fake:
        yield fake


@pytest.fixture
def backend() -> StubBackend:
    return StubBackend()


def make_settings(server: FakeArxivServer, tmp_path: Path, **digest: Any) -> Settings:
    flags: dict[str, Any] = {
        **server.settings_overrides(delay=0.0, retries=1),
        "cache_dir": str(tmp_path / "cache"),
        "workers": 2,
        "digest.categories": ["cs.CL"],
        "digest.include": ["retrieval", "long context"],
        "digest.exclude": ["survey"],
        "digest.top": 2,
        "digest.state": str(tmp_path / "state.db"),
        "digest.out": str(tmp_path / "digests"),
    }
    flags.update({f"digest.{k}": v for k, v in digest.items()})
    return load_settings(flags, environ={}).settings


def page_text(tmp_path: Path, day: date) -> str:
    return (tmp_path / "digests" / f"{day}.md").read_text(encoding="utf-8")


def run(settings: Settings, backend: StubBackend, **kwargs: Any) -> DigestResult:
    return run_digest(settings, backend=backend, today=DAY2, **kwargs)


# --- runs ----------------------------------------------------------------------------------------


def test_first_run_summarizes_the_top_n(server: FakeArxivServer, backend: StubBackend, tmp_path: Path) -> None:
    settings = make_settings(server, tmp_path)
    result = run(settings, backend)
    assert sorted(backend.calls) == ["2508.00001", "2508.00002"]
    assert [o.status for o in result.outcomes] == ["done", "done"]
    # Metadata came from the API in one batched call; only the two picks were downloaded.
    api = server.api_requests
    assert len(api) == 1 and sorted(api[0].query["id_list"].split(",")) == ["2508.00001v1", "2508.00002v1"]
    assert sorted(r.path for r in server.pdf_requests) == ["/pdf/2508.00001v1", "/pdf/2508.00002v1"]

    text = page_text(tmp_path, DAY1)
    assert text.startswith("# arXiv digest · 2025-08-20\n")
    assert "5 new announcements · 3 matched · 2 summarized" in text  # the survey is excluded
    assert "Summaries by stub-model: 2 LLM calls · 2,000 prompt + 200 completion tokens" in text
    assert "1. [Sparse Attention for Long Context Models](#p-2508-00001) · score 9 · retrieval, long context" in text
    assert "**Score 4** · matched: retrieval" in text
    assert text.index("Sparse Attention") < text.index("Dense Retrieval at Scale")
    assert "<details><summary><b>Past methods, their problems, and the motivation.</b>" in text
    assert "Survey" not in text and "Speech Recognition" not in text
    summaries = json.loads((tmp_path / "digests" / "2025-08-20.json").read_text(encoding="utf-8"))
    assert [s["arxiv"]["id"] for s in summaries] == ["2508.00001v1", "2508.00002v1"]
    index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
    assert "| [2025-08-20](2025-08-20.md) | 2 | 0 | cs.CL |" in index

    state = DigestState(tmp_path / "state.db")
    statuses = {p.entry.arxiv_id: p.status for p in state.papers()}
    assert statuses == {
        "2508.00001": "done",
        "2508.00002": "done",
        "2508.00003": "seen",
        "2508.00004": "seen",
        "2508.00005": "seen",
    }
    assert [(r["status"], r["days"], r["summarized"], r["calls"]) for r in state.runs()] == [("ok", "2025-08-20", 2, 2)]


def test_same_day_rerun_is_a_no_op(server: FakeArxivServer, backend: StubBackend, tmp_path: Path) -> None:
    settings = make_settings(server, tmp_path)
    run(settings, backend)
    page, data = page_text(tmp_path, DAY1), (tmp_path / "digests" / "2025-08-20.json").read_bytes()
    calls, requests = len(backend.calls), len(server.requests)

    again = run(settings, backend)
    assert len(backend.calls) == calls and again.outcomes == [] and again.usage.calls == 0
    assert page_text(tmp_path, DAY1) == page
    assert (tmp_path / "digests" / "2025-08-20.json").read_bytes() == data
    assert [r.route for r in server.requests[requests:]] == ["rss"]  # no API call, no download


def test_a_new_day_summarizes_only_its_new_papers(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    settings = make_settings(server, tmp_path, top=5)
    run(settings, backend)
    first = set(backend.calls)
    backend.calls.clear()
    server.add_entries([paper(7, "Retrieval for Code"), paper(8, "Long Context Evaluation")])
    server.announcements = [*server.entries[-2:], DAY1_PAPERS[0]]  # one old paper shows up again
    server.announce_day = DAY2

    result = run(settings, backend)
    assert sorted(backend.calls) == ["2508.00007", "2508.00008"] and not first & set(backend.calls)
    assert [p.day for p in result.pages] == ["2025-08-21"]
    text = page_text(tmp_path, DAY2)
    assert "Retrieval for Code" in text and "Sparse Attention" not in text
    index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
    assert index.index("2025-08-21") < index.index("2025-08-20")


def test_a_failed_paper_is_listed_and_retried_until_it_succeeds(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    settings = make_settings(server, tmp_path)
    backend.failing.add("2508.00002")
    result = run(settings, backend)
    assert [o.source for o in result.failed] == ["2508.00002v1"]
    text = page_text(tmp_path, DAY1)
    assert "1 summarized · 1 not summarized yet" in text
    assert "## Not summarized yet" in text and "(`2508.00002v1`, 1 attempt): the server kept answering 503" in text

    # The same day again: only the failed paper is retried; it fails again and stays listed.
    backend.calls.clear()
    run(settings, backend)
    assert set(backend.calls) == {"2508.00002"}  # the engine may try a failing paper twice per run
    assert "2 attempts" in page_text(tmp_path, DAY1)

    # The next day it succeeds: it is carried onto the new page, and its own page is updated.
    backend.calls.clear()
    backend.failing.clear()
    server.add_entries([paper(7, "Retrieval for Code")])
    server.announcements = server.entries[-1:]
    server.announce_day = DAY2
    result = run(settings, backend)
    assert sorted(backend.calls) == ["2508.00002", "2508.00007"]
    assert [(p.day, p.fresh, p.unfinished) for p in result.pages] == [("2025-08-21", True, 0), ("2025-08-20", False, 0)]
    text = page_text(tmp_path, DAY2)
    assert "[Dense Retrieval at Scale](#p-2508-00002) · score 4 · retrieval · retried from 2025-08-20" in text
    assert "Not summarized yet" not in page_text(tmp_path, DAY1)
    assert "### 2. Dense Retrieval at Scale" in page_text(tmp_path, DAY1)


def test_a_day_without_matches_or_papers_writes_a_short_page(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    result = run(make_settings(server, tmp_path, include=["quantum"]), backend)
    assert backend.calls == [] and result.pages[0].summarized == 0
    text = page_text(tmp_path, DAY1)
    assert "No new papers matched your keywords (5 in cs.CL, none kept)." in text
    assert "## Contents" not in text
    assert json.loads((tmp_path / "digests" / "2025-08-20.json").read_text(encoding="utf-8")) == []

    server.announcements = []
    server.announce_day = DAY2
    run(make_settings(server, tmp_path), backend)
    assert "No new papers in cs.CL on 2025-08-21." in page_text(tmp_path, DAY2)


def test_cross_lists_only_when_asked(server: FakeArxivServer, backend: StubBackend, tmp_path: Path) -> None:
    server.add_entries([paper(9, "Retrieval for Vision", categories=("cs.CV", "cs.CL"))])
    server.announcements = server.entries[-1:]
    run(make_settings(server, tmp_path), backend)
    assert backend.calls == []
    run(make_settings(server, tmp_path, cross_lists=True), backend)
    assert backend.calls == ["2508.00009"]
    text = page_text(tmp_path, DAY1)
    assert "cs.CV, cs.CL (cross-list)" in text
    assert "**cs.CL** · 0 new · 1 cross-list · 1 matched · 1 summarized" in text  # not "1 new announcements"


def test_backfill_a_day_through_the_api(server: FakeArxivServer, backend: StubBackend, tmp_path: Path) -> None:
    result = run(make_settings(server, tmp_path), backend, date=date(2025, 8, 19))
    assert [r.route for r in server.requests if r.route != "pdf"] == ["api"]  # no feed, no metadata call
    query = server.api_requests[0].query["search_query"]
    assert "cat:cs.CL" in query and "submittedDate:[202508190000 TO 202508192359]" in query
    assert [p.day for p in result.pages] == ["2025-08-19"]
    text = page_text(tmp_path, date(2025, 8, 19))
    assert "papers submitted this day (arXiv API backfill)" in text and "Sparse Attention" in text


def test_since_writes_one_page_per_day_with_papers(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    """A backfill over several days writes a page for each day arXiv had papers for; the days it had
    none for (weekends, holidays) get no page, and the result names them."""
    later = paper(7, "Retrieval for Code").model_copy(update={"published": datetime(2025, 8, 21, 9, tzinfo=UTC)})
    server.add_entries([later])
    result = run(make_settings(server, tmp_path), backend, since=date(2025, 8, 19))
    assert [p.day for p in result.pages] == ["2025-08-19", "2025-08-21"]
    assert result.empty_days == ["2025-08-20"]
    assert len(server.api_requests) == 1
    assert sorted(backend.calls) == ["2508.00001", "2508.00002", "2508.00007"]
    assert not (tmp_path / "digests" / f"{DAY1}.md").exists()
    index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
    assert "2025-08-19" in index and "2025-08-21" in index and str(DAY1) not in index
    # One day asked for by itself still gets its page, saying it had nothing.
    alone = run(make_settings(server, tmp_path), backend, date=DAY1)
    assert [p.day for p in alone.pages] == [str(DAY1)] and not alone.empty_days
    assert "No new papers in cs.CL on 2025-08-20." in page_text(tmp_path, DAY1)


def test_a_page_header_lists_every_category_on_it(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    """Two backfills of one day following different categories: the header names both, not only the
    last run's."""
    run(make_settings(server, tmp_path), backend, date=date(2025, 8, 19))
    run(make_settings(server, tmp_path, categories=["cs.LG"]), backend, date=date(2025, 8, 19))
    header = page_text(tmp_path, date(2025, 8, 19)).splitlines()[2]
    assert header.startswith("**cs.CL, cs.LG** · "), header
    with pytest.raises(ConfigError, match="in the future"):
        run(make_settings(server, tmp_path), backend, date=date(2030, 1, 1))


def test_feed_failure_is_fatal_and_writes_nothing(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    server.fail("rss", 404, times=5)
    with pytest.raises(Exception, match="HTTP 404"):
        run(make_settings(server, tmp_path), backend)
    assert not (tmp_path / "digests").exists()
    assert [r["status"] for r in DigestState(tmp_path / "state.db").runs()] == ["failed"]


def test_the_real_recorded_feed(backend: StubBackend, tmp_path: Path) -> None:
    """arXiv's own announcement feed (cs.AI, 2025-08-20): its date, new vs cross, ranking, the page."""
    from chatpaper.sources.feed import parse_announcement_feed
    from tests.conftest import CORPUS

    recorded = CORPUS / "atom" / "arxiv_rss_cs.AI_2025-08-20.xml"
    if not recorded.is_file():
        pytest.skip(f"recorded announcement feed not found at {recorded} (../shared/corpus sits beside the repo)")
    raw = recorded.read_bytes()
    with FakeArxivServer(parse_announcement_feed(raw, cross_lists=True).entries, announce_day=DAY2) as server:
        server.respond_raw(raw, route="rss", times=2)
        settings = make_settings(
            server, tmp_path, categories=["cs.AI"], include=["language models", "transformers"], exclude=[], top=5
        )
        result = run(settings, backend)
        assert [p.day for p in result.pages] == ["2025-08-20"]  # the feed's own date, not the server's
        text = page_text(tmp_path, DAY1)
        assert "**cs.AI** · 2 new announcements · 1 matched · 1 summarized" in text
        assert "Neural Architecture Search for Efficient Transformers" in text
        assert backend.calls == ["2508.14001"]

        # With cross-lists, ALIGN (cs.CL, cross-listed to cs.AI) ranks first, unless "survey" is excluded:
        # its abstract mentions World-Values-Survey questions.
        wide = {"categories": ["cs.AI"], "include": ["language models"], "cross_lists": True}
        run(make_settings(server, tmp_path, **wide), backend)
        assert "2508.13426" not in backend.calls
        server.respond_raw(raw, route="rss")
        run(make_settings(server, tmp_path, **wide, exclude=[]), backend)
        assert "2508.13426" in backend.calls
        text = page_text(tmp_path, DAY1)
        assert "1. [ALIGN: Word Association Learning" in text
        assert "**cs.AI** · 2 new · 5 cross-lists · " in text


# --- re-planning a day that already has a page ---------------------------------------------------


def test_a_backfill_of_a_day_with_a_feed_page_merges_into_it(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    settings = make_settings(server, tmp_path)
    run(settings, backend)  # tonight's feed: the page for 2025-08-20
    feed_page = page_text(tmp_path, DAY1)
    assert "Sparse Attention" in feed_page and "Dense Retrieval at Scale" in feed_page

    # Papers submitted on 2025-08-20 (announced the day after), backfilled into the same day's page.
    submitted = datetime(2025, 8, 20, 10, tzinfo=UTC)
    server.announcements = list(DAY1_PAPERS)  # the feed stays as it was
    server.add_entries([paper(7, "Retrieval for Code").model_copy(update={"published": submitted})])
    backend.calls.clear()
    result = run(settings, backend, date=DAY1)
    assert backend.calls == ["2508.00007"]
    assert [(p.day, p.summarized, p.unfinished) for p in result.pages] == [("2025-08-20", 3, 0)]
    text = page_text(tmp_path, DAY1)
    assert all(title in text for title in ("Sparse Attention", "Dense Retrieval at Scale", "Retrieval for Code"))
    assert "5 new announcements · 1 paper submitted this day (arXiv API backfill) · 4 matched · 3 summarized" in text
    assert "arXiv announcement feed and API (submitted 2025-08-20)" in text
    summaries = json.loads((tmp_path / "digests" / "2025-08-20.json").read_text(encoding="utf-8"))
    assert [s["arxiv"]["id"] for s in summaries] == ["2508.00001v1", "2508.00002v1", "2508.00007v1"]

    # Both sources again: nothing new, the same page.
    backend.calls.clear()
    run(settings, backend, date=DAY1)
    run(settings, backend)
    assert backend.calls == [] and page_text(tmp_path, DAY1) == text


def test_an_empty_or_shorter_feed_keeps_the_page(server: FakeArxivServer, backend: StubBackend, tmp_path: Path) -> None:
    settings = make_settings(server, tmp_path)
    backend.failing.add("2508.00002")
    run(settings, backend)
    assert "5 new announcements · 3 matched · 1 summarized · 1 not summarized yet" in page_text(tmp_path, DAY1)

    # A holiday or a transient stale feed, still dated 2025-08-20: the page stays as it is.
    backend.calls.clear()
    server.announcements = []
    result = run(settings, backend)
    assert [p.day for p in result.pages] == ["2025-08-20"]
    assert "5 new announcements · 3 matched · 1 summarized · 1 not summarized yet" in page_text(tmp_path, DAY1)
    assert set(backend.calls) == {"2508.00002"}  # the failed paper is still retried

    # A shorter feed (without the failed paper): the failed paper stays and is retried; the feed's
    # lower-ranked paper is not promoted onto the page.
    backend.calls.clear()
    backend.failing.clear()
    server.announcements = [DAY1_PAPERS[0], DAY1_PAPERS[4]]
    run(settings, backend)
    assert backend.calls == ["2508.00002"]
    text = page_text(tmp_path, DAY1)
    assert "5 new announcements · 3 matched · 2 summarized" in text and "Not summarized yet" not in text
    assert "Sparse Attention" in text and "Dense Retrieval at Scale" in text and "Speech Recognition" not in text
    statuses = {p.entry.arxiv_id: (p.status, p.day) for p in DigestState(tmp_path / "state.db").papers()}
    assert statuses["2508.00001"] == statuses["2508.00002"] == ("done", "2025-08-20")


def test_a_new_version_of_a_listed_paper_is_not_new(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    settings = make_settings(server, tmp_path)
    run(settings, backend)  # 2508.00001v1 and 2508.00002v1 on the 2025-08-20 page
    server.entries[0] = server.entries[0].model_copy(update={"version": 2})  # replaced: the API has v2 now

    backend.calls.clear()
    run(settings, backend, date=date(2025, 8, 19))  # the day both were submitted
    assert backend.calls == ["2508.00005"]  # the next best paper; v2 of 2508.00001 is not news
    text = page_text(tmp_path, date(2025, 8, 19))
    assert "Speech Recognition in Noise" in text and "Sparse Attention" not in text
    assert {p.entry.versioned_id for p in DigestState(tmp_path / "state.db").papers(["done"])} == {
        "2508.00001v1",
        "2508.00002v1",
        "2508.00005v1",
    }


def test_every_page_listing_a_retried_paper_is_updated_once_it_succeeds(
    server: FakeArxivServer, backend: StubBackend, tmp_path: Path
) -> None:
    day3 = date(2025, 8, 22)
    settings = make_settings(server, tmp_path)
    backend.failing.add("2508.00002")
    run_digest(settings, backend=backend, today=day3)  # 2025-08-20: 2508.00002 fails
    server.add_entries([paper(7, "Retrieval for Code")])
    server.announcements, server.announce_day = server.entries[-1:], DAY2
    run_digest(settings, backend=backend, today=day3)  # 2025-08-21: carried, fails again
    assert "Not summarized yet" in page_text(tmp_path, DAY2)

    backend.failing.clear()
    server.add_entries([paper(8, "Retrieval for Tables")])
    server.announcements, server.announce_day = server.entries[-1:], day3
    result = run_digest(settings, backend=backend, today=day3)  # 2025-08-22: it succeeds
    assert [(p.day, p.fresh) for p in result.pages] == [
        ("2025-08-22", True),
        ("2025-08-20", False),
        ("2025-08-21", False),
    ]
    for day in (DAY1, DAY2, day3):
        text = page_text(tmp_path, day)
        assert "Not summarized yet" not in text and "Dense Retrieval at Scale" in text, day
    index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
    assert "| [2025-08-21](2025-08-21.md) | 2 | 0 |" in index
