"""The nightly arXiv digest: announcements -> ranked picks -> summaries -> one Markdown page per day.

A run (1) fetches the day's candidates: the announcement feed, or with `date`/`since` the API's
submitted-date window; (2) ranks them against each topic's keywords and keeps the top N that are
new; (3) records the plan in the state file before any work, so a killed run leaves pending papers
that the next run picks up; (4) summarizes only papers without a summary, through the pipeline's
engine with the summary cache in the state file; (5) renders each page from the state alone, so an
unchanged day re-renders to the same bytes; (6) optionally e-mails the pages.

Papers that fail are retried by every later run, listed on their own day's page, and carried onto
the newest page until they succeed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from chatpaper.atomic import write_text_atomic
from chatpaper.errors import ArxivError, ChatpaperError, ConfigError, DeliveryError
from chatpaper.llm import make_backend
from chatpaper.llm.backend import Backend
from chatpaper.models import ArxivEntry, PaperOutcome
from chatpaper.pipeline import summarize_papers
from chatpaper.ranking import score_entry
from chatpaper.render import (
    DigestIndexRow,
    DigestPage,
    DigestPaper,
    RunUsage,
    render_digest,
    render_digest_index,
    render_digest_json,
)
from chatpaper.settings import DigestSettings, Settings
from chatpaper.sources.arxiv import ArxivClient, ArxivQuery, arxiv_ref
from chatpaper.sources.feed import fetch_announcement_feed
from chatpaper.store import DigestDay, DigestState, Pick, SeenPaper, cache_key

log = logging.getLogger(__name__)

Progress = Callable[[PaperOutcome], None]

# arXiv's API returns at most this many entries for one query; a busy category gets ~400 a day.
WINDOW_MAX_RESULTS = 5000


# --- topics and ranking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """Categories plus keywords. `name` None is the implicit topic of `[digest]`, grouped by category."""

    name: str | None
    categories: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def label(self, entry: ArxivEntry) -> str:
        """The page group a paper goes under: the topic's name, or the followed category it belongs to."""
        if self.name is not None:
            return self.name
        ordered = [entry.primary_category, *entry.categories]
        return next((c for c in ordered if c in self.categories), self.categories[0])

    def covers(self, entry: ArxivEntry) -> bool:
        return bool(set(self.categories) & {*entry.categories, entry.primary_category})


def digest_topics(digest: DigestSettings) -> list[Topic]:
    """The topics a run ranks against.

    Without `[[digest.topics]]`, the `[digest]` categories and keywords form one implicit topic. A
    named topic without categories or include keywords takes `[digest]`'s; `[digest]` excludes
    apply to every topic on top of its own.
    """
    if not digest.topics:
        if not digest.categories:
            raise ConfigError("no arXiv categories to follow: pass --category cs.CL or set [digest] categories")
        return [Topic(None, tuple(dict.fromkeys(digest.categories)), tuple(digest.include), tuple(digest.exclude))]
    topics = []
    for topic in digest.topics:
        categories = tuple(dict.fromkeys(topic.categories or digest.categories))
        if not categories:
            raise ConfigError(
                f"digest topic '{topic.name}' has no categories: give it categories = [...] or set [digest] categories"
            )
        include = tuple(topic.include or digest.include)
        exclude = tuple(dict.fromkeys([*topic.exclude, *digest.exclude]))
        topics.append(Topic(topic.name, categories, include, exclude))
    return topics


def followed_categories(topics: Sequence[Topic]) -> list[str]:
    return list(dict.fromkeys(c for t in topics for c in t.categories))


def topic_order(topics: Sequence[Topic]) -> tuple[str, ...]:
    """Page group order: topic names, or for the implicit topic its categories."""
    order: list[str] = []
    for topic in topics:
        order.extend([topic.name] if topic.name is not None else topic.categories)
    return tuple(dict.fromkeys(order))


def rank_for_topics(entries: Iterable[ArxivEntry], topics: Sequence[Topic]) -> list[Pick]:
    """Score every entry against every topic that covers it; keep each under its best topic.

    An entry is dropped by a topic when an exclude keyword occurs, or when the topic has include
    keywords and it matches none; without include keywords every entry scores 0. Ties go to the
    earlier topic, then the lower arXiv id, so the order never depends on the feed's.
    """
    best: dict[str, tuple[float, int, Pick]] = {}
    for entry in entries:
        for position, topic in enumerate(topics):
            if not topic.covers(entry):
                continue
            scored = score_entry(entry, list(topic.include), list(topic.exclude))
            if scored is None or (topic.include and not scored.matched):
                continue  # excluded, or off-topic: a topic with keywords keeps only papers matching one
            pick = Pick(entry, topic.label(entry), float(scored.score), tuple(scored.matched))
            current = best.get(entry.arxiv_id)
            if current is None or (pick.score, -position) > (current[0], -current[1]):
                best[entry.arxiv_id] = (pick.score, position, pick)
    ranked = sorted(best.values(), key=lambda item: (-item[0], item[1], item[2].entry.arxiv_id))
    return [pick for _, _, pick in ranked]


# --- fetching ------------------------------------------------------------------------------------


@dataclass
class Candidates:
    """One day's candidate papers and where they came from."""

    day: str
    source: str  # "feed" | "api"
    entries: list[ArxivEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def fetch_feed_day(categories: Sequence[str], settings: Settings, *, today: date) -> Candidates:
    """Tonight's announcements: new (and, with cross-lists, cross) entries, dated by the feed itself."""
    feed = fetch_announcement_feed(list(categories), settings, cross_lists=settings.digest.cross_lists)
    day = feed.day or today
    return Candidates(day=day.isoformat(), source="feed", entries=_unique(feed.entries))


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
    for entry in ArxivClient(settings).search(query):
        read += 1
        if entry.published is None:
            continue
        key = entry.published.astimezone(UTC).date().isoformat()
        if key not in days:
            continue
        if not settings.digest.cross_lists and entry.primary_category not in categories:
            continue  # the API's cat: matches cross-lists too; the feed would have called this one "cross"
        days[key].entries.append(entry)
    result = [Candidates(c.day, c.source, _unique(c.entries)) for c in days.values()]
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
        fetched = ArxivClient(settings).fetch([e.versioned_id for e in entries])
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
    emailed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[PaperOutcome]:
        return [o for o in self.outcomes if o.status in ("failed", "skipped")]

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
) -> DigestResult:
    """Build the digest page(s): tonight's feed, or `date` (one day) / `since` (one page per day to
    today) through the API. `on_plan` is told how many papers will be summarized before work starts;
    `progress` is called as each finishes (from worker threads).
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

    state = DigestState(digest.state)
    try:
        return _run(state, settings, topics, categories, date, since, today, backend, progress, on_plan)
    finally:
        state.close()


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
    run_id = state.begin_run(mode, [])
    status = "failed"
    usage = RunUsage()
    outcomes: list[PaperOutcome] = []
    fetched: list[Candidates] = []
    try:
        if day is not None:
            fetched = fetch_window_days(categories, settings, first=day, last=day)
        elif since is not None:
            fetched = fetch_window_days(categories, settings, first=since, last=today)
        else:
            fetched = [fetch_feed_day(categories, settings, today=today)]
        backend = backend or make_backend(settings)
        plan = _plan(state, settings, topics, categories, fetched, backend)
        todo = plan.todo
        if on_plan:
            on_plan(len(todo))

        def finished(outcome: PaperOutcome) -> None:
            _record(state, outcome)
            if progress:
                progress(outcome)

        stopped = None
        if todo:
            refs = [arxiv_ref(e) for e in todo]
            batch = summarize_papers(
                refs, settings, cache=state.summaries, backend=backend, reports_dir=None, progress=finished
            )
            outcomes, usage, stopped = batch.outcomes, batch.usage, batch.stopped

        out = settings.digest.out.expanduser()
        fresh_days = [c.day for c in fetched]
        pages = [_write_page(state, out, d, fresh=d in fresh_days) for d in dict.fromkeys([*fresh_days, *plan.origins])]
        index = out / "index.md"
        write_text_atomic(index, render_digest_index(_index_rows(state, out)))
        result = DigestResult(
            pages=pages, outcomes=outcomes, usage=usage, index=index, stopped=stopped, warnings=plan.warnings
        )
        if settings.digest.email:
            _send(result, settings)
        status = "partial" if result.failed or stopped else "ok"
        return result
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        done = sum(o.status in ("done", "cached") for o in outcomes)
        failed = sum(o.status in ("failed", "skipped") for o in outcomes)
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
    origins: list[str]  # earlier days whose retried papers may change status (their pages are re-rendered)
    warnings: list[str]


def _plan(
    state: DigestState,
    settings: Settings,
    topics: Sequence[Topic],
    categories: Sequence[str],
    fetched: Sequence[Candidates],
    backend: Backend,
) -> _Plan:
    """Pick each fetched day's papers, carry unfinished ones, and record it all before any summarizing."""
    fresh_days = {c.day for c in fetched}
    newest = max(fresh_days)
    retry = [p for p in state.papers(["pending", "failed"]) if p.day and p.day not in fresh_days]
    days: list[tuple[Candidates, int, list[Pick]]] = []
    needed: list[ArxivEntry] = []
    for candidates in sorted(fetched, key=lambda c: c.day):
        # A paper already on another day's page is not new (an unfinished one is carried instead).
        fresh = [e for e in candidates.entries if not _elsewhere(state.paper(e), candidates.day)]
        ranked = rank_for_topics(fresh, topics)
        picks = ranked[: settings.digest.top]
        needed.extend(p.entry for p in picks if _needs_summary(state, state.paper(p.entry), settings, backend))
        days.append((candidates, len(ranked), picks))

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
        info = DigestDay(
            day=candidates.day,
            source=candidates.source,  # type: ignore[arg-type]
            categories=tuple(categories),
            topics=topic_order(topics),
            announced=len(candidates.entries),
            matched=matched,
        )
        state.plan_day(info, candidates.entries, picks)
    return _Plan(
        todo=[*needed, *(p.entry for p in retry)],
        origins=sorted({p.day for p in retry if p.day}),
        warnings=[w for c in fetched for w in c.warnings] + ([warning] if warning else []),
    )


def _elsewhere(paper: SeenPaper | None, day: str) -> bool:
    return paper is not None and paper.day is not None and paper.day != day


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


def _record(state: DigestState, outcome: PaperOutcome) -> None:
    """Persist one paper's result the moment it finishes, so a killed run keeps it."""
    entry = outcome.arxiv
    if entry is None:
        return
    summary = outcome.summary
    if outcome.status in ("done", "cached", "skipped") and summary is not None:
        meta = summary.meta
        identity = _identity(entry) or meta.sha256 or outcome.source
        state.mark_done(entry, cache_key(identity, meta.model, meta.language, meta.prompt_version))
    elif outcome.status == "skipped":
        state.mark_failed(entry, outcome.reason or "not started", attempted=False)
    else:
        state.mark_failed(entry, outcome.reason or "unknown error")


# --- pages ---------------------------------------------------------------------------------------


def build_page(state: DigestState, day: str) -> DigestPage:
    """A day's page from the state and the cached summaries (no clock, no network)."""
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
                reason=paper.reason if summary is None else None,
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
    )


def _write_page(state: DigestState, out: Path, day: str, *, fresh: bool) -> DigestPageResult:
    page = build_page(state, day)
    markdown_path, json_path = out / f"{day}.md", out / f"{day}.json"
    write_text_atomic(json_path, render_digest_json(page))
    write_text_atomic(markdown_path, render_digest(page))
    return DigestPageResult(
        day=day,
        markdown=markdown_path,
        json=json_path,
        summarized=len(page.summarized),
        unfinished=len(page.unfinished),
        fresh=fresh,
    )


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


def _send(result: DigestResult, settings: Settings) -> None:
    """E-mail each page this run fetched; the first failure is kept in the result, the pages stay on disk."""
    from chatpaper.mailer import send_digest

    to = settings.digest.email or ""
    for page in (p for p in result.pages if p.fresh):
        subject = f"arXiv digest {page.day}: {page.summarized} paper{'' if page.summarized == 1 else 's'}"
        try:
            send_digest(page.markdown.read_text(encoding="utf-8"), subject=subject, to=to, smtp=settings.smtp)
        except DeliveryError as exc:
            result.delivery_error = exc
            return
        except OSError as exc:
            result.delivery_error = DeliveryError(f"e-mail not sent: cannot read {page.markdown} ({exc.strerror})")
            return
        result.emailed.append(page.day)
