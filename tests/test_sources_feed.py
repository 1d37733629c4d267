"""The announcement feed: the real recorded cs.AI feed, and fetching from the fake server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from chatpaper.errors import ArxivError
from chatpaper.settings import ArxivSettings, Settings
from chatpaper.sources.feed import (
    fetch_announcement_feed,
    parse_announcement_feed,
    split_authors,
)
from tests.conftest import CORPUS
from tests.fakes.arxiv_server import FakeArxivServer, make_entries

RSS = CORPUS / "atom" / "arxiv_rss_cs.AI_2025-08-20.xml"


@pytest.fixture
def recorded() -> bytes:
    if not RSS.is_file():
        pytest.skip(f"recorded announcement feed not found at {RSS} (it sits beside the repo in CI)")
    return RSS.read_bytes()


@pytest.mark.corpus
def test_recorded_feed_keeps_new_and_optionally_cross(recorded: bytes) -> None:
    feed = parse_announcement_feed(recorded)
    assert feed.counts == {"cross": 5, "new": 2}
    assert feed.day == date(2025, 8, 20)
    assert [e.versioned_id for e in feed.entries] == ["2508.14001v1", "2508.14002v1"]
    assert all(e.announce_type == "new" for e in feed.entries)

    both = parse_announcement_feed(recorded, cross_lists=True).entries
    assert len(both) == 7
    first = both[0]
    assert (first.arxiv_id, first.version, first.announce_type) == ("2508.13426", 1, "cross")
    assert first.title.startswith("ALIGN: Word Association Learning")
    assert first.authors == ["Chunhua Liu", "Kabir Manandhar Shrestha", "Sukai Huang"]
    assert first.abstract.startswith("As large language models (LLMs) increasingly mediate")
    assert "Announce Type" not in first.abstract
    assert first.categories == ["cs.CL", "cs.AI"] and first.primary_category == "cs.CL"
    assert first.pdf_url == "https://arxiv.org/pdf/2508.13426v1"
    assert first.published is not None and first.published.date() == date(2025, 8, 20)


def test_replacements_are_skipped_and_counted() -> None:
    entries = make_entries(5, categories=["cs.CL"])
    types = ["new", "replace", "cross", "replace-cross", "new"]
    announced = [e.model_copy(update={"announce_type": t}) for e, t in zip(entries, types, strict=True)]
    with FakeArxivServer(announcements=announced) as fake:
        xml = fake.announcement_feed(["cs.CL"])
    feed = parse_announcement_feed(xml, cross_lists=True)
    assert [e.announce_type for e in feed.entries] == ["new", "cross", "new"]
    assert feed.counts == {"new": 2, "replace": 1, "cross": 1, "replace-cross": 1}


@pytest.mark.parametrize(
    ("creator", "names"),
    [
        ("Alice Smith, Bob Jones", ["Alice Smith", "Bob Jones"]),
        ("A. One, B. Two and C. Three", ["A. One", "B. Two", "C. Three"]),
        ("John Smith, Jr., Ann Lee", ["John Smith, Jr.", "Ann Lee"]),
        ("Solo Author", ["Solo Author"]),
        ("", []),
    ],
)
def test_split_authors(creator: str, names: list[str]) -> None:
    assert split_authors(creator) == names


def test_bad_xml_is_an_arxiv_error() -> None:
    with pytest.raises(ArxivError, match="not valid XML"):
        parse_announcement_feed(b"<feed><entry>")
    with pytest.raises(ArxivError, match="not an Atom feed"):
        parse_announcement_feed(b"<rss version='2.0'/>")


# --- fetching -----------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeArxivServer]:
    entries = make_entries(12)  # categories rotate through cs.CL, cs.LG, cs.AI, cs.CV, stat.ML, quant-ph
    with FakeArxivServer(entries) as fake:
        yield fake


def settings_for(server: FakeArxivServer, tmp_path: Path, **kw: float) -> ArxivSettings:
    return Settings(cache_dir=tmp_path, **server.settings_overrides(**kw)).arxiv


def test_fetch_announcements_from_the_fake(server: FakeArxivServer, tmp_path: Path) -> None:
    settings = settings_for(server, tmp_path)
    feed = fetch_announcement_feed(["cs.CL", "cs.LG"], settings, cross_lists=True)
    (request,) = server.rss_requests
    assert request.path == "/atom/cs.CL+cs.LG"
    assert request.user_agent.startswith("chatpaper/")
    assert feed.day == server.announce_day
    primaries = {e.arxiv_id: e.primary_category for e in server.entries}
    assert all((e.announce_type == "new") == (primaries[e.arxiv_id] in {"cs.CL", "cs.LG"}) for e in feed.entries)
    assert all(e.pdf_url and e.pdf_url.startswith(server.base_url + "/pdf/") for e in feed.entries)

    new_only = fetch_announcement_feed(["cs.CL", "cs.LG"], settings).entries
    assert new_only and all(e.announce_type == "new" for e in new_only)
    assert len(new_only) < len(feed.entries)


def test_feed_retries_then_gives_up(server: FakeArxivServer, tmp_path: Path) -> None:
    server.fail("rss", 503, times=1)
    assert fetch_announcement_feed(["cs.CL"], settings_for(server, tmp_path)).entries
    assert [r.status for r in server.rss_requests] == [503, 200]

    server.fail("rss", 502, times=10)
    with pytest.raises(ArxivError, match=r"announcement feed unavailable after 2 attempts: HTTP 502; try again later"):
        fetch_announcement_feed(["cs.CL"], settings_for(server, tmp_path, retries=1))


def test_a_feed_cut_off_mid_transfer_is_retried(server: FakeArxivServer, tmp_path: Path) -> None:
    server.truncate_feed(times=1)
    assert fetch_announcement_feed(["cs.CL"], settings_for(server, tmp_path)).entries
    assert len(server.rss_requests) == 2


def test_bad_categories_are_refused_before_any_request(server: FakeArxivServer, tmp_path: Path) -> None:
    settings = settings_for(server, tmp_path)
    with pytest.raises(ArxivError, match="not an arXiv category"):
        fetch_announcement_feed(["cs.CL", "../etc"], settings)
    with pytest.raises(ArxivError, match="no arXiv categories"):
        fetch_announcement_feed([" "], settings)
    assert server.rss_requests == []


def test_feed_http_error_names_the_url(server: FakeArxivServer, tmp_path: Path) -> None:
    server.fail("rss", 404)
    with pytest.raises(ArxivError, match=r"/atom/cs\.XX answered HTTP 404: check the category names"):
        fetch_announcement_feed(["cs.XX"], settings_for(server, tmp_path))


def _feed(updated: str, *listings: tuple[str, str, str]) -> bytes:
    """A minimal rss.arxiv.org Atom feed: (versioned id, announce type, published) per entry."""
    entries = "".join(
        f"<entry><id>oai:arXiv.org:{vid}</id><title>Paper {vid}</title>"
        f'<link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>'
        f"<summary>arXiv:{vid} Announce Type: {kind} \nAbstract: About {vid}.</summary>"
        f'<category term="cs.CL"/><published>{published}</published>'
        f"<arxiv:announce_type>{kind}</arxiv:announce_type><dc:creator>A. One</dc:creator></entry>"
        for vid, kind, published in listings
    )
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><updated>{updated}</updated>{entries}</feed>'
    ).encode()


@pytest.mark.parametrize(
    ("updated", "published", "day"),
    [
        # Summer (EDT, -04:00) and winter (EST, -05:00): arXiv's midnight, 04:00 or 05:00 UTC.
        ("2025-08-20T04:00:19.866337+00:00", "2025-08-20T00:00:00-04:00", date(2025, 8, 20)),
        ("2025-12-01T05:00:19+00:00", "2025-12-01T00:00:00-05:00", date(2025, 12, 1)),
        # A feed rebuilt late in the evening (already the next day in UTC) still announces its entries' day.
        ("2025-08-21T01:30:00+00:00", "2025-08-20T00:00:00-04:00", date(2025, 8, 20)),
    ],
)
def test_the_day_comes_from_the_feed_without_a_tz_database(
    updated: str, published: str, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zoneinfo

    def no_tz_database(key: str) -> None:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", no_tz_database)  # e.g. a slim container without tzdata
    assert parse_announcement_feed(_feed(updated, ("2508.00001v1", "new", published))).day == day
    # A feed without entries (a weekend) is dated by its own <updated>, arXiv's midnight Eastern.
    assert parse_announcement_feed(_feed(updated)).day == date.fromisoformat(updated[:10])


def test_a_paper_listed_as_cross_and_new_is_new() -> None:
    published = "2025-08-20T00:00:00-04:00"
    xml = _feed(
        "2025-08-20T04:00:19+00:00",
        ("2508.00001v1", "cross", published),
        ("2508.00002v1", "new", published),
        ("2508.00001v1", "new", published),
        ("2508.00002v1", "cross", published),
    )
    feed = parse_announcement_feed(xml, cross_lists=True)
    assert [(e.arxiv_id, e.announce_type) for e in feed.entries] == [("2508.00001", "new"), ("2508.00002", "new")]
