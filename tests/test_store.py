"""The summary cache: round trip, identity, survival across reopen, old rows ignored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chatpaper.models import PaperSummary, SummaryMeta, SummaryPoints
from chatpaper.store import SummaryCache, cache_key


def make_summary(title: str = "A Paper") -> PaperSummary:
    return PaperSummary(
        title=title,
        title_translated=None,
        authors=["Ada Lovelace"],
        first_author_affiliation=None,
        keywords=["engines"],
        code_url=None,
        summary=SummaryPoints(background="b", prior_work="p", method="m", results="r"),
        meta=SummaryMeta(
            source="a.pdf",
            sha256="0" * 64,
            backend="extractive",
            model="extractive",
            language="en",
            prompt_version="extractive-1",
        ),
    )


def test_round_trip_and_reopen(tmp_path: Path) -> None:
    key = cache_key("0" * 64, "gpt-4o-mini", "en", "p1")
    cache = SummaryCache(tmp_path / "cache" / "summaries.db")
    assert cache.get(key) is None
    cache.put(key, make_summary())
    cache.close()
    again = SummaryCache(tmp_path / "cache" / "summaries.db")
    assert again.get(key) == make_summary().model_copy(update={"meta": again.get(key).meta})
    assert again.get(cache_key("0" * 64, "gpt-4o-mini", "zh", "p1")) is None


def test_row_from_an_incompatible_version_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "summaries.db"
    cache = SummaryCache(path)
    key = cache_key("id", "m", "en", "p")
    cache.put(key, make_summary())
    cache.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE summaries SET summary_json = '{\"title\": 1}'")
    assert SummaryCache(path).get(key) is None
