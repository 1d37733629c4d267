"""The digest's SQLite state: migrations next to the summary cache, day plans, statuses, runs, a damaged file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatpaper.digest_state import DigestDay, DigestState, Pick, SourceCounts
from chatpaper.errors import CorruptStoreError
from chatpaper.models import ArxivEntry
from chatpaper.store import SummaryCache, cache_key
from tests.test_store import damage, make_summary


def entry(number: int, version: int = 1) -> ArxivEntry:
    return ArxivEntry(arxiv_id=f"2508.{number:05d}", version=version, title=f"Paper {number}", categories=["cs.CL"])


def info(day: str, announced: int = 3) -> DigestDay:
    return DigestDay(day=day, source="feed", categories=("cs.CL",), topics=("cs.CL",), announced=announced, matched=2)


def test_state_file_carries_the_summary_table(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.db"
    state = DigestState(path)
    key = cache_key("2508.00001v1", "m", "en", "p")
    state.summaries.put(key, make_summary())
    state.close()
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"summaries", "papers", "days", "digest_items", "runs", "deliveries"} <= tables
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    # The same file still works as a plain summary cache, and as state again.
    assert SummaryCache(path).get(key) is not None
    assert DigestState(path).summaries.get(key) is not None


def test_an_old_summary_cache_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "summaries.db"
    cache = SummaryCache(path)
    cache.put("k|m|en|p", make_summary())
    cache.close()
    state = DigestState(path)
    assert state.summaries.get("k|m|en|p") is not None
    assert state.papers() == []


def test_plan_mark_and_replan(tmp_path: Path) -> None:
    state = DigestState(tmp_path / "state.db")
    a, b, c = entry(1), entry(2), entry(3)
    state.plan_day(info("2025-08-20"), [a, b, c], [Pick(a, "cs.CL", 2.0, ("rag",)), Pick(b, "cs.CL", 1.0)])
    assert state.paper(c).status == "seen"
    assert [p.pick.entry.arxiv_id for p in state.page("2025-08-20")] == [a.arxiv_id, b.arxiv_id]
    assert {p.paper.status for p in state.page("2025-08-20")} == {"pending"}
    state.mark_done(a, "key-a")
    state.mark_failed(b, "timed out")
    page = state.page("2025-08-20")
    assert (page[0].paper.status, page[0].paper.summary_key, page[0].pick.matched) == ("done", "key-a", ("rag",))
    assert (page[1].paper.status, page[1].paper.reason, page[1].paper.attempts) == ("failed", "timed out", 1)

    # The next day carries the failed paper; re-planning that day keeps it even once it is done.
    d = entry(4)
    state.plan_day(info("2025-08-21"), [d], [Pick(d, "cs.CL", 1.0), Pick(b, "cs.CL", 1.0, carried_from="2025-08-20")])
    assert state.paper(b).day == "2025-08-20"
    state.mark_done(b, "key-b")
    state.plan_day(info("2025-08-21"), [d], [Pick(d, "cs.CL", 1.0)])
    page = state.page("2025-08-21")
    assert [(p.pick.entry.arxiv_id, p.pick.carried_from, p.paper.status) for p in page] == [
        (d.arxiv_id, None, "pending"),
        (b.arxiv_id, "2025-08-20", "done"),
    ]
    # A day re-planned without a paper it had picked stops retrying it.
    state.plan_day(info("2025-08-21"), [d], [])
    assert state.paper(d).status == "seen"
    assert [p.pick.entry.arxiv_id for p in state.page("2025-08-21")] == [b.arxiv_id]
    assert [d.day for d in state.days()] == ["2025-08-21", "2025-08-20"]
    assert state.day("2025-08-20") == info("2025-08-20")


def test_done_papers_keep_their_metadata_and_versions_are_distinct(tmp_path: Path) -> None:
    state = DigestState(tmp_path / "state.db")
    a = entry(1)
    state.plan_day(info("2025-08-20"), [a], [Pick(a, "cs.CL", 1.0)])
    state.mark_done(a, "key-a")
    renamed = a.model_copy(update={"title": "Renamed"})
    state.plan_day(info("2025-08-21"), [renamed, entry(1, version=2)], [])
    assert state.paper(a).entry.title == "Paper 1"
    assert state.paper(a).status == "done"
    assert state.paper(entry(1, version=2)).status == "seen"


def test_runs_left_running_are_marked_interrupted(tmp_path: Path) -> None:
    state = DigestState(tmp_path / "state.db")
    first = state.begin_run("feed", ["2025-08-20"])
    second = state.begin_run("feed", ["2025-08-20"])
    state.finish_run(
        second, status="ok", summarized=2, failed=0, calls=2, prompt_tokens=10, completion_tokens=5, cost_usd=None
    )
    runs = {r["id"]: r for r in state.runs()}
    assert runs[first]["status"] == "interrupted"
    assert runs[second]["status"] == "ok" and runs[second]["summarized"] == 2 and runs[second]["finished"]
    assert runs[second]["days"] == "2025-08-20"


def test_a_replan_never_drops_a_done_paper(tmp_path: Path) -> None:
    state = DigestState(tmp_path / "state.db")
    a, b = entry(1), entry(2)
    state.plan_day(info("2025-08-20"), [a, b], [Pick(a, "cs.CL", 2.0), Pick(b, "cs.CL", 1.0)])
    state.mark_done(a, "key-a")
    state.plan_day(info("2025-08-20", announced=0), [], [])  # e.g. an empty feed, planned without it
    page = state.page("2025-08-20")
    assert [(p.pick.entry.arxiv_id, p.paper.status) for p in page] == [(a.arxiv_id, "done")]
    assert state.paper(b).status == "seen" and state.paper(b).day is None  # unfinished: it stops waiting


def test_listed_days_span_versions_and_carried_pages(tmp_path: Path) -> None:
    state = DigestState(tmp_path / "state.db")
    a = entry(1)
    state.plan_day(info("2025-08-20"), [a], [Pick(a, "cs.CL", 1.0)])
    state.plan_day(info("2025-08-21"), [], [Pick(a, "cs.CL", 1.0, carried_from="2025-08-20")])
    assert state.listed_days("2508.00001") == ["2025-08-20", "2025-08-21"]
    state.plan_day(info("2025-08-22"), [entry(1, version=2)], [])  # seen in another version, not picked
    assert state.listed_days("2508.00001") == ["2025-08-20", "2025-08-21"]
    assert state.listed_days("2508.00009") == []


def test_counts_per_source_and_deliveries_round_trip(tmp_path: Path) -> None:
    state = DigestState(tmp_path / "state.db")
    counts = (
        SourceCounts("feed", (("new", 2), ("cross", 5)), matched=3, size=9),
        SourceCounts("api", (("submitted", 4),), matched=1, size=6),
    )
    day = DigestDay("2025-08-20", "feed", ("cs.AI",), ("cs.AI",), announced=11, matched=4, counts=counts)
    state.plan_day(day, [], [])
    assert state.day("2025-08-20") == day
    assert state.delivered("2025-08-20", "me@example.org") is None
    state.record_delivery("2025-08-20", "me@example.org", "abc")
    state.record_delivery("2025-08-20", "me@example.org", "def")
    assert state.delivered("2025-08-20", "me@example.org") == "def"
    assert state.delivered("2025-08-20", "you@example.org") is None


def test_a_damaged_digest_state_is_one_error_not_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    DigestState(path).close()
    damage(path, 100, 4000, b"\xff")
    with pytest.raises(CorruptStoreError) as caught:
        DigestState(path)
    assert str(caught.value).startswith(f"{path} is damaged (")
    assert [p.name for p in tmp_path.iterdir()] == ["state.db"]  # the state decides: nothing moved here
