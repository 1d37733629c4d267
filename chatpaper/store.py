"""SQLite storage: the summary cache shared by every command (and, later, the digest's state).

One file per concern. Schemas are migrated in order through `PRAGMA user_version`, so an old cache
file keeps working after an upgrade. Every write is one transaction: a killed run leaves either the
whole summary or none of it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from chatpaper.errors import ConfigError
from chatpaper.models import PaperSummary


def open_database(path: Path, migrations: Sequence[str]) -> sqlite3.Connection:
    """Open (creating if needed) a SQLite file and apply the migrations it has not seen yet."""
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: worker threads share the connection behind the owner's lock.
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; survives kills
        conn.execute("PRAGMA synchronous=NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(migrations[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path} is not a usable SQLite database ({exc}): move it away or choose another") from None
    except OSError as exc:
        raise ConfigError(f"cannot create {path.parent} ({exc.strerror}): pick another --cache-dir/--state") from None
    return conn


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

    Opened on its own file (`<cache-dir>/summaries.db`), or on the digest's state file through
    `DigestState.summaries`, which carries the same table.
    """

    def __init__(self, path: Path, *, _conn: sqlite3.Connection | None = None) -> None:
        self.path = path.expanduser()
        self._conn = _conn if _conn is not None else open_database(self.path, SUMMARY_MIGRATIONS)
        self._lock = threading.Lock()

    def get(self, key: str) -> PaperSummary | None:
        """The cached summary, or None (also when a stored row no longer validates)."""
        with self._lock:
            row = self._conn.execute("SELECT summary_json FROM summaries WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return PaperSummary.model_validate_json(row[0])
        except ValidationError:
            return None  # written by an older, incompatible version: summarize again

    def put(self, key: str, summary: PaperSummary) -> None:
        identity, model, language, prompt_version = key.split("|", 3)
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO summaries (key, identity, model, language, prompt_version, summary_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, identity, model, language, prompt_version, summary.model_dump_json()),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
