"""SQLite files: opening one (integrity check, migrations), what a failure tells the user, and
setting a damaged file aside.

Shared by the summary cache (`store.py`) and the digest's state (`digest_state.py`), one file per
concern. Schemas are migrated in order through `PRAGMA user_version`, so an old file keeps working
after an upgrade.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from chatpaper.errors import CorruptStoreError, StoreError, describe_os_error

# SQLite's primary result codes (the low byte of an extended code) that decide what a user is told.
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 8, 10, 11, 13, 14, 26
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def _sqlite_code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF


def is_damage(exc: sqlite3.Error) -> bool:
    """The file is not a database, or pages of it were overwritten: no retry helps."""
    return _sqlite_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def describe_sqlite_error(exc: sqlite3.Error) -> tuple[str, str]:
    """(what SQLite said, what the user can do about it), like `describe_os_error` for files."""
    code = _sqlite_code(exc)
    advice = {
        _SQLITE_READONLY: "check the permissions of the file and its folder",
        _SQLITE_FULL: "free some space",
        _SQLITE_IOERR: "check the disk",
        _SQLITE_CANTOPEN: "check that it is a file in a folder you can write",
        _SQLITE_BUSY: "another program holds it: try again once it is done",
        _SQLITE_LOCKED: "another program holds it: try again once it is done",
    }.get(code, "move it away")
    return str(exc), advice


def store_error(path: Path, exc: sqlite3.Error, setting: str) -> StoreError:
    """One line for a SQLite failure on `path`; `setting` is the option that picks another file."""
    reason, advice = describe_sqlite_error(exc)
    if is_damage(exc):
        return CorruptStoreError(f"{path} is damaged ({reason})")
    return StoreError(f"cannot use {path} ({reason}): {advice}, or choose another {setting}")


def set_aside(path: Path) -> Path:
    """Rename a damaged SQLite file (and its write-ahead log) to `<name>.corrupt-<UTC time>`, so a new
    one can start and the old one can still be examined; returns the new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, aside)
    wal = path.with_name(f"{path.name}-wal")
    if wal.exists():  # pages not yet in the file: they belong to the damaged copy, never to a new one
        os.replace(wal, aside.with_name(f"{aside.name}-wal"))
    path.with_name(f"{path.name}-shm").unlink(missing_ok=True)  # derived from the log; rebuilt on open
    return aside


def open_database(path: Path, migrations: Sequence[str], *, setting: str) -> sqlite3.Connection:
    """Open (creating if needed) a SQLite file, check it is whole and apply the migrations it has not
    seen yet. Raises CorruptStoreError for a damaged file, StoreError for one that cannot be used
    (naming `setting`, the option that picks another)."""
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason, advice = describe_os_error(exc)
        raise StoreError(f"cannot create {path.parent} ({reason}): {advice}, or choose another {setting}") from None
    conn: sqlite3.Connection | None = None
    try:
        # check_same_thread=False: worker threads share the connection behind the owner's lock.
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; survives kills
        conn.execute("PRAGMA synchronous=NORMAL")
        # A file damaged after its header opens fine and fails mid-run, paper after paper: check it
        # whole up front (0.1 s for 20,000 summaries).
        verdict = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if verdict != "ok":
            raise CorruptStoreError(f"{path} is damaged ({verdict.splitlines()[-1].strip()})")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(migrations[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
    except (sqlite3.Error, StoreError) as exc:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        if isinstance(exc, StoreError):
            raise
        raise store_error(path, exc, setting) from None
    return conn


@dataclass(frozen=True)
class SharedConnection:
    """One open SQLite file with two users (the digest state and the summary cache on its file), and the
    lock both hold around every statement, so a cache write never lands inside the state's transaction.
    `setting` is the option that picks another file, for error messages."""

    conn: sqlite3.Connection
    setting: str
    lock: threading.Lock = field(default_factory=threading.Lock)
