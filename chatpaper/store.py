"""SQLite storage: the summary cache shared by every command, and the digest's state.

One file per concern. Schemas are migrated in order through `PRAGMA user_version`, so an old cache
file keeps working after an upgrade. Every write is one transaction: a killed run leaves either the
whole summary or none of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import ValidationError

from chatpaper.errors import CorruptStoreError, StoreError, describe_os_error
from chatpaper.models import ArxivEntry, PaperSummary

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
    `DigestState.summaries`, which carries the same table. Its own file is only a cache, so no
    problem with it stops a run: a damaged file is set aside (`set_aside`) and a new one started, one
    that cannot be opened or written is replaced by a memory cache for the run or not updated; each
    is said once in `warnings`. On the state file, errors are the state's: StoreError.
    """

    def __init__(self, path: Path, *, _conn: sqlite3.Connection | None = None) -> None:
        self.path = path.expanduser()
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self._owned = _conn is None
        self._conn = _conn if _conn is not None else self._open()

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
        if not self._owned:
            raise store_error(self.path, exc, "--state") from None
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


# --- the digest's state ------------------------------------------------------------------------

# The state file carries the summaries table too (so a same-day re-run needs no LLM and no second
# file), created by the same first migration as a plain summary cache. Append new steps only:
# the position of a script in this list is its `user_version`.
DIGEST_MIGRATIONS = [
    SUMMARY_MIGRATIONS[0],
    """
    CREATE TABLE papers (
        arxiv_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('seen', 'pending', 'done', 'failed')),
        day TEXT,
        entry_json TEXT NOT NULL,
        summary_key TEXT,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (arxiv_id, version)
    );
    CREATE INDEX papers_status ON papers(status);
    CREATE TABLE days (
        day TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        categories TEXT NOT NULL,
        topics TEXT NOT NULL,
        announced INTEGER NOT NULL,
        matched INTEGER NOT NULL
    );
    CREATE TABLE digest_items (
        day TEXT NOT NULL,
        arxiv_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        topic TEXT NOT NULL,
        score REAL NOT NULL,
        matched TEXT NOT NULL,
        position INTEGER NOT NULL,
        carried_from TEXT,
        PRIMARY KEY (day, arxiv_id, version)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        finished TEXT,
        mode TEXT NOT NULL,
        days TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'running',
        summarized INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        calls INTEGER NOT NULL DEFAULT 0,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL
    )
    """,
    # A page can merge several plans (tonight's feed, then a backfill of the same day): each day keeps
    # its counts per source; deliveries remember what was e-mailed so an unchanged page is not sent twice.
    """
    ALTER TABLE days ADD COLUMN counts TEXT;
    CREATE TABLE deliveries (
        day TEXT NOT NULL,
        recipients TEXT NOT NULL,
        page_sha256 TEXT NOT NULL,
        sent TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (day, recipients)
    )
    """,
]

PaperStatus = Literal["seen", "pending", "done", "failed"]


@dataclass(frozen=True)
class SeenPaper:
    """One paper version the digest has met: when, and how far it got."""

    entry: ArxivEntry
    first_seen: str
    status: PaperStatus
    day: str | None = None  # the page it was first picked for
    summary_key: str | None = None
    reason: str | None = None
    attempts: int = 0


Source = Literal["feed", "api"]


@dataclass(frozen=True)
class Pick:
    """A paper chosen for a day's page, with why it ranked where it did."""

    entry: ArxivEntry
    topic: str
    score: float
    matched: tuple[str, ...] = ()
    carried_from: str | None = None  # the earlier day of a paper retried on this page


@dataclass(frozen=True)
class SourceCounts:
    """What one source gave a day: candidates by kind ("new", "cross" | "submitted"), how many
    matched, and `size`, the source's raw answer (every listing), to tell a short stale feed."""

    source: Source
    kinds: tuple[tuple[str, int], ...]
    matched: int
    size: int

    @property
    def total(self) -> int:
        return sum(n for _, n in self.kinds)


@dataclass(frozen=True)
class DigestDay:
    """What a day's page header says: where the papers came from and how many there were.

    `source` is the source the page was first built from; `counts` has one entry per source that
    planned the day (empty for days recorded before counts were kept).
    """

    day: str
    source: Source
    categories: tuple[str, ...]
    topics: tuple[str, ...]
    announced: int
    matched: int
    counts: tuple[SourceCounts, ...] = ()


@dataclass(frozen=True)
class PageEntry:
    """A paper on a day's page joined with its current status."""

    pick: Pick
    paper: SeenPaper


def _version(entry: ArxivEntry) -> int:
    return entry.version or 0  # 0: unknown (SQLite primary keys treat NULLs as distinct)


class DigestState:
    """The digest's SQLite state: papers seen, day pages, runs, and the summary cache (`.summaries`).

    Every change is one transaction, so a killed run leaves each paper either finished or still
    pending; pending and failed papers are picked up by the next run.
    """

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser()
        conn = open_database(self.path, DIGEST_MIGRATIONS, setting="--state")
        self.summaries = SummaryCache(self.path, _conn=conn)
        self._conn = conn
        # One lock for the shared connection, so a cache write never lands inside our transaction.
        self._lock = self.summaries._lock

    @contextlib.contextmanager
    def _sql(self) -> Iterator[None]:
        """Holds the connection's lock; a SQLite failure inside is a StoreError naming the state file."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise store_error(self.path, exc, "--state") from None

    # --- runs

    def begin_run(self, mode: str, days: Sequence[str]) -> int:
        """Record a run; runs left 'running' by a killed process are marked 'interrupted'."""
        with self._sql():
            self._conn.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cursor = self._conn.execute("INSERT INTO runs (mode, days) VALUES (?, ?)", (mode, ",".join(days)))
            return int(cursor.lastrowid or 0)

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        summarized: int,
        failed: int,
        calls: int,
        prompt_tokens: int,
        completion_tokens: int,
        cost_usd: float | None,
        days: Sequence[str] = (),
    ) -> None:
        """Record how a run ended and the days it built (known only once the feed has been read)."""
        with self._sql():
            self._conn.execute(
                "UPDATE runs SET finished = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), status = ?, summarized = ?,"
                " failed = ?, calls = ?, prompt_tokens = ?, completion_tokens = ?, cost_usd = ?,"
                " days = CASE WHEN ? = '' THEN days ELSE ? END WHERE id = ?",
                (
                    status,
                    summarized,
                    failed,
                    calls,
                    prompt_tokens,
                    completion_tokens,
                    cost_usd,
                    ",".join(days),
                    ",".join(days),
                    run_id,
                ),
            )

    def runs(self) -> list[dict[str, object]]:
        """Every run, oldest first, as column -> value."""
        with self._sql():
            cursor = self._conn.execute("SELECT * FROM runs ORDER BY id")
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # --- papers

    def _row_to_paper(self, row: Sequence[object]) -> SeenPaper:
        entry_json, first_seen, status, day, summary_key, reason, attempts = row
        return SeenPaper(
            entry=ArxivEntry.model_validate_json(str(entry_json)),
            first_seen=str(first_seen),
            status=status,  # type: ignore[arg-type]
            day=day,  # type: ignore[arg-type]
            summary_key=summary_key,  # type: ignore[arg-type]
            reason=reason,  # type: ignore[arg-type]
            attempts=int(attempts),  # type: ignore[call-overload]
        )

    _PAPER_COLUMNS = "entry_json, first_seen, status, day, summary_key, reason, attempts"

    def paper(self, entry: ArxivEntry) -> SeenPaper | None:
        """What the state knows about this paper version, or None."""
        with self._sql():
            row = self._conn.execute(
                f"SELECT {self._PAPER_COLUMNS} FROM papers WHERE arxiv_id = ? AND version = ?",
                (entry.arxiv_id, _version(entry)),
            ).fetchone()
        return self._row_to_paper(row) if row else None

    def listed_days(self, arxiv_id: str) -> list[str]:
        """Every day whose page lists this paper, in any version, carried or not, plus the day it was
        first picked for (oldest first)."""
        with self._sql():
            rows = self._conn.execute(
                "SELECT day FROM digest_items WHERE arxiv_id = ?"
                " UNION SELECT day FROM papers WHERE arxiv_id = ? AND day IS NOT NULL ORDER BY 1",
                (arxiv_id, arxiv_id),
            ).fetchall()
        return [row[0] for row in rows]

    def papers(self, statuses: Sequence[PaperStatus] | None = None) -> list[SeenPaper]:
        """Papers with one of `statuses` (all when None), by first page day then id."""
        query = f"SELECT {self._PAPER_COLUMNS} FROM papers"
        args: tuple[str, ...] = ()
        if statuses:
            query += f" WHERE status IN ({','.join('?' * len(statuses))})"
            args = tuple(statuses)
        with self._sql():
            rows = self._conn.execute(query + " ORDER BY day, arxiv_id, version", args).fetchall()
        return [self._row_to_paper(row) for row in rows]

    def plan_day(self, info: DigestDay, seen: Sequence[ArxivEntry], picks: Sequence[Pick]) -> None:
        """Record a day's candidates and its page in one transaction.

        Every entry in `seen` is remembered; `picks` become the page in order (the day's own picks
        and papers carried onto it). Papers carried onto the day earlier stay. An own pick missing
        from `picks` leaves the page and stops waiting for a retry, unless its paper is done: a
        summarized paper never leaves its page (else it would be done, with that day, and never
        shown again). A picked paper that is not done becomes pending.
        """
        day = info.day
        counts = [
            {"source": c.source, "kinds": dict(c.kinds), "matched": c.matched, "size": c.size} for c in info.counts
        ]
        with self._sql():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO days (day, source, categories, topics, announced, matched, counts)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        day,
                        info.source,
                        json.dumps(info.categories),
                        json.dumps(info.topics),
                        info.announced,
                        info.matched,
                        json.dumps(counts) if counts else None,
                    ),
                )
                for entry in [*seen, *(p.entry for p in picks)]:
                    self._conn.execute(
                        "INSERT INTO papers (arxiv_id, version, first_seen, status, entry_json)"
                        " VALUES (?, ?, ?, 'seen', ?)"
                        " ON CONFLICT (arxiv_id, version) DO UPDATE SET entry_json = excluded.entry_json"
                        " WHERE papers.status != 'done'",
                        (entry.arxiv_id, _version(entry), day, entry.model_dump_json()),
                    )
                kept = {(p.entry.arxiv_id, _version(p.entry)) for p in picks}
                dropped = [
                    (arxiv_id, version)
                    for arxiv_id, version, status in self._conn.execute(
                        "SELECT i.arxiv_id, i.version, p.status FROM digest_items i"
                        " JOIN papers p ON p.arxiv_id = i.arxiv_id AND p.version = i.version"
                        " WHERE i.day = ? AND i.carried_from IS NULL",
                        (day,),
                    ).fetchall()
                    if (arxiv_id, version) not in kept and status != "done"
                ]
                for arxiv_id, version in dropped:
                    self._conn.execute(
                        "DELETE FROM digest_items WHERE day = ? AND arxiv_id = ? AND version = ?",
                        (day, arxiv_id, version),
                    )
                    # The settings changed and the day no longer picks it: it stops waiting for a retry.
                    self._conn.execute(
                        "UPDATE papers SET status = 'seen', day = NULL"
                        " WHERE arxiv_id = ? AND version = ? AND day = ? AND status IN ('pending', 'failed')",
                        (arxiv_id, version, day),
                    )
                for position, pick in enumerate(picks):
                    entry = pick.entry
                    self._conn.execute(
                        "INSERT OR REPLACE INTO digest_items"
                        " (day, arxiv_id, version, topic, score, matched, position, carried_from)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            day,
                            entry.arxiv_id,
                            _version(entry),
                            pick.topic,
                            pick.score,
                            json.dumps(list(pick.matched)),
                            position,
                            pick.carried_from,
                        ),
                    )
                    self._conn.execute(
                        "UPDATE papers SET day = COALESCE(day, ?),"
                        " status = CASE WHEN status = 'done' THEN 'done' WHEN status = 'failed' THEN 'failed'"
                        " ELSE 'pending' END WHERE arxiv_id = ? AND version = ?",
                        (day, entry.arxiv_id, _version(entry)),
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # the error that stopped the transaction says more
                    self._conn.execute("ROLLBACK")
                raise

    def mark_done(self, entry: ArxivEntry, summary_key: str) -> None:
        """The paper's summary is in the cache under `summary_key`."""
        self._set_status(entry, "done", summary_key=summary_key, reason=None)

    def mark_failed(self, entry: ArxivEntry, reason: str, *, attempted: bool = True) -> None:
        """The paper could not be summarized this run (or, `attempted=False`, was never started); the next
        run retries it."""
        self._set_status(entry, "failed", summary_key=None, reason=reason, attempted=attempted)

    def _set_status(
        self, entry: ArxivEntry, status: str, *, summary_key: str | None, reason: str | None, attempted: bool = True
    ) -> None:
        with self._sql():
            self._conn.execute(
                "UPDATE papers SET status = ?, summary_key = COALESCE(?, summary_key), reason = ?,"
                " attempts = attempts + ?, updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                " WHERE arxiv_id = ? AND version = ?",
                (status, summary_key, reason, int(attempted), entry.arxiv_id, _version(entry)),
            )

    # --- pages

    def day(self, day: str) -> DigestDay | None:
        with self._sql():
            row = self._conn.execute(
                "SELECT day, source, categories, topics, announced, matched, counts FROM days WHERE day = ?", (day,)
            ).fetchone()
        if row is None:
            return None
        counts = tuple(
            SourceCounts(
                source=c["source"],
                kinds=tuple((str(k), int(n)) for k, n in c["kinds"].items()),
                matched=int(c["matched"]),
                size=int(c["size"]),
            )
            for c in json.loads(row[6] or "[]")
        )
        return DigestDay(
            day=row[0],
            source=row[1],
            categories=tuple(json.loads(row[2])),
            topics=tuple(json.loads(row[3])),
            announced=row[4],
            matched=row[5],
            counts=counts,
        )

    def days(self) -> list[DigestDay]:
        """Every planned day, newest first."""
        with self._sql():
            names = [r[0] for r in self._conn.execute("SELECT day FROM days ORDER BY day DESC").fetchall()]
        return [d for d in (self.day(name) for name in names) if d is not None]

    def page(self, day: str) -> list[PageEntry]:
        """The papers on a day's page in order (carried papers after the day's own), with their status."""
        with self._sql():
            rows = self._conn.execute(
                "SELECT i.topic, i.score, i.matched, i.carried_from, "
                + ", ".join(f"p.{c.strip()}" for c in self._PAPER_COLUMNS.split(","))
                + " FROM digest_items i JOIN papers p ON p.arxiv_id = i.arxiv_id AND p.version = i.version"
                " WHERE i.day = ? ORDER BY i.carried_from IS NOT NULL, i.position, i.arxiv_id",
                (day,),
            ).fetchall()
        result = []
        for topic, score, matched, carried_from, *paper_row in rows:
            paper = self._row_to_paper(paper_row)
            pick = Pick(
                entry=paper.entry,
                topic=topic,
                score=score,
                matched=tuple(json.loads(matched)),
                carried_from=carried_from,
            )
            result.append(PageEntry(pick=pick, paper=paper))
        return result

    # --- e-mail

    def delivered(self, day: str, recipients: str) -> str | None:
        """The sha256 of the page last e-mailed for `day` to `recipients`, or None."""
        with self._sql():
            row = self._conn.execute(
                "SELECT page_sha256 FROM deliveries WHERE day = ? AND recipients = ?", (day, recipients)
            ).fetchone()
        return row[0] if row else None

    def record_delivery(self, day: str, recipients: str, page_sha256: str) -> None:
        """The page for `day` with this hash reached the SMTP server for `recipients`."""
        with self._sql():
            self._conn.execute(
                "INSERT OR REPLACE INTO deliveries (day, recipients, page_sha256) VALUES (?, ?, ?)",
                (day, recipients, page_sha256),
            )

    def close(self) -> None:
        self.summaries.close()
