"""The nightly arXiv digest: announcements -> ranked picks -> summaries -> one Markdown page per day.

A run (1) fetches the day's candidates: the announcement feed, or with `date`/`since` the API's
submitted-date window; (2) ranks them against each topic's keywords and keeps the top N that are
on no other day's page (in any version); (3) merges them into the day's page, where a summarized
paper always stays, and records the plan in the state file before any work, so a killed run
leaves pending papers that the next run picks up; (4) summarizes only papers without a summary,
through the pipeline's engine with the summary cache in the state file; (5) renders each page from
the state alone, so an unchanged day re-renders to the same bytes; (6) optionally e-mails the
pages that changed since they were last e-mailed, in one message.

Papers that fail are retried by every later run, listed on their own day's page, and carried onto
the newest page until they succeed; every page listing one is re-rendered when it does.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from chatpaper.atomic import output_folder, write_bytes_atomic, write_text_atomic
from chatpaper.database import set_aside
from chatpaper.digest_state import DigestDay, DigestState, PageEntry, SeenPaper, Source, SourceCounts
from chatpaper.errors import (
    ArxivError,
    ChatpaperError,
    ConfigError,
    CorruptStoreError,
    DeliveryError,
    OutputError,
    StoreError,
    describe_os_error,
)
from chatpaper.figure_cache import FigureCache
from chatpaper.llm import make_backend
from chatpaper.llm.backend import Backend
from chatpaper.locks import lock_holder, try_lock, wait_lock
from chatpaper.models import ArxivEntry, PaperOutcome
from chatpaper.pipeline import summarize_papers
from chatpaper.ranking import Pick, Topic, digest_topics, followed_categories, rank_for_topics, topic_order
from chatpaper.redaction import Redactor
from chatpaper.render import (
    DigestIndexRow,
    DigestPage,
    DigestPaper,
    RunUsage,
    render_bibtex,
    render_digest,
    render_digest_index,
    render_digest_json,
    render_digest_text,
)
from chatpaper.render.digest_html import render_digest_email, render_digest_html, render_digest_index_html
from chatpaper.render.feed import FEED_ENTRIES, FEED_FILE, FeedItem, render_atom_feed
from chatpaper.settings import Settings
from chatpaper.sources.arxiv import ArxivClient, ArxivQuery, arxiv_ref
from chatpaper.sources.feed import fetch_announcement_feed
from chatpaper.store import LayeredSummaryCache, SummaryCache, cache_key

log = logging.getLogger(__name__)

Progress = Callable[[PaperOutcome], None]

# arXiv's API returns at most this many entries for one query; a busy category gets ~400 a day.
WINDOW_MAX_RESULTS = 5000


# --- fetching ------------------------------------------------------------------------------------


@dataclass
class Candidates:
    """One day's candidate papers and where they came from.

    `size` is everything the source answered for the day (every feed listing, replacements too; every
    API entry), whatever the settings keep: a smaller answer than last time is a stale feed.
    """

    day: str
    source: Source
    entries: list[ArxivEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    size: int = 0
    cross_lists: bool = False

    def kinds(self) -> tuple[tuple[str, int], ...]:
        """Candidates by kind for the page header: new and cross announcements, or API papers."""
        if self.source == "api":
            return (("submitted", len(self.entries)),)
        counted = Counter(e.announce_type for e in self.entries)
        kinds = [("new", counted["new"])]
        if self.cross_lists:
            kinds.append(("cross", counted["cross"]))
        return tuple(kinds)


def fetch_feed_day(categories: Sequence[str], settings: Settings, *, today: date) -> Candidates:
    """Tonight's announcements: new (and, with cross-lists, cross) entries, dated by the feed itself."""
    cross_lists = settings.digest.cross_lists
    feed = fetch_announcement_feed(list(categories), settings.arxiv, cross_lists=cross_lists)
    day = feed.day or today
    return Candidates(
        day=day.isoformat(),
        source="feed",
        entries=_unique(feed.entries),
        size=sum(feed.counts.values()),
        cross_lists=cross_lists,
    )


def fetch_window_days(categories: Sequence[str], settings: Settings, *, first: date, last: date) -> list[Candidates]:
    """Papers submitted from `first` to `last` (inclusive), one `Candidates` per day, through the API."""
    query = ArxivQuery(
        categories=list(categories),
        since=first,
        until=last,
        sort="submitted",
        max_results=WINDOW_MAX_RESULTS,
    )
    days = {
        (first + timedelta(days=n)).isoformat(): Candidates((first + timedelta(days=n)).isoformat(), "api")
        for n in range((last - first).days + 1)
    }
    read = 0
    for entry in ArxivClient(settings.arxiv).search(query):
        read += 1
        if entry.published is None:
            continue
        key = entry.published.astimezone(UTC).date().isoformat()
        if key not in days:
            continue
        days[key].size += 1
        if not settings.digest.cross_lists and entry.primary_category not in categories:
            continue  # the API's cat: matches cross-lists too; the feed would have called this one "cross"
        days[key].entries.append(entry)
    result = [Candidates(c.day, c.source, _unique(c.entries), size=c.size) for c in days.values()]
    if read >= WINDOW_MAX_RESULTS:  # newest first: the earliest days are the ones cut short
        result[0].warnings.append(
            f"arXiv returned its limit of {WINDOW_MAX_RESULTS} papers for {first}..{last}; the earliest days may be "
            "incomplete: backfill fewer days at a time (--date)"
        )
    return result


def _unique(entries: Iterable[ArxivEntry]) -> list[ArxivEntry]:
    seen: dict[str, ArxivEntry] = {}
    for entry in entries:
        seen.setdefault(entry.arxiv_id, entry)
    return list(seen.values())


def enrich_metadata(entries: Sequence[ArxivEntry], settings: Settings) -> tuple[list[ArxivEntry], str | None]:
    """arXiv's full metadata (comment, DOI, journal ref) for feed entries, in batched API calls.

    Returns the entries (unchanged where the API had nothing for that version) and a warning when the
    API could not be reached: the feed's own metadata is enough to summarize.
    """
    if not entries:
        return [], None
    try:
        fetched = ArxivClient(settings.arxiv).fetch([e.versioned_id for e in entries])
    except ArxivError as exc:
        return list(entries), f"arXiv metadata not fetched ({exc}); using the feed's"
    by_id = {(e.arxiv_id, e.version): e for e in fetched}
    result = []
    for entry in entries:
        full = by_id.get((entry.arxiv_id, entry.version))
        # The feed's announce type says why the paper is here; the API does not know it.
        result.append(full.model_copy(update={"announce_type": entry.announce_type}) if full else entry)
    return result, None


# --- the run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestPageResult:
    """A page this run wrote."""

    day: str
    markdown: Path
    json: Path
    summarized: int
    unfinished: int
    fresh: bool  # one of the days this run fetched (not an older page re-rendered after a retry)


@dataclass
class DigestResult:
    """What a digest run did: pages written, papers summarized, usage, and what went wrong."""

    pages: list[DigestPageResult]
    outcomes: list[PaperOutcome]
    usage: RunUsage
    index: Path
    stopped: ChatpaperError | None = None
    delivery_error: DeliveryError | None = None
    write_error: OutputError | None = None  # a page or the index could not be written (the state has it all)
    emailed: list[str] = field(default_factory=list)
    email_unchanged: list[str] = field(default_factory=list)  # pages not sent: e-mailed before as they are
    empty_days: list[str] = field(default_factory=list)  # backfilled days arXiv had nothing for: no page
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[PaperOutcome]:
        return [o for o in self.outcomes if o.summary is None]  # failed, not started, or left to another run

    @property
    def unfinished(self) -> int:
        """Papers still not summarized on the pages this run wrote."""
        return sum(p.unfinished for p in self.pages if p.fresh)


def run_digest(
    settings: Settings,
    *,
    date: date | None = None,
    since: date | None = None,
    today: date | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
    on_plan: Callable[[int], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> DigestResult:
    """Build the digest page(s): tonight's feed, or `date` (one day) / `since` (one page per day to
    today) through the API. `on_plan` is told how many papers will be summarized before work starts;
    `progress` is called as each finishes (from worker threads). One run at a time uses a state
    file: another waits for it, and is told who holds it through `on_wait` first.
    """
    if date is not None and since is not None:
        raise ConfigError("give either --date or --since, not both")
    digest = settings.digest
    topics = digest_topics(digest)
    categories = followed_categories(topics)
    today = today or datetime.now(UTC).date()
    for name, value in (("--date", date), ("--since", since)):
        if value is not None and value > today:
            raise ConfigError(f"{name} {value} is in the future (today is {today} UTC): give a past day")

    state_path = digest.state.expanduser()
    with output_folder(digest.out, setting="-o") as out, _holding(state_path, on_wait):
        state, note = _open_state(state_path, out)
        try:
            result = _run(state, settings, topics, categories, date, since, today, backend, progress, on_plan)
        finally:
            state.close()
    result.warnings[:0] = [note] if note else []
    return result


@contextlib.contextmanager
def _holding(state_path: Path, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """The state file's run lock (`<state>.lock`): a second digest on the same state (a cron job and
    a run by hand) waits for the first and then finds its papers done, instead of paying for them
    again and sending a second e-mail."""
    lock_path = state_path.with_name(f"{state_path.name}.lock")
    try:
        state_path.parent.mkdir(parents=True, exist_ok=True)
        lock = try_lock(lock_path)
        if lock is None:
            if on_wait:
                on_wait(lock_holder(lock_path) or "another process")
            lock = wait_lock(lock_path)
    except OSError as exc:
        reason, advice = describe_os_error(exc)
        raise StoreError(f"cannot lock {lock_path} ({reason}): {advice}, or choose another --state") from None
    with lock:
        yield


# A day's page in the digest folder: 2025-08-20.md
_DAY_PAGE = re.compile(r"\A\d{4}-\d{2}-\d{2}\.md\Z")


def _open_state(path: Path, out: Path) -> tuple[DigestState, str | None]:
    """The state file, and a warning when a damaged one was set aside for a new one.

    Only when no page depends on it: the pages and the index are rebuilt from the state, so a new
    state under existing pages would drop them from the index and forget their papers. Then the
    damage is one StoreError saying how to restore.
    """
    try:
        return DigestState(path), None
    except CorruptStoreError as exc:
        if any(_DAY_PAGE.match(p.name) for p in out.iterdir()):
            raise CorruptStoreError(
                f"digest state {exc}: restore it from a backup (the pages in {out} are built from it), "
                "or move it away to start the digest over"
            ) from None
        try:
            aside = set_aside(path)
        except OSError as err:
            reason, advice = describe_os_error(err)
            raise StoreError(f"digest state {exc} and cannot be moved aside ({reason}): {advice}") from None
        note = f"digest state {exc}: moved to {aside.name}, a new one is started (no page in {out} was built from it)"
        return DigestState(path), note


def _run(
    state: DigestState,
    settings: Settings,
    topics: list[Topic],
    categories: list[str],
    day: date | None,
    since: date | None,
    today: date,
    backend: Backend | None,
    progress: Progress | None,
    on_plan: Callable[[int], None] | None,
) -> DigestResult:
    mode = "date" if day else "since" if since else "feed"
    # Reasons and warnings are stored and shown (state, pages, e-mail, stderr): no secret may reach them.
    redact = Redactor.from_settings(settings)
    run_id = state.begin_run(mode, [])
    status = "failed"
    empty_days: list[str] = []
    usage = RunUsage()
    outcomes: list[PaperOutcome] = []
    fetched: list[Candidates] = []
    try:
        if day is not None:
            fetched = fetch_window_days(categories, settings, first=day, last=day)
        elif since is not None:
            fetched, empty_days = _without_empty_days(
                state, fetch_window_days(categories, settings, first=since, last=today)
            )
        else:
            fetched = [fetch_feed_day(categories, settings, today=today)]
        backend = backend or make_backend(settings)
        plan = _plan(state, settings, topics, categories, fetched, backend)
        todo = plan.todo
        if on_plan:
            on_plan(len(todo))

        def finished(outcome: PaperOutcome) -> None:
            _record(state, outcome, redact)
            if progress:
                progress(outcome)

        stopped = None
        batch_warnings: list[str] = []
        if todo:
            refs = [arxiv_ref(e) for e in todo]
            shared = SummaryCache(settings.cache_path / "summaries.db")
            try:
                cache = LayeredSummaryCache(state.summaries, shared)
                batch = summarize_papers(
                    refs, settings, cache=cache, backend=backend, reports_dir=None, progress=finished
                )
            finally:
                shared.close()
            outcomes, usage, stopped, batch_warnings = batch.outcomes, batch.usage, batch.stopped, batch.warnings

        out = settings.digest.out.expanduser()
        fresh_days = [c.day for c in fetched]
        index = out / "index.md"
        pages: list[DigestPageResult] = []
        write_error = None
        figures = FigureCache(settings.cache_path / "figures") if settings.figures else None
        try:
            for d in dict.fromkeys([*fresh_days, *plan.origins]):
                pages.append(_write_page(state, out, d, fresh=d in fresh_days, redact=redact, figures=figures))
            rows = _index_rows(state, out)
            write_text_atomic(index, render_digest_index(rows))
            write_text_atomic(out / "index.html", render_digest_index_html(rows))
            _write_feed(state, out, categories, settings, figures, redact)
        except OutputError as exc:  # every summary is in the state: the next run writes the pages
            write_error = exc
        result = DigestResult(
            pages=pages,
            outcomes=outcomes,
            usage=usage,
            index=index,
            stopped=stopped,
            warnings=[redact(w) for w in [*plan.warnings, *batch_warnings]],
            write_error=write_error,
            empty_days=empty_days,
        )
        if settings.digest.email and write_error is None:
            _send(result, state, settings)
        status = "partial" if result.failed or stopped or result.delivery_error or write_error else "ok"
        return result
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        done = sum(o.status in ("done", "cached") for o in outcomes)
        failed = sum(o.summary is None for o in outcomes)
        state.finish_run(
            run_id,
            status=status,
            summarized=done,
            failed=failed,
            calls=usage.calls,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=usage.cost_usd,
            days=[c.day for c in fetched],
        )


@dataclass
class _Plan:
    todo: list[ArxivEntry]  # papers to summarize this run
    origins: list[str]  # earlier days listing a retried paper (their pages are re-rendered)
    warnings: list[str]


def _plan(
    state: DigestState,
    settings: Settings,
    topics: Sequence[Topic],
    categories: Sequence[str],
    fetched: Sequence[Candidates],
    backend: Backend,
) -> _Plan:
    """Pick each fetched day's papers into its page, carry unfinished ones, and record it all before
    any summarizing."""
    fresh_days = {c.day for c in fetched}
    newest = max(fresh_days)
    retry = [p for p in state.papers(["pending", "failed"]) if p.day and p.day not in fresh_days]
    days: list[tuple[Candidates, int, list[Pick]]] = []
    for candidates in sorted(fetched, key=lambda c: c.day):
        # A paper on another day's page, in any version, is not new: a replacement is not news, and
        # an unfinished one is carried instead.
        eligible = [e for e in candidates.entries if not _listed_elsewhere(state, e, candidates.day)]
        ranked = rank_for_topics(eligible, topics)
        before = _earlier_counts(state.day(candidates.day)).get(candidates.source)
        shrank = before is not None and candidates.size < before.size
        picks = _merge_picks(state.page(candidates.day), ranked, candidates, settings.digest.top, shrank=shrank)
        days.append((candidates, len(ranked), picks))
    needed = [
        p.entry for _, _, picks in days for p in picks if _needs_summary(state, state.paper(p.entry), settings, backend)
    ]

    # Feed entries lack the comment, DOI and journal ref; only papers about to be summarized need
    # them, in one API call per 100 ids. API entries (backfill) are complete already.
    from_feed = {e.arxiv_id for c in fetched if c.source == "feed" for e in c.entries}
    enriched, warning = enrich_metadata([e for e in needed if e.arxiv_id in from_feed], settings)
    full = {e.arxiv_id: e for e in enriched}
    needed = [full.get(e.arxiv_id, e) for e in needed]
    for candidates, matched, picks in days:
        picks = [replace(p, entry=full.get(p.entry.arxiv_id, p.entry)) for p in picks]
        if candidates.day == newest:
            picks += [
                Pick(p.entry, *_original_pick(state, p), carried_from=p.day) for p in retry if p.day and p.day < newest
            ]
        info = _day_info(state.day(candidates.day), candidates, categories, topics, matched)
        state.plan_day(info, candidates.entries, picks)
    # A retried paper may be listed on several pages (its own, and each newest page it was carried
    # onto); once it succeeds every one of them must show it.
    listed = {day for p in retry for day in state.listed_days(p.entry.arxiv_id)}
    return _Plan(
        todo=[*needed, *(p.entry for p in retry)],
        origins=sorted(listed - fresh_days),
        warnings=[w for c in fetched for w in c.warnings] + ([warning] if warning else []),
    )


def _without_empty_days(state: DigestState, fetched: list[Candidates]) -> tuple[list[Candidates], list[str]]:
    """A backfill's days less those arXiv had nothing for (weekends, holidays), which would each be a
    page saying so; and those days. A day that already has a page keeps it, and the newest day stays
    when all are empty, so failed papers still have a page to be carried onto."""
    empty = [c for c in fetched if c.size == 0 and state.day(c.day) is None]
    if len(empty) == len(fetched):
        empty = empty[:-1]
    kept = [c for c in fetched if c not in empty]
    kept[0].warnings[:0] = [w for c in empty for w in c.warnings]
    return kept, [c.day for c in empty]


def _listed_elsewhere(state: DigestState, entry: ArxivEntry, day: str) -> bool:
    return any(listed != day for listed in state.listed_days(entry.arxiv_id))


def _merge_picks(
    page: Sequence[PageEntry], ranked: Sequence[Pick], candidates: Candidates, top: int, *, shrank: bool
) -> list[Pick]:
    """The day's own picks after this plan: what its page already holds, merged with the ranking.

    A summarized paper always stays. An unfinished one stays while the ranking still puts it in the
    top N, or when these candidates do not list it at all (a backfill merged into a feed page, a
    short stale feed); it leaves when the same candidates, ranked again, no longer pick it (the
    keywords changed). The ranking's top N join the page, unless this source answered with less
    than it did before (`shrank`: a stale feed), whose ranking would promote papers the full answer
    ranked lower.
    """
    listed = {e.arxiv_id: e for e in candidates.entries}
    wanted = list(ranked[:top])
    wanted_ids = {p.entry.arxiv_id for p in wanted}
    kept: list[Pick] = []
    for item in page:
        pick, paper = item.pick, item.paper
        if pick.carried_from is not None:
            continue  # carried from an earlier day: planned with the retries
        arxiv_id = pick.entry.arxiv_id
        if paper.status == "done" or arxiv_id in wanted_ids or arxiv_id not in listed:
            fresh = listed.get(arxiv_id)
            entry = fresh if fresh is not None and fresh.version == pick.entry.version else pick.entry
            kept.append(replace(pick, entry=entry))
    on_page = {p.entry.arxiv_id for p in kept} | {i.pick.entry.arxiv_id for i in page if i.pick.carried_from}
    added = [] if shrank else [p for p in wanted if p.entry.arxiv_id not in on_page]
    # Best first, as one ranking would order them; ties keep the page's order, then the ranking's.
    return sorted([*kept, *added], key=lambda p: -p.score)


def _earlier_counts(old: DigestDay | None) -> dict[str, SourceCounts]:
    """The counts per source a day was planned with before (for days recorded before counts per source,
    what its totals said)."""
    if old is None:
        return {}
    if not old.counts:
        kind = "new" if old.source == "feed" else "submitted"
        return {old.source: SourceCounts(old.source, ((kind, old.announced),), old.matched, old.announced)}
    return {c.source: c for c in old.counts}


def _day_info(
    old: DigestDay | None, candidates: Candidates, categories: Sequence[str], topics: Sequence[Topic], matched: int
) -> DigestDay:
    """The day's header facts: this plan's counts beside those of another source that built the page
    before. A source answering with less than last time (an empty or stale feed) keeps its old counts."""
    counts = _earlier_counts(old)
    mine = SourceCounts(candidates.source, candidates.kinds(), matched, candidates.size)
    before = counts.get(candidates.source)
    if before is None or mine.size >= before.size:
        counts[candidates.source] = mine
    ordered = tuple(counts[source] for source in ("feed", "api") if source in counts)
    # A page can hold papers of several runs following different categories or topics: its header
    # lists them all, those of earlier runs first.
    listed_categories, listed_topics = (old.categories, old.topics) if old else ((), ())
    return DigestDay(
        day=candidates.day,
        source=old.source if old else candidates.source,
        categories=tuple(dict.fromkeys([*listed_categories, *categories])),
        topics=tuple(dict.fromkeys([*listed_topics, *topic_order(topics)])),
        announced=sum(c.total for c in ordered),
        matched=sum(c.matched for c in ordered),
        counts=ordered,
    )


def _original_pick(state: DigestState, paper: SeenPaper) -> tuple[str, float, tuple[str, ...]]:
    """A retried paper keeps the topic, score and matched words of the page it was first picked for."""
    for item in state.page(paper.day or ""):
        if item.pick.entry.arxiv_id == paper.entry.arxiv_id and item.pick.carried_from is None:
            return item.pick.topic, item.pick.score, item.pick.matched
    return "Retried", 0.0, ()


def _identity(entry: ArxivEntry) -> str | None:
    return entry.versioned_id if entry.version else None


def _needs_summary(state: DigestState, paper: SeenPaper | None, settings: Settings, backend: Backend) -> bool:
    """True unless the paper is done and a summary for the current model/language/prompt is cached."""
    if paper is None:
        return True
    identity = _identity(paper.entry)
    if identity is None:  # identified by the PDF's hash: only its recorded summary can tell
        return not (paper.status == "done" and paper.summary_key and state.summaries.get(paper.summary_key))
    key = cache_key(identity, backend.model, settings.language, backend.prompt_version)
    if paper.status == "done" and paper.summary_key == key and state.summaries.get(key) is not None:
        return False
    if state.summaries.get(key) is not None:  # summarized before the run that did it was killed
        state.mark_done(paper.entry, key)
        return False
    return True


def _record(state: DigestState, outcome: PaperOutcome, redact: Callable[[str], str]) -> None:
    """Persist one paper's result the moment it finishes, so a killed run keeps it."""
    entry = outcome.arxiv
    if entry is None:
        return
    summary = outcome.summary
    if outcome.status in ("done", "cached", "skipped") and summary is not None:
        meta = summary.meta
        identity = _identity(entry) or meta.sha256 or outcome.source
        state.mark_done(entry, cache_key(identity, meta.model, meta.language, meta.prompt_version))
    elif outcome.status in ("not_started", "skipped"):  # never tried: no attempt to count
        state.mark_failed(entry, redact(outcome.reason or "not started"), attempted=False)
    else:
        state.mark_failed(entry, redact(outcome.reason or "unknown error"))


# --- pages ---------------------------------------------------------------------------------------


def build_page(state: DigestState, day: str, *, redact: Callable[[str], str] | None = None) -> DigestPage:
    """A day's page from the state and the cached summaries (no clock, no network); failure reasons
    pass `redact` (a state written by an older version may hold a secret in one)."""
    redact = redact or Redactor()
    info = state.day(day)
    if info is None:
        raise ConfigError(f"no digest for {day} in {state.path}: run `chatpaper digest --date {day}` first")
    papers = []
    for item in state.page(day):
        paper, pick = item.paper, item.pick
        summary = state.summaries.get(paper.summary_key) if paper.status == "done" and paper.summary_key else None
        papers.append(
            DigestPaper(
                entry=paper.entry,
                topic=pick.topic,
                score=pick.score,
                matched=pick.matched,
                status=paper.status,
                summary=summary,
                reason=redact(paper.reason) if summary is None and paper.reason else None,
                carried_from=pick.carried_from,
                attempts=paper.attempts,
            )
        )
    return DigestPage(
        day=info.day,
        source=info.source,
        categories=info.categories,
        topics=info.topics,
        announced=info.announced,
        matched=info.matched,
        papers=papers,
        kinds={kind: n for counts in info.counts for kind, n in counts.kinds},
    )


# A day's figures, in a folder of their own beside the pages.
FIGURES_FOLDER = "figures"


def _figure_path(entry: ArxivEntry) -> str:
    """Where a paper's Figure-1 PNG goes, relative to the digest folder: figures/2508.00001v1.fig1.png."""
    return f"{FIGURES_FOLDER}/{re.sub(r'[^A-Za-z0-9.]+', '-', entry.versioned_id).strip('-.')}.fig1.png"


def _with_figures(page: DigestPage, out: Path, figures: FigureCache | None) -> DigestPage:
    """The page with each summarized paper's figure, copied from the figure cache into the digest folder
    when it is not there yet; without a figure cache (--no-figures) the page shows none."""
    if figures is None:
        return page
    papers = []
    for paper in page.papers:
        summary = paper.summary
        if summary is not None and summary.figure is not None:
            relative = _figure_path(paper.entry)
            target = out / relative
            if not target.is_file() and (png := figures.get(summary.meta.sha256)) is not None:
                write_bytes_atomic(target, png)
            if target.is_file():
                paper = replace(paper, figure=relative)
        papers.append(paper)
    return replace(page, papers=papers)


def _write_page(
    state: DigestState, out: Path, day: str, *, fresh: bool, redact: Redactor, figures: FigureCache | None
) -> DigestPageResult:
    page = _with_figures(build_page(state, day, redact=redact), out, figures)
    markdown_path, json_path = out / f"{day}.md", out / f"{day}.json"
    write_text_atomic(json_path, render_digest_json(page))
    write_text_atomic(out / f"{day}.bib", render_bibtex([p.summary for p in page.summarized if p.summary]))
    write_text_atomic(out / f"{day}.html", render_digest_html(page))
    write_text_atomic(markdown_path, render_digest(page))
    return DigestPageResult(
        day=day,
        markdown=markdown_path,
        json=json_path,
        summarized=len(page.summarized),
        unfinished=len(page.unfinished),
        fresh=fresh,
    )


def _write_feed(
    state: DigestState,
    out: Path,
    categories: Sequence[str],
    settings: Settings,
    figures: FigureCache | None,
    redact: Redactor,
) -> None:
    """`feed.xml`: the newest summarized papers of the days with a page in `out`, newest day first."""
    items: list[FeedItem] = []
    for info in sorted(state.days(), key=lambda d: d.day, reverse=True):
        if len(items) >= FEED_ENTRIES:
            break
        if not (out / f"{info.day}.md").is_file():
            continue
        page = _with_figures(build_page(state, info.day, redact=redact), out, figures)
        items.extend(FeedItem(info.day, paper) for paper in page.summarized)
    title = f"arXiv digest: {', '.join(categories)}"
    write_text_atomic(out / FEED_FILE, render_atom_feed(items, title=title, site_url=settings.digest.site_url))


def _index_rows(state: DigestState, out: Path) -> list[DigestIndexRow]:
    """Every day with a page in `out`, with its counts from the state."""
    rows = []
    for info in state.days():
        if not (out / f"{info.day}.md").is_file():
            continue
        items = state.page(info.day)
        done = sum(i.paper.status == "done" for i in items)
        topics = () if info.topics == info.categories else info.topics
        rows.append(DigestIndexRow(info.day, done, len(items) - done, info.categories, topics))
    return rows


def _email_html(
    pages: Sequence[DigestPage], out: Path, subject: str, settings: Settings
) -> tuple[str, list[tuple[str, bytes]]]:
    """The e-mail's HTML, and the figures it shows as (content id, PNG) parts of the message."""
    images: dict[str, str] = {}
    parts: list[tuple[str, bytes]] = []
    for page in pages:
        for paper in page.summarized:
            if paper.figure is None or paper.figure in images:
                continue
            try:
                png = (out / paper.figure).read_bytes()
            except OSError:
                continue  # the picture only: the message goes without it
            content_id = f"fig{len(parts) + 1}.{page.day}@chatpaper"
            images[paper.figure] = f"cid:{content_id}"
            parts.append((content_id, png))
    html = render_digest_email(pages, title=subject, images=images, site_url=settings.digest.site_url)
    return html, parts


def _send(result: DigestResult, state: DigestState, settings: Settings) -> None:
    """E-mail the pages this run fetched that changed since they were last e-mailed, in one message.

    What was sent (day + the page's sha256, per recipient list) is recorded only once the SMTP
    server took the message, so a failed send is tried again by the next run. A failure is kept in
    the result; the pages stay on disk.
    """
    from chatpaper.mailer import send_digest, split_addresses

    to = ", ".join(split_addresses(settings.digest.email or ""))
    pages: list[tuple[DigestPageResult, str, str]] = []
    for page in (p for p in result.pages if p.fresh):
        try:
            text = page.markdown.read_text(encoding="utf-8")
        except OSError as exc:
            result.delivery_error = DeliveryError(f"e-mail not sent: cannot read {page.markdown} ({exc.strerror})")
            return
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if state.delivered(page.day, to) == digest:
            result.email_unchanged.append(page.day)
        else:
            pages.append((page, text, digest))
    if not pages:
        return
    summarized = sum(p.summarized for p, _, _ in pages)
    days = pages[0][0].day if len(pages) == 1 else f"{pages[0][0].day} to {pages[-1][0].day}"
    subject = f"arXiv digest {days}: {summarized} paper{'' if summarized == 1 else 's'}"
    # A backfill of several days is one message, its pages one after the other.
    out = settings.digest.out.expanduser()
    figures = FigureCache(settings.cache_path / "figures") if settings.figures else None
    redact = Redactor.from_settings(settings)
    shown = [_with_figures(build_page(state, page.day, redact=redact), out, figures) for page, _, _ in pages]
    body = render_digest_text(shown)
    html, images = _email_html(shown, out, subject, settings)
    try:
        send_digest(body, html=html, images=images, subject=subject, to=to, smtp=settings.smtp)
    except DeliveryError as exc:
        result.delivery_error = exc
        return
    for page, _, digest in pages:
        state.record_delivery(page.day, to, digest)
        result.emailed.append(page.day)
