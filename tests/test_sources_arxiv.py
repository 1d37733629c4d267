"""The arXiv API client against the fake server: the real `arxiv` package and `requests`, no mocks."""

from __future__ import annotations

import logging
import random
import socket
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

import chatpaper
from chatpaper.errors import ArxivError, ArxivRejectedError, ArxivUnavailableError
from chatpaper.models import ArxivEntry
from chatpaper.settings import ArxivSettings, Settings
from chatpaper.sources.arxiv import (
    ArxivClient,
    ArxivQuery,
    build_search_query,
    normalize_id,
)
from chatpaper.sources.http import pacer_for
from tests.conftest import CORPUS
from tests.fakes.arxiv_server import FakeArxivServer, make_entries

ATOM = CORPUS / "atom"
DELAY = 0.1


@pytest.fixture
def server() -> Iterator[FakeArxivServer]:
    with FakeArxivServer(make_entries(30)) as fake:
        yield fake


def settings_for(server: FakeArxivServer, tmp_path: Path, *, delay: float = DELAY, retries: int = 3) -> ArxivSettings:
    return Settings(cache_dir=tmp_path / "cache", **server.settings_overrides(delay=delay, retries=retries)).arxiv


def gaps(server: FakeArxivServer) -> list[float]:
    times = [r.time for r in server.api_requests]
    return [b - a for a, b in pairwise(times)]


def atom_file(name: str) -> bytes:
    path = ATOM / name
    if not path.is_file():
        pytest.skip(f"recorded arXiv feeds not found at {ATOM} (they sit beside the repo in CI)")
    return path.read_bytes()


# --- query translation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ArxivQuery(text="transformer"), "all:transformer"),
        (ArxivQuery(text="retrieval augmented generation"), "all:retrieval AND all:augmented AND all:generation"),
        (ArxivQuery(text='"neural network" AND cat:cs.LG'), 'all:"neural network" AND cat:cs.LG'),
        (ArxivQuery(text="au:del_maestro AND ti:checkerboard"), "au:del_maestro AND ti:checkerboard"),
        (
            ArxivQuery(text='ti:"graph neural" OR (abs:rag ANDNOT au:smith)'),
            'ti:"graph neural" OR (abs:rag ANDNOT au:smith)',
        ),
        (ArxivQuery(text="ti:llm abs:rag"), "ti:llm AND abs:rag"),
        (ArxivQuery(categories=["cs.CL"]), "cat:cs.CL"),
        (ArxivQuery(text="llm", categories=["cs.CL", "cs.LG"]), "(all:llm) AND (cat:cs.CL OR cat:cs.LG)"),
        (
            ArxivQuery(categories=["cs.AI"], since=date(2024, 1, 5), until=date(2024, 2, 1)),
            "(cat:cs.AI) AND (submittedDate:[202401050000 TO 202402012359])",
        ),
        (ArxivQuery(until=date(2020, 1, 1)), "submittedDate:[199108010000 TO 202001012359]"),
        (ArxivQuery(ids=["2301.00001"]), ""),
        # a field applied to a group is given to each word in it (arXiv has no field-wide groups)
        (ArxivQuery(text="ti:(graph OR neural)"), "(ti:graph OR ti:neural)"),
        (
            ArxivQuery(text='abs:(rag AND ("long context" OR au:smith)) cat:cs.CL'),
            '(abs:rag AND (abs:"long context" OR au:smith)) AND cat:cs.CL',
        ),
        (ArxivQuery(text="ti:(graph OR neural)", categories=["cs.LG"]), "((ti:graph OR ti:neural)) AND (cat:cs.LG)"),
        # a word ending in a colon is a word, and so is a URL
        (ArxivQuery(text="BERT: pretraining"), "all:BERT AND all:pretraining"),
        (ArxivQuery(text="https://github.com/x/y"), "all:https://github.com/x/y"),
        (ArxivQuery(text='"title:foo" 3:1'), 'all:"title:foo" AND all:3:1'),
    ],
)
def test_build_search_query(query: ArxivQuery, expected: str) -> None:
    assert build_search_query(query, today=date(2025, 6, 1)) == expected


def test_open_ended_window_ends_today() -> None:
    assert build_search_query(ArxivQuery(since=date(2025, 5, 1)), today=date(2025, 6, 1)) == (
        "submittedDate:[202505010000 TO 202506012359]"
    )


def test_bad_queries_are_refused_before_any_request() -> None:
    with pytest.raises(ArxivError, match="since 2025-02-01 is after until 2025-01-01"):
        build_search_query(ArxivQuery(since=date(2025, 2, 1), until=date(2025, 1, 1)))
    with pytest.raises(ArxivError, match="unbalanced quote"):
        build_search_query(ArxivQuery(text='ti:"open'))


@pytest.mark.parametrize("text", ["title:foo", "rag AND author:smith", "title:(graph OR neural)"])
def test_an_unknown_field_is_refused_with_arxivs_fields(text: str) -> None:
    with pytest.raises(ArxivError) as err:
        build_search_query(ArxivQuery(text=text))
    message = str(err.value)
    assert message.startswith(f"unknown field {text.split(':')[0].split()[-1]}: in query {text!r}")
    assert "ti (title), au (author), abs (abstract)" in message and "submittedDate" in message
    assert "\n" not in message


def test_a_field_without_a_term_is_refused() -> None:
    with pytest.raises(ArxivError, match=r"field ti: in query 'ti: graph' has no term: write ti:word or ti:\(a OR b\)"):
        build_search_query(ArxivQuery(text="ti: graph"))


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("2301.00001", "2301.00001"),
        (" arXiv:2301.00001v2 ", "2301.00001v2"),
        ("https://arxiv.org/abs/2301.12345", "2301.12345"),
        ("http://arxiv.org/pdf/2301.12345v3.pdf", "2301.12345v3"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.AG/0601001v1", "math.AG/0601001v1"),
        ("abc", None),
        ("2301.1", None),
        ("", None),
    ],
)
def test_normalize_id(raw: str, norm: str | None) -> None:
    assert normalize_id(raw) == norm


# --- searching --------------------------------------------------------------------------------------


def test_search_pages_politely_and_names_chatpaper(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path, delay=0.2), page_size=5)
    found = list(client.search(ArxivQuery(categories=["cs.CL", "cs.LG", "cs.AI", "cs.CV", "stat.ML"], max_results=12)))

    assert len(found) == 12
    assert len({e.arxiv_id for e in found}) == 12
    requests = server.api_requests
    assert [(r.query["start"], r.query["max_results"]) for r in requests] == [("0", "5"), ("5", "5"), ("10", "5")]
    assert requests[0].query["search_query"] == "cat:cs.CL OR cat:cs.LG OR cat:cs.AI OR cat:cs.CV OR cat:stat.ML"
    assert all(g >= 0.2 * 0.9 for g in gaps(server)), gaps(server)
    for r in requests:
        assert r.user_agent.startswith("chatpaper/")
        assert "arxiv.py" not in r.user_agent


def test_user_agent_names_the_installed_version(server: FakeArxivServer, tmp_path: Path) -> None:
    from importlib.metadata import version

    ArxivClient(settings_for(server, tmp_path)).fetch(["2501.00001"])
    assert chatpaper.__version__ == version("chatpaper")
    assert server.api_requests[0].user_agent.startswith(f"chatpaper/{version('chatpaper')} ")


def test_arxiv_org_always_gets_three_seconds(caplog: pytest.LogCaptureFixture) -> None:
    assert ArxivClient(Settings().arxiv).delay == 3.0
    with caplog.at_level(logging.WARNING):
        short = ArxivClient(Settings(arxiv_api_url="https://floor-test.arxiv.org/api/query", arxiv_delay=0.5).arxiv)
    assert short.delay == 3.0
    assert "arxiv_delay 0.5 s is below arXiv's minimum for floor-test.arxiv.org; using 3 s" in caplog.text
    assert pacer_for("https://floor-test.arxiv.org/other", 0.0).interval == 3.0
    # a test server or a mirror keeps the delay it was given
    assert ArxivClient(Settings(arxiv_api_url="http://127.0.0.1:9/api/query", arxiv_delay=0.5).arxiv).delay == 0.5
    assert ArxivClient(Settings(arxiv_api_url="https://notarxiv.org/api/query", arxiv_delay=0.5).arxiv).delay == 0.5


def test_search_is_lazy(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path), page_size=5)
    first = next(iter(client.search(ArxivQuery(text="models", max_results=20))))
    assert isinstance(first, ArxivEntry)
    assert len(server.api_requests) == 1


def test_small_max_results_asks_for_a_small_page(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    found = list(client.search(ArxivQuery(categories=["cs.CL"], max_results=3)))
    assert len(found) == 3
    assert [r.query["max_results"] for r in server.api_requests] == ["3"]


def test_entries_are_mapped_from_the_feed(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    (entry,) = client.fetch(["2501.00003"])
    source = server.find("2501.00003")
    assert source is not None
    assert entry.arxiv_id == "2501.00003" and entry.version == source.version
    assert entry.title == source.title and entry.abstract == source.abstract
    assert entry.authors == source.authors
    assert entry.categories == source.categories and entry.primary_category == source.primary_category
    assert entry.published == source.published and entry.comment == source.comment
    assert entry.pdf_url == server.pdf_url(entry.versioned_id)  # the feed's host, not arxiv.org


def test_filter_keys_count_after_filtering(server: FakeArxivServer, tmp_path: Path) -> None:
    # make_entries mentions "retrieval-augmented generation (RAG)" in entries 0, 10, 20 only.
    client = ArxivClient(settings_for(server, tmp_path), page_size=5)
    found = list(client.search(ArxivQuery(text="benchmarks", filter_keys=["rag"], max_results=2)))
    assert [e.arxiv_id for e in found] == ["2501.00001", "2501.00011"]
    # entry 10 sits on the third page; nothing beyond it was asked for
    assert [r.query["start"] for r in server.api_requests] == ["0", "5", "10"]


def test_exclude_keys_and_phrase_filters(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path), page_size=10)
    kept = list(client.search(ArxivQuery(text="benchmarks", exclude_keys=["RAG", "language model"], max_results=30)))
    assert len(kept) == 24  # 30 minus 3 RAG minus 3 LLM entries
    assert all("RAG" not in e.abstract and "language model" not in e.abstract for e in kept)
    phrase = list(client.search(ArxivQuery(text="benchmarks", filter_keys=["graph neural network"], max_results=30)))
    assert [e.arxiv_id for e in phrase] == ["2501.00003", "2501.00013", "2501.00023"]


def test_filters_stop_after_max_scanned(
    server: FakeArxivServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = ArxivClient(settings_for(server, tmp_path), page_size=5)
    query = ArxivQuery(text="benchmarks", filter_keys=["rag"], max_results=5, max_scanned=10)
    with caplog.at_level(logging.WARNING):
        assert [e.arxiv_id for e in client.search(query)] == ["2501.00001"]
    assert len(server.api_requests) == 2
    assert "stopped after reading 10 arXiv results, of which 1 passed the filter/exclude keys (5 wanted)" in caplog.text


def test_filters_that_run_out_of_results_say_nothing(
    server: FakeArxivServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = ArxivClient(settings_for(server, tmp_path), page_size=10)
    with caplog.at_level(logging.WARNING):
        found = list(client.search(ArxivQuery(text="benchmarks", filter_keys=["rag"], max_results=5)))
    assert len(found) == 3 and caplog.text == ""


@pytest.mark.parametrize(
    ("sort", "sort_by"), [("relevance", "relevance"), ("submitted", "submittedDate"), ("updated", "lastUpdatedDate")]
)
def test_sort_mapping(server: FakeArxivServer, tmp_path: Path, sort: str, sort_by: str) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    found = list(client.search(ArxivQuery(text="benchmarks", sort=sort, max_results=5)))  # type: ignore[arg-type]
    request = server.api_requests[-1]
    assert (request.query["sortBy"], request.query["sortOrder"]) == (sort_by, "descending")
    if sort == "submitted":
        assert [e.arxiv_id for e in found] == [f"2501.000{n}" for n in (30, 29, 28, 27, 26)]
        assert found == sorted(found, key=lambda e: e.published, reverse=True)


def test_date_window(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    query = ArxivQuery(since=date(2025, 1, 5), until=date(2025, 1, 7), sort="submitted", max_results=10)
    found = list(client.search(query))
    assert [e.arxiv_id for e in found] == ["2501.00007", "2501.00006", "2501.00005"]
    assert server.api_requests[0].query["search_query"] == "submittedDate:[202501050000 TO 202501072359]"


def test_ids_with_search_terms_narrow_the_ids(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    found = list(client.search(ArxivQuery(text="rag", ids=["2501.00001", "2501.00002", "2501.00011"])))
    assert sorted(e.arxiv_id for e in found) == ["2501.00001", "2501.00011"]
    assert server.api_requests[0].query["id_list"] == "2501.00001,2501.00002,2501.00011"


def test_ids_only_query_fetches_and_filters(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    found = list(client.search(ArxivQuery(ids=["2501.00002", "2501.00001"], exclude_keys=["rag"])))
    assert [e.arxiv_id for e in found] == ["2501.00002"]
    assert server.api_requests[0].query["search_query"] == ""
    many = [f"2501.{n:05d}" for n in range(1, 16)]
    assert len(list(client.search(ArxivQuery(ids=many, max_results=3)))) == 15  # the user's own list is not cut


def test_ids_with_search_terms_are_all_fetched_and_the_missing_ones_reported(
    server: FakeArxivServer, tmp_path: Path
) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    many = [f"2501.{n:05d}" for n in range(1, 16)]
    query = ArxivQuery(ids=[*many, "2501.99999"], since=date(2025, 1, 5), max_results=3)
    entries, problems = client.find(query)
    # -n does not cut the user's own list, and nothing vanishes silently
    assert [e.arxiv_id for e in entries] == many[4:]
    reason = "unknown to arXiv or outside the query's other terms"
    assert problems == [(i, f"arXiv returned nothing for {i}: {reason}") for i in [*many[:4], "2501.99999"]]
    (request,) = server.api_requests
    assert request.query["max_results"] == "16"
    assert [e.arxiv_id for e in client.search(query)] == many[4:]


def test_a_bad_id_never_widens_a_search(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    assert list(client.search(ArxivQuery(text="rag", ids=["abc"]))) == []
    entries, problems = client.find(ArxivQuery(text="rag", ids=["abc", "2501.00001"]))
    assert [e.arxiv_id for e in entries] == ["2501.00001"]
    assert problems[0][0] == "abc" and problems[0][1].startswith("not an arXiv id")
    assert [r.query["id_list"] for r in server.api_requests] == ["2501.00001"]


def test_empty_query_is_refused(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    with pytest.raises(ArxivError, match="empty arXiv query"):
        list(client.search(ArxivQuery()))
    assert server.api_requests == []


# --- ids ---------------------------------------------------------------------------------------------


def test_fetch_batches_ids_by_100_and_keeps_the_order_asked(tmp_path: Path) -> None:
    entries = make_entries(150, first_id="2502.00001")
    with FakeArxivServer(entries) as fake:
        ids = [e.arxiv_id for e in entries]
        random.Random(7).shuffle(ids)
        client = ArxivClient(settings_for(fake, tmp_path))
        found = client.fetch(ids)
        assert [e.arxiv_id for e in found] == ids
        batches = [r.query["id_list"].split(",") for r in fake.api_requests]
        assert [len(b) for b in batches] == [100, 50]
        assert batches[0] + batches[1] == ids


def test_lookup_reports_unknown_and_malformed_ids(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    entries, problems = client.lookup(["2501.00002v1", "abc", "2501.99999", "arXiv:2501.00004", "2501.00002v1"])
    assert [e.versioned_id for e in entries] == ["2501.00002v1", "2501.00004v1"]
    assert problems[0][0] == "abc" and "not an arXiv id" in problems[0][1]
    assert problems[1] == ("2501.99999", "arXiv has no paper 2501.99999: check the id")
    assert [r.query["id_list"] for r in server.api_requests] == ["2501.00002v1,2501.99999,2501.00004"]
    assert client.fetch(["abc"]) == []
    assert len(server.api_requests) == 1  # nothing to ask arXiv about


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["2501.00003v1", "2501.00003"], ["2501.00003v1", "2501.00003v2"]),
        (["2501.00003", "2501.00003v1"], ["2501.00003v2", "2501.00003v1"]),
        (["2501.00003v2", "2501.00003", "arXiv:2501.00003v2"], ["2501.00003v2"]),
    ],
)
def test_a_bare_id_is_the_latest_version_and_each_version_comes_once(
    server: FakeArxivServer, tmp_path: Path, ids: list[str], expected: list[str]
) -> None:
    # make_entries: 2501.00003 is at version 2; asking for v1 gets v1
    entries, problems = ArxivClient(settings_for(server, tmp_path)).lookup(ids)
    assert [e.versioned_id for e in entries] == expected
    assert problems == []
    assert len(server.api_requests) == 1


def test_an_id_batch_is_one_page_even_when_arxiv_counts_a_missing_id(server: FakeArxivServer, tmp_path: Path) -> None:
    # arXiv's totals can count an id it has no entry for (arxiv.py issue #82): no page 2 is asked for.
    known = server.find("2501.00001")
    assert known is not None
    server.respond_raw(server.api_feed([known], total=2, start=0, per_page=2, title="id_list"))
    entries, problems = ArxivClient(settings_for(server, tmp_path)).lookup(["2501.00001", "2501.99999"])
    assert [e.arxiv_id for e in entries] == ["2501.00001"]
    assert problems == [("2501.99999", "arXiv has no paper 2501.99999: check the id")]
    assert [r.query["start"] for r in server.api_requests] == ["0"]


def test_an_empty_id_page_that_claims_results_is_asked_once_more(server: FakeArxivServer, tmp_path: Path) -> None:
    server.respond_raw(server.api_feed([], total=1, start=0, per_page=1, title="id_list"), times=2)
    entries, problems = ArxivClient(settings_for(server, tmp_path)).lookup(["2501.99998"])
    assert entries == [] and problems == [("2501.99998", "arXiv has no paper 2501.99998: check the id")]
    assert len(server.api_requests) == 2
    server.respond_raw(server.api_feed([], total=1, start=0, per_page=1, title="id_list"))
    entries, _ = ArxivClient(settings_for(server, tmp_path)).lookup(["2501.00002"])  # sporadic: the retry finds it
    assert [e.arxiv_id for e in entries] == ["2501.00002"]


def test_an_id_arxiv_rejects_is_taken_out_and_the_rest_fetched(server: FakeArxivServer, tmp_path: Path) -> None:
    server.respond_raw(server.error_feed("incorrect id format for 2501.00002"), status=400)
    client = ArxivClient(settings_for(server, tmp_path))
    entries, problems = client.lookup(["2501.00001", "2501.00002", "2501.00003"])
    assert [e.arxiv_id for e in entries] == ["2501.00001", "2501.00003"]
    assert problems == [("2501.00002", "arXiv rejected id 2501.00002: incorrect id format for 2501.00002")]
    assert [(r.query["id_list"], r.status) for r in server.api_requests] == [
        ("2501.00001,2501.00002,2501.00003", 400),
        ("2501.00001,2501.00003", 200),
    ]


def test_a_later_id_batch_that_stays_unavailable_keeps_the_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    entries = make_entries(120, first_id="2502.00001")
    with FakeArxivServer(entries) as fake:
        ids = [e.arxiv_id for e in entries]
        fake.fail("api", 503, times=10, after=1)  # the first batch is answered, then arXiv goes away
        with caplog.at_level(logging.WARNING):
            found, problems = ArxivClient(settings_for(fake, tmp_path, retries=1)).lookup(ids)
        assert [e.arxiv_id for e in found] == ids[:100]
        assert [i for i, _ in problems] == ids[100:]
        assert problems[0][1] == "not fetched: arXiv API unavailable after 2 attempts: HTTP 503; try again later"
        assert "arXiv stopped answering (HTTP 503): 20 of the ids asked were not fetched" in caplog.text
        fake.requests.clear()
        with pytest.raises(ArxivUnavailableError):  # when the first batch fails, nothing was found: fatal
            ArxivClient(settings_for(fake, tmp_path, retries=1)).lookup(ids)


# --- faults ------------------------------------------------------------------------------------------


def test_retries_on_503_with_growing_backoff(server: FakeArxivServer, tmp_path: Path) -> None:
    server.fail("api", 503, times=3)
    client = ArxivClient(settings_for(server, tmp_path, retries=3))
    found = list(client.search(ArxivQuery(text="benchmarks", max_results=2)))
    assert len(found) == 2
    assert [r.status for r in server.api_requests] == [503, 503, 503, 200]
    assert client.calls == 4
    # the third retry waits at least half of base * 2**2
    assert gaps(server)[2] >= DELAY * 2 - 0.01


def test_429_retry_after_is_honoured(server: FakeArxivServer, tmp_path: Path) -> None:
    server.fail("api", 429, retry_after=1)
    client = ArxivClient(settings_for(server, tmp_path))
    assert len(list(client.search(ArxivQuery(text="benchmarks", max_results=1)))) == 1
    assert [r.status for r in server.api_requests] == [429, 200]
    assert gaps(server)[0] >= 0.95


def test_empty_page_mid_way_is_retried(server: FakeArxivServer, tmp_path: Path) -> None:
    server.empty_page(start=5, times=2)
    client = ArxivClient(settings_for(server, tmp_path), page_size=5)
    found = list(client.search(ArxivQuery(text="benchmarks", max_results=12)))
    assert len(found) == 12
    assert [r.query["start"] for r in server.api_requests] == ["0", "5", "5", "5", "10"]


def test_empty_first_page_that_claims_results_is_retried(server: FakeArxivServer, tmp_path: Path) -> None:
    server.empty_page(start=0)
    client = ArxivClient(settings_for(server, tmp_path), page_size=5)
    assert len(list(client.search(ArxivQuery(text="benchmarks", max_results=3)))) == 3
    assert len(server.api_requests) == 2


def test_no_results_is_not_an_error(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    assert list(client.search(ArxivQuery(text="ti:zebrafish"))) == []
    assert len(server.api_requests) == 1


def test_exhausted_retries_raise_arxiv_error(server: FakeArxivServer, tmp_path: Path) -> None:
    server.fail("api", 503, times=10)
    client = ArxivClient(settings_for(server, tmp_path, retries=2))
    with pytest.raises(ArxivError, match=r"unavailable after 3 attempts: HTTP 503; try again later"):
        list(client.search(ArxivQuery(text="benchmarks")))
    assert len(server.api_requests) == 3


def test_a_persistent_empty_first_page_gives_up(server: FakeArxivServer, tmp_path: Path) -> None:
    server.empty_page(start=0, times=10)
    client = ArxivClient(settings_for(server, tmp_path, retries=1), page_size=5)
    with pytest.raises(ArxivUnavailableError, match="after 2 attempts: empty page at start=0"):
        list(client.search(ArxivQuery(text="benchmarks", max_results=10)))


@pytest.mark.parametrize("fault", ["empty", "503"])
def test_a_later_page_that_stays_empty_or_down_keeps_what_was_found(
    server: FakeArxivServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    client = ArxivClient(settings_for(server, tmp_path, retries=1), page_size=5)
    query = ArxivQuery(text="benchmarks", max_results=10)
    results = client.search(query)
    first = [next(results) for _ in range(5)]  # page 1 read...
    if fault == "empty":
        server.empty_page(start=5, times=10)
    else:
        server.fail("api", 503, times=10)
    with caplog.at_level(logging.WARNING):
        rest = list(results)  # ...page 2 never comes
    assert len(first) == 5 and rest == []
    reason = "empty page at start=5" if fault == "empty" else "HTTP 503"
    assert f"arXiv stopped answering after the first 5 results ({reason}, 2 attempts): going on with the 5" in (
        caplog.text
    )
    assert len(server.api_requests) == 3
    server._state.faults.clear()
    server.empty_page(start=5, times=10)
    assert len(client.find(query)[0]) == 5  # find keeps page 1 as well


def test_a_body_cut_mid_transfer_is_retried(server: FakeArxivServer, tmp_path: Path) -> None:
    server.truncate_api(times=1)
    client = ArxivClient(settings_for(server, tmp_path, retries=2))
    assert len(list(client.search(ArxivQuery(text="benchmarks", max_results=3)))) == 3
    assert client.calls == 2
    server.truncate_api(times=10)
    with pytest.raises(ArxivUnavailableError, match=r"after 3 attempts: the answer was cut off mid-transfer"):
        list(client.search(ArxivQuery(text="benchmarks", max_results=3)))


def test_a_request_that_cannot_be_made_is_one_arxiv_error(tmp_path: Path) -> None:
    settings = Settings(arxiv_api_url="http://127.0.0.1:99999/api/query", arxiv_delay=0.0, arxiv_retries=3)
    client = ArxivClient(settings.arxiv)
    with pytest.raises(ArxivError, match=r"^arXiv API request failed \(InvalidURL: .*check the arxiv_api_url setting"):
        list(client.search(ArxivQuery(text="x")))
    assert client.calls == 1  # not retried: it would fail the same way


def test_connection_errors_are_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(arxiv_api_url=f"http://127.0.0.1:{port}/api/query", arxiv_delay=0.05, arxiv_retries=1)
    with pytest.raises(ArxivError, match="after 2 attempts: connection failed"):
        list(ArxivClient(settings.arxiv).search(ArxivQuery(text="x")))


def test_arxiv_error_feed_gives_arxivs_message_without_retrying(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    with pytest.raises(ArxivRejectedError, match="arXiv rejected the query: malformed query") as err:
        list(client.search(ArxivQuery(text="(ti:unclosed")))
    assert err.value.message.startswith("malformed query")
    assert [r.status for r in server.api_requests] == [400]


# --- the recorded feeds -----------------------------------------------------------------------------


@pytest.mark.corpus
def test_recorded_legacy_feeds_read_through_the_client(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    server.respond_raw(atom_file("arxiv_legacy_id_list_1111.2011v2.xml"))
    (entry,) = client.fetch(["1111.2011v2"])
    assert (entry.arxiv_id, entry.version) == ("1111.2011", 2)
    assert entry.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert entry.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert entry.abstract.startswith("Theoretical description of anisotropic systems, such as layered superconductors")
    assert "\n" not in entry.abstract and "  " not in entry.abstract
    assert entry.doi == "10.1103/PhysRevB.85.115117"
    assert entry.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert entry.comment == "8 pages, 3 figures. Published version"
    assert entry.pdf_url == "https://arxiv.org/pdf/1111.2011v2"
    assert entry.published is not None and entry.published.year == 2011

    server.respond_raw(atom_file("arxiv_legacy_search_au_del_maestro_AND_ti_checkerboard.xml"))
    (old,) = client.search(ArxivQuery(text="au:del_maestro AND ti:checkerboard"))
    assert (old.arxiv_id, old.version) == ("cond-mat/0603029", 1)
    assert old.primary_category == "cond-mat.str-el"
    assert old.categories == ["cond-mat.str-el", "cond-mat.supr-con"]


@pytest.mark.corpus
def test_recorded_current_feeds_read_through_the_client(server: FakeArxivServer, tmp_path: Path) -> None:
    client = ArxivClient(settings_for(server, tmp_path))
    server.respond_raw(atom_file("arxiv_2026_id_list_1707.08567.xml"))
    (entry,) = client.fetch(["1707.08567"])
    assert (entry.arxiv_id, entry.version) == ("1707.08567", 1)
    assert len(entry.authors) == 34 and entry.authors[-1] == "Hirosuke Yamamoto"
    assert entry.primary_category == "cs.IT"
    server.respond_raw(atom_file("arxiv_2026_search_all_testing_max10.xml"))
    entries = list(client.search(ArxivQuery(text="all:testing", max_results=10)))
    assert [e.versioned_id for e in entries][:3] == ["2202.12139v1", "2405.13786v1", "2005.14124v2"]
    assert len(entries) == 10
    assert entries[0].doi == "10.1109/ICSTW55395.2022.00035"
    assert [r.status for r in server.api_requests] == [200, 200]


@pytest.mark.corpus
def test_recorded_id_rejection_that_names_no_id_asked_is_fatal(server: FakeArxivServer, tmp_path: Path) -> None:
    server.respond_raw(atom_file("arxiv_2026_error_bad_id_abc_http400.xml"), status=400)
    client = ArxivClient(settings_for(server, tmp_path))
    with pytest.raises(ArxivRejectedError, match=r"^arXiv rejected id abc: incorrect id format for abc$"):
        client.lookup(["2501.00001", "2501.00002"])
    assert len(server.api_requests) == 1


@pytest.mark.corpus
def test_recorded_feeds_served_through_the_client(server: FakeArxivServer, tmp_path: Path) -> None:
    server.respond_raw(atom_file("arxiv_2026_search_all_testing_max10.xml"))
    server.respond_raw(atom_file("arxiv_2026_error_bad_id_abc_http400.xml"), status=400)
    client = ArxivClient(settings_for(server, tmp_path))
    found = list(client.search(ArxivQuery(text="testing", max_results=10)))
    assert len(found) == 10  # totalResults says 214881: max_results stops the paging
    with pytest.raises(ArxivError, match="incorrect id format for abc"):
        list(client.search(ArxivQuery(text="anything")))
    assert [r.status for r in server.api_requests] == [200, 400]
