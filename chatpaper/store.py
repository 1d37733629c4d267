"""The summary cache shared by every command: validated summaries in SQLite, keyed by paper and recipe.

Every write is one transaction: a killed run leaves either the whole summary or none of it. The
digest keeps the same table in its state file (`digest_state.py`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from chatpaper.database import (
    SharedConnection,
    describe_sqlite_error,
    is_damage,
    open_database,
    set_aside,
    store_error,
)
from chatpaper.errors import CorruptStoreError, StoreError, describe_os_error
from chatpaper.models import PaperSummary


def cache_key(identity: str, model: str, language: str, prompt_version: str) -> str:
    """A summary's identity: the paper (arXiv id+version or PDF sha256) and how it was summarized."""
    return "|".join((identity, model, language, prompt_version))


SUMMARY_MIGRATIONS = [
    """
    CREATE TABLE summaries (
        key TEXT PRIMARY KEY,
        identity TEXT NOT NULL,
        model TEXT NOT NULL,
        language TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        summary_json TEXT NOT NULL,
        created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX summaries_identity ON summaries(identity)
    """,
]


class SummaryCache:
    """Validated summaries keyed by `cache_key`; safe to share between threads.

    Opened on its own file (`<cache-dir>/summaries.db`), or `shared` with the digest's state file
    (`DigestState.summaries`), which carries the same table. Its own file is only a cache, so no
    problem with it stops a run: a damaged file is set aside (`set_aside`) and a new one started, one
    that cannot be opened or written is replaced by a memory cache for the run or not updated; each
    is said once in `warnings`. On the state file, errors are the state's: StoreError.
    """

    def __init__(self, path: Path, *, shared: SharedConnection | None = None) -> None:
        self.path = path.expanduser()
        self.warnings: list[str] = []
        self._shared = shared
        self._lock = shared.lock if shared is not None else threading.Lock()
        self._conn = shared.conn if shared is not None else self._open()

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _open(self) -> sqlite3.Connection:
        try:
            return open_database(self.path, SUMMARY_MIGRATIONS, setting="--cache-dir")
        except CorruptStoreError as exc:
            return self._start_over(str(exc))
        except StoreError as exc:
            return self._in_memory(exc)

    def _in_memory(self, problem: StoreError) -> sqlite3.Connection:
        self._warn(f"summary cache not used: {problem}; this run keeps its summaries in memory only")
        return _memory_cache()

    def _start_over(self, damage: str) -> sqlite3.Connection:
        """A new cache in place of a damaged one; its summaries are simply made again when needed."""
        try:
            aside = set_aside(self.path)
        except OSError as exc:
            reason, advice = describe_os_error(exc)
            return self._in_memory(StoreError(f"{damage} and cannot be moved aside ({reason}): {advice}, or delete it"))
        self._warn(f"summary cache {damage}: moved to {aside.name}, a new one is started")
        try:
            return open_database(self.path, SUMMARY_MIGRATIONS, setting="--cache-dir")
        except StoreError as exc:
            return self._in_memory(exc)

    def _failed(self, exc: sqlite3.Error, doing: str) -> bool:
        """A read or write failed: start over from damage (True), else say so once. On the state
        file the state decides: StoreError."""
        if self._shared is not None:
            raise store_error(self.path, exc, self._shared.setting) from None
        if is_damage(exc):
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = self._start_over(f"{self.path} is damaged ({exc})")
            return True
        reason, advice = describe_sqlite_error(exc)
        self._warn(
            f"summary cache {self.path} could not be {doing} ({reason}): {advice}, or choose another --cache-dir"
        )
        return False

    def get(self, key: str) -> PaperSummary | None:
        """The cached summary, or None (also when a stored row no longer validates, or cannot be read)."""
        with self._lock:
            try:
                row = self._conn.execute("SELECT summary_json FROM summaries WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                self._failed(exc, "read")
                return None
        if row is None:
            return None
        try:
            return PaperSummary.model_validate_json(row[0])
        except ValidationError:
            return None  # written by an older, incompatible version: summarize again

    def put(self, key: str, summary: PaperSummary) -> None:
        identity, model, language, prompt_version = key.split("|", 3)
        row = (key, identity, model, language, prompt_version, summary.model_dump_json())
        insert = (
            "INSERT OR REPLACE INTO summaries (key, identity, model, language, prompt_version, summary_json)"
            " VALUES (?, ?, ?, ?, ?, ?)"
        )
        with self._lock:
            try:
                self._conn.execute(insert, row)
                return
            except sqlite3.Error as exc:
                if not self._failed(exc, "updated"):
                    return
            try:  # into the new file that replaced a damaged one
                self._conn.execute(insert, row)
            except sqlite3.Error as exc:
                self._failed(exc, "updated")

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()


def _memory_cache() -> sqlite3.Connection:
    """A summary cache that lasts one run: what a run uses when its cache file cannot be."""
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    for statement in SUMMARY_MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    return conn


class SummaryStore(Protocol):
    """What the pipeline needs of a summary cache."""

    @property
    def warnings(self) -> list[str]:
        """Problems met with the cache, each once; they never stop a run."""
        ...

    def get(self, key: str) -> PaperSummary | None: ...

    def put(self, key: str, summary: PaperSummary) -> None: ...


class LayeredSummaryCache:
    """Two caches read as one: `own` first, then `shared`; a hit in `shared` is copied into `own`
    and every new summary goes into both.

    The digest keeps its summaries in its state file (a CI job that saves only state.db can still
    rebuild its pages) and shares `<cache-dir>/summaries.db` with `chatpaper run`, so a paper one
    command summarized is not paid for again by the other.
    """

    def __init__(self, own: SummaryCache, shared: SummaryCache) -> None:
        self.own = own
        self.shared = shared

    @property
    def warnings(self) -> list[str]:
        return [*self.own.warnings, *self.shared.warnings]

    def get(self, key: str) -> PaperSummary | None:
        found = self.own.get(key)
        if found is None:
            found = self.shared.get(key)
            if found is not None:
                self.own.put(key, found)
        return found

    def put(self, key: str, summary: PaperSummary) -> None:
        # The shared file first: should the state file fail (a StoreError), the paid summary is kept.
        self.shared.put(key, summary)
        self.own.put(key, summary)
