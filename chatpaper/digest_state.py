"""The digest's SQLite state: papers seen, day pages, runs, deliveries, and the summary cache.

Every change is one transaction, so a killed run leaves each paper either finished or still pending.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from chatpaper.database import SharedConnection, open_database, store_error
from chatpaper.models import ArxivEntry
from chatpaper.ranking import Pick
from chatpaper.store import SUMMARY_MIGRATIONS, SummaryCache

# The option that picks another state file, named in every error about it.
STATE_SETTING = "--state"

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
        shared = SharedConnection(open_database(self.path, DIGEST_MIGRATIONS, setting=STATE_SETTING), STATE_SETTING)
        self.summaries = SummaryCache(self.path, shared=shared)
        self._conn = shared.conn
        self._lock = shared.lock  # the cache's too: a cache write never lands inside our transaction

    @contextlib.contextmanager
    def _sql(self) -> Iterator[None]:
        """Holds the connection's lock; a SQLite failure inside is a StoreError naming the state file."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise store_error(self.path, exc, STATE_SETTING) from None

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
