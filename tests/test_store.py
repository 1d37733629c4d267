"""The summary cache: round trip, identity, survival across reopen, old rows ignored, damaged or unwritable files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

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


def filled_cache(path: Path, n: int = 3) -> list[str]:
    """A cache file holding `n` summaries, closed; returns their keys."""
    cache = SummaryCache(path)
    keys = [cache_key(f"{i:064d}", "m", "en", "p") for i in range(n)]
    for i, key in enumerate(keys):
        cache.put(key, make_summary(f"Paper {i}"))
    cache.close()
    return keys


def damage(path: Path, offset: int, length: int, byte: bytes) -> bytes:
    """Overwrite `length` bytes from `offset` (the 100-byte header is left whole from offset 100 on)."""
    data = bytearray(path.read_bytes())
    end = min(len(data), offset + length)
    data[offset:end] = byte * (end - offset)
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.mark.parametrize(
    ("offset", "length", "byte"),
    [(100, 4000, b"\xff"), (4096, 4096, b"\x13"), (8192, 1 << 20, b"\x00"), (16, 84, b"\x00")],
    ids=["first-page-after-header", "second-page", "every-later-page", "header-fields"],
)
def test_a_damaged_cache_is_set_aside_and_a_new_one_started(
    tmp_path: Path, offset: int, length: int, byte: bytes
) -> None:
    path = tmp_path / "summaries.db"
    keys = filled_cache(path, 40)  # several pages
    damaged = damage(path, offset, length, byte)
    cache = SummaryCache(path)
    assert len(cache.warnings) == 1
    warning = cache.warnings[0]
    assert warning.startswith(f"summary cache {path} is damaged (") and "\n" not in warning
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("summaries.db.corrupt-")]
    assert len(aside) == 1 and f"moved to {aside[0].name}, a new one is started" in warning
    assert aside[0].read_bytes() == damaged  # kept for a look, untouched
    assert cache.get(keys[0]) is None
    cache.put(keys[0], make_summary("Again"))
    cache.close()
    again = SummaryCache(path)  # a nightly job's next run: no warning, the new summary there
    assert again.warnings == []
    found = again.get(keys[0])
    assert found is not None and found.title == "Again"


def test_damage_found_mid_run_starts_a_new_cache(tmp_path: Path) -> None:
    path = tmp_path / "summaries.db"
    keys = filled_cache(path, 40)
    cache = SummaryCache(path)
    assert cache.warnings == [] and cache.get(keys[0]) is not None
    # Another run writes (so this one rereads the file), then the file is damaged under both.
    with sqlite3.connect(path) as other:
        other.execute("UPDATE summaries SET created = 'x'")
    other.close()
    with sqlite3.connect(path) as other:
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    other.close()
    damage(path, 4096, 1 << 20, b"\x13")
    assert cache.get(keys[1]) is None
    assert (
        len(cache.warnings) == 1 and "is damaged" in cache.warnings[0] and "a new one is started" in cache.warnings[0]
    )
    cache.put(keys[1], make_summary("Fresh"))
    found = cache.get(keys[1])
    assert found is not None and found.title == "Fresh"
    cache.close()


def test_a_cache_that_refuses_writes_warns_once_and_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "summaries.db"
    keys = filled_cache(path, 2)
    with sqlite3.connect(path) as conn:  # every write fails, as on a full disk (root ignores chmod)
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON summaries BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    conn.close()
    cache = SummaryCache(path)
    for n in range(3):
        cache.put(cache_key(f"new{n}", "m", "en", "p"), make_summary())  # never raises
    assert len(cache.warnings) == 1
    assert cache.warnings[0].startswith(f"summary cache {path} could not be updated (database or disk is full)")
    assert cache.get(keys[0]) is not None  # what it holds is still read


def test_a_cache_folder_that_cannot_be_made_gives_a_memory_cache(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the --cache-dir folder should be", encoding="utf-8")
    cache = SummaryCache(tmp_path / "cache" / "summaries.db")
    assert len(cache.warnings) == 1
    warning = cache.warnings[0]
    assert warning.startswith(f"summary cache not used: cannot create {tmp_path / 'cache'} (")
    assert "choose another --cache-dir" in warning and warning.endswith("in memory only")
    key = cache_key("x", "m", "en", "p")
    cache.put(key, make_summary())
    assert cache.get(key) is not None  # works for this run
