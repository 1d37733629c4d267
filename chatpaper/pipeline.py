"""Orchestration: paper refs -> PDFs -> parsed papers -> summaries -> reports and the run index.

Each paper is one job; `settings.workers` jobs run at once. A paper that fails becomes a failed
outcome with a one-line reason and the batch goes on; only a refused API key (every paper would
fail the same way) or a spent budget stops new papers from starting.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from chatpaper.atomic import output_folder, write_text_atomic
from chatpaper.errors import (
    BudgetExceededError,
    ChatpaperError,
    ConfigError,
    LLMServiceError,
    OutputError,
    PaperError,
    SourceError,
    StoreError,
)
from chatpaper.evidence import PaperIndex, check_summary
from chatpaper.figure_cache import FigureCache
from chatpaper.llm import make_backend, make_prompt_estimator
from chatpaper.llm.backend import Backend, Draft
from chatpaper.llm.model_facts import model_price
from chatpaper.llm.pricing import estimate_cost
from chatpaper.locks import PaperClaims, lock_holder
from chatpaper.models import (
    ArxivInfo,
    FigureInfo,
    Paper,
    PaperOutcome,
    PaperRef,
    PaperSummary,
    Status,
    SummaryMeta,
)
from chatpaper.pdf import OcrMode, check_pdf_file
from chatpaper.pdf.worker import PaperReader
from chatpaper.redaction import Redactor
from chatpaper.render import RunUsage, render_bibtex, render_index, render_report
from chatpaper.report_folder import BIBTEX_FILE, folder_summaries, previous_summary, unique_names, write_reports
from chatpaper.settings import Settings
from chatpaper.sources.arxiv import ArxivClient, ArxivQuery, arxiv_ref
from chatpaper.sources.download import download_pdf, is_complete_pdf, pdf_path
from chatpaper.sources.local import file_sha256
from chatpaper.store import SummaryCache, SummaryStore, cache_key

log = logging.getLogger(__name__)

Progress = Callable[[PaperOutcome], None]


class Reader(Protocol):
    """What the pipeline needs of a PDF reader: the real `PaperReader` (each PDF in a child process within
    its budget), or a test's own, passed in as httpx takes a MockTransport."""

    def read(
        self, path: Path | str, *, sha256: str | None = None, figures: bool = False, ocr: OcrMode = "auto"
    ) -> Paper: ...


@dataclass
class _Run:
    """State shared by the worker threads of one batch."""

    settings: Settings
    backend: Backend
    cache: SummaryStore
    out: Path | None  # None: the caller renders its own output (the digest page)
    claims: PaperClaims
    reader: Reader
    figures: FigureCache | None = None  # None: --no-figures
    # Failure reasons are stored (index.md, the digest state and pages): no secret may reach them.
    redact: Redactor = field(default_factory=Redactor)
    lock: threading.Lock = field(default_factory=threading.Lock)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_tokens: int = 0
    cost_usd: float | None = None
    stopped: ChatpaperError | None = None

    def charge(self, prompt_tokens: int, completion_tokens: int, calls: int, cached_tokens: int = 0) -> float | None:
        """Add one paper's LLM usage (a failed paper's too) to the run; returns its estimated cost."""
        cost = estimate_cost(
            self.backend.model, prompt_tokens, completion_tokens, self.settings.prices, cached_tokens=cached_tokens
        )
        with self.lock:
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.calls += calls
            self.cached_tokens += cached_tokens
            if cost is not None:
                self.cost_usd = (self.cost_usd or 0.0) + cost
            self._check_budget()
        return cost

    def _check_budget(self) -> None:
        limits = self.settings
        if self.stopped:
            return
        if limits.max_tokens_total and self.prompt_tokens + self.completion_tokens >= limits.max_tokens_total:
            self.stopped = BudgetExceededError(
                f"token budget reached ({self.prompt_tokens + self.completion_tokens:,} of "
                f"{limits.max_tokens_total:,}): raise --max-tokens-total to summarize the rest"
            )
        elif limits.max_cost and self.cost_usd is not None and self.cost_usd >= limits.max_cost:
            self.stopped = BudgetExceededError(
                f"cost budget reached (~${self.cost_usd:.4f} of ${limits.max_cost:.4f}): "
                "raise --max-cost to summarize the rest"
            )

    def stop(self, error: ChatpaperError) -> None:
        with self.lock:
            if self.stopped is None:
                self.stopped = error

    def usage(self) -> RunUsage:
        return RunUsage(self.prompt_tokens, self.completion_tokens, self.calls, self.cost_usd, self.cached_tokens)


class _HeldElsewhere(Exception):
    """Another run is summarizing this paper: come back to it after the rest of the batch."""


def _verified_code_url(claimed: str | None, paper: Paper) -> str | None:
    """Keep the model's code URL only if the paper prints it.

    A model asked for a repository link will sometimes invent a plausible one; a report that links
    to a non-existent repository is worse than one without a link. No fallback to the first printed
    link either: papers also cite other people's repositories, and the model saw those and chose.
    """
    if not claimed:
        return None
    wanted = claimed.rstrip("/").lower()
    printed = [u.rstrip("/").lower() for u in paper.code_urls]
    bare = wanted.split("://")[-1]
    texts = [paper.abstract, *(s.text for s in paper.sections)]
    if wanted in printed or any(bare in text.lower() for text in texts):
        return claimed
    return None


def build_summary(
    draft: Draft, paper: Paper, ref: PaperRef, backend: Backend, settings: Settings, *, cost_usd: float | None = None
) -> PaperSummary:
    """Combine the backend's answer with provenance and the authoritative metadata: arXiv's for arXiv
    papers, else the reader's title and authors where it found them printed (the model fills the rest); and
    each point's quotes and every number it states checked against the paper."""
    fields = draft.answer.model_dump()
    fields["code_url"] = _verified_code_url(draft.answer.code_url, paper)
    fields["evidence"], fields["checks"] = check_summary(
        PaperIndex(paper, ref.arxiv), draft.answer.summary, draft.answer.evidence
    )
    if settings.language == "en":
        fields["title_translated"] = None
    fields["abstract"] = paper.abstract or None
    fields["year"] = paper.year
    if paper.figure is not None:
        fields["figure"] = FigureInfo(caption=paper.figure.caption, page=paper.figure.page, image=None)
    entry = ref.arxiv
    if entry is None:
        # The reader read these off the page; a model asked to copy them may still rephrase, shorten or,
        # from a garbled first page, invent them (a fake reply once titled a report with a sentence).
        if paper.title_source == "printed" and paper.title.strip():
            fields["title"] = paper.title
        if paper.authors:
            fields["authors"] = paper.authors
    else:
        fields.update(title=entry.title, authors=entry.authors or fields["authors"], abstract=entry.abstract or None)
        fields["paper_url"] = entry.abs_url
        fields["year"] = entry.published.year if entry.published else paper.year
        fields["arxiv"] = ArxivInfo(
            id=entry.versioned_id,
            primary_category=entry.primary_category,
            categories=entry.categories,
            published=entry.published.date() if entry.published else None,
            updated=entry.updated.date() if entry.updated else None,
            comment=entry.comment,
            doi=entry.doi,
            journal_ref=entry.journal_ref,
        )
    fields["meta"] = SummaryMeta(
        source=ref.source,
        sha256=paper.sha256,
        backend=backend.name,
        model=backend.model,
        language=settings.language,
        prompt_version=backend.prompt_version,
        prompt_tokens=draft.prompt_tokens,
        completion_tokens=draft.completion_tokens,
        cached_tokens=draft.cached_tokens,
        calls=draft.calls,
        cost_usd=cost_usd,
    )
    return PaperSummary.model_validate(fields)


def _outcome(ref: PaperRef, status: Status, **kwargs: Any) -> PaperOutcome:
    title = ref.arxiv.title if ref.arxiv else None
    summary = kwargs.get("summary")
    if isinstance(summary, PaperSummary):
        title = summary.title
    return PaperOutcome(source=ref.source, name=ref.name, status=status, title=title, arxiv=ref.arxiv, **kwargs)


def _is_current(
    previous: PaperSummary | None, backend: Backend, language: str, *, sha256: str | None, versioned: str | None
) -> bool:
    """A report written for this PDF (by content) or arXiv version (by id), model, language and prompt."""
    if previous is None or not (sha256 or versioned):
        return False
    meta = previous.meta
    same_paper = meta.source == versioned if versioned else meta.sha256 == sha256
    same_recipe = (meta.model, meta.language, meta.prompt_version) == (backend.model, language, backend.prompt_version)
    return same_paper and same_recipe


def _existing_summary(
    ref: PaperRef,
    backend: Backend,
    settings: Settings,
    cache: SummaryStore | None,
    out: Path | None,
    *,
    sha256: str | None,
    versioned: str | None,
) -> tuple[str, PaperSummary] | None:
    """("skipped", summary) when `out` holds a current report, ("cached", summary) on a cache hit, else None."""
    if settings.force:
        return None
    previous = previous_summary(out, ref.name) if out else None
    if _is_current(previous, backend, settings.language, sha256=sha256, versioned=versioned):
        assert previous is not None
        return "skipped", previous
    cached = cache.get(_summary_key(ref, backend, settings, sha256)) if cache is not None else None
    if cached is None:
        return None
    return "cached", cached.model_copy(update={"meta": cached.meta.model_copy(update={"source": ref.source})})


def _summary_key(ref: PaperRef, backend: Backend, settings: Settings, sha256: str | None) -> str:
    """The paper's key in the summary cache: by arXiv version, else by the PDF's content."""
    identity = _versioned_id(ref) or sha256 or ref.source
    return cache_key(identity, backend.model, settings.language, backend.prompt_version)


def _not_started(ref: PaperRef, run: _Run) -> PaperOutcome | None:
    """The outcome of a paper a stopped run (a spent budget, a refused key) does not start, else None."""
    if run.stopped is None:
        return None
    return _outcome(ref, "not_started", reason=run.redact(f"not started: {run.stopped}"))


def _pdf_for(ref: PaperRef, settings: Settings) -> Path:
    """The local file, or the arXiv PDF downloaded into the cache."""
    if ref.path is not None:
        return Path(ref.path)
    if ref.arxiv is not None:
        return download_pdf(ref.arxiv, settings.cache_path, settings.arxiv)
    raise SourceError(f"{ref.source}: neither a file nor an arXiv entry")


def _pdf_sha256(path: Path) -> str:
    """The PDF's content hash, once its first bytes show it is a PDF: a 20 GB file that is none is refused at
    its header instead of being hashed in full first."""
    check_pdf_file(path)
    return file_sha256(path)


def _versioned_id(ref: PaperRef) -> str | None:
    """An arXiv version never changes: its report and cached summary are found by id, without the PDF."""
    return ref.arxiv.versioned_id if ref.arxiv and ref.arxiv.version else None


def _prepare(ref: PaperRef, run: _Run) -> PaperOutcome | Paper:
    """Everything before the LLM: the outcome when nothing is left to do, else the parsed paper."""
    settings, backend = run.settings, run.backend
    versioned = _versioned_id(ref)
    path = Path(ref.path) if ref.path is not None else None
    if path is None and versioned is None:  # an arXiv paper without a version: known by its content only
        if stopped := _not_started(ref, run):
            return stopped
        path = _pdf_for(ref, settings)
    sha256 = _pdf_sha256(path) if path is not None and path.is_file() else None

    found = _existing_summary(ref, backend, settings, run.cache, run.out, sha256=sha256, versioned=versioned)
    if found is not None:
        return _reuse(ref, run, *found)
    # Only papers that would spend something wait on a stopped run; finished ones are still listed.
    if stopped := _not_started(ref, run):
        return stopped
    if path is None:
        path = _pdf_for(ref, settings)
        sha256 = _pdf_sha256(path)
    return run.reader.read(path, sha256=sha256, figures=run.figures is not None, ocr=settings.ocr)


def _reuse(ref: PaperRef, run: _Run, status: str, summary: PaperSummary) -> PaperOutcome:
    """The outcome of a paper summarized before: its current report, or the cached summary written out."""
    if status == "skipped" and run.out is not None:
        if not (run.out / f"{ref.name}.md").is_file():
            # A run killed between the JSON's rename and the Markdown's: the JSON is the record.
            write_text_atomic(run.out / f"{ref.name}.md", render_report(summary))
        return _outcome(ref, "skipped", summary=summary, report=f"{ref.name}.md")
    return _outcome(ref, "cached", summary=summary, report=_write(run, summary, ref))


def _summarize_paper(ref: PaperRef, paper: Paper, run: _Run, *, wait: bool = False) -> PaperOutcome:
    """Summarize under the paper's claim: raises _HeldElsewhere when another run holds it (unless
    `wait`), and takes that run's summary when it finished first."""
    settings, backend = run.settings, run.backend
    if stopped := _not_started(ref, run):  # the budget ran out while this paper was being read
        return stopped
    key = _summary_key(ref, backend, settings, paper.sha256)
    claim = run.claims.claim(key, wait=wait)
    if claim is None:
        raise _HeldElsewhere(lock_holder(run.claims.path(key)) or "another run")
    with claim:
        versioned = _versioned_id(ref)
        found = _existing_summary(ref, backend, settings, run.cache, run.out, sha256=paper.sha256, versioned=versioned)
        if found is not None:  # another run summarized it while this one was reading the PDF
            return _reuse(ref, run, *found)
        draft = backend.summarize(paper, settings.language, arxiv=ref.arxiv)
        cost = run.charge(draft.prompt_tokens, draft.completion_tokens, draft.calls, draft.cached_tokens)
        summary = build_summary(draft, paper, ref, backend, settings, cost_usd=cost)
        png = paper.figure.png if paper.figure is not None else None
        if png and run.figures is not None:
            run.figures.put(paper.sha256, png)
        try:
            report = _write(run, summary, ref, png)
        finally:
            # The paid summary is never lost: the report first, so a cache that cannot be written
            # costs no report; the cache also when the report could not be written, so the next run
            # finds the summary there instead of paying again.
            run.cache.put(key, summary)
    spent = {"calls": draft.calls, "prompt_tokens": draft.prompt_tokens, "completion_tokens": draft.completion_tokens}
    return _outcome(ref, "done", summary=summary, report=report, cost_usd=cost, **spent)


class _ReadAhead:
    """Papers read (downloaded, parsed) in input order by their own threads, up to `ahead` papers
    before the LLM workers need them, so a worker back from one call starts the next at once
    instead of parsing first, and a slow parse holds up only its own paper."""

    def __init__(self, refs: Sequence[PaperRef], run: _Run, pool: ThreadPoolExecutor, ahead: int) -> None:
        self._refs, self._run, self._pool, self._ahead = refs, run, pool, ahead
        self._futures: dict[int, Future[PaperOutcome | Paper]] = {}
        self._submitted = 0
        self._lock = threading.Lock()

    def get(self, index: int) -> PaperOutcome | Paper:
        """Paper `index` prepared; raises what preparing it raised."""
        with self._lock:
            while self._submitted < min(len(self._refs), index + 1 + self._ahead):
                ref = self._refs[self._submitted]
                self._futures[self._submitted] = self._pool.submit(_prepare, ref, self._run)
                self._submitted += 1
            future = self._futures.pop(index)
        return future.result()


def _write(run: _Run, summary: PaperSummary, ref: PaperRef, png: bytes | None = None) -> str | None:
    if run.out is None:
        return None
    if run.figures is None:
        summary = summary.model_copy(update={"figure": None})
    elif summary.figure is not None and png is None:
        png = run.figures.get(summary.meta.sha256)  # a cached summary: its PDF was not read again
    try:
        return write_reports(summary, run.out, ref.name, figure=png)
    except OutputError as exc:
        if exc.every_file:  # a full disk: every later paper would be paid for and then lost the same way
            run.stop(exc)
        raise


def _reason(exc: Exception, ref: PaperRef) -> str:
    """The error's message without a leading file name: outcomes already carry the source."""
    text = str(exc)
    for prefix in {ref.source, ref.path or ref.source}:
        if text.startswith(f"{prefix}: "):
            return text[len(prefix) + 2 :]
    return text


# What comes after a paper's first try: nothing, one more try (AGAIN), or waiting for another run (LATER).
DONE, AGAIN, LATER = "", "again", "later"
# The kinds of job a worker takes: a paper's first try, its second try, or a paper another run held.
FIRST, SECOND, HELD = "first", "second", "held"


class _Schedule:
    """Which paper a free worker takes next, so the batch's tail is short.

    A paper whose failure was transient (answers that never validated, a server that kept failing)
    gets one fresh try as soon as a worker is free, ahead of papers not yet started, provided some
    paper of the batch has succeeded: the server works, so waiting for the end of the batch would
    only leave that try running alone. Until a paper succeeds such papers wait (`deferred`); if none
    ever does (an outage, a model that answers nothing usable), they are not tried again, so an
    outage is not waited out twice. Papers another run holds go after every first try, when that
    run has usually finished.
    """

    def __init__(self, count: int, run: _Run) -> None:
        self._run = run
        self._cond = threading.Condition()
        self._first = deque(range(count))
        self._second: deque[int] = deque()
        self._held: deque[int] = deque()
        self.deferred: list[int] = []
        self._busy = 0
        self._succeeded = False
        self.outcomes: list[PaperOutcome | None] = [None] * count

    def next(self) -> tuple[str, int] | None:
        """The next job (kind, paper index), waiting while running jobs may still add one; None when done."""
        with self._cond:
            while True:
                if self._second:
                    job = (SECOND, self._second.popleft())
                elif self._first:
                    job = (FIRST, self._first.popleft())
                elif self._held:
                    job = (HELD, self._held.popleft())
                elif self._busy:
                    self._cond.wait()
                    continue
                else:
                    self._cond.notify_all()
                    return None
                self._busy += 1
                return job

    def abandon(self) -> None:
        """A job ended by an exception that escaped (a bug, an interrupt): let the others finish."""
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    def finish(self, kind: str, index: int, outcome: PaperOutcome, then: str) -> list[PaperOutcome]:
        """Record a job's result; returns the outcomes now final (for progress)."""
        final: list[PaperOutcome] = []
        with self._cond:
            self._busy -= 1
            if kind == SECOND:
                first = self.outcomes[index]
                assert first is not None
                if outcome.status == "not_started":  # the run stopped meanwhile: the first failure stands
                    outcome = first
                else:
                    outcome = outcome.plus_spend_of(first)
                    if outcome.status == "failed":
                        outcome = outcome.model_copy(update={"reason": f"{outcome.reason} (also on a second try)"})
                then = DONE
            self.outcomes[index] = outcome
            if then == LATER:
                self._held.append(index)
            elif then == AGAIN:
                (self._second if self._succeeded else self.deferred).append(index)
            else:
                final.append(outcome)
            if outcome.status == "done" and not self._succeeded:
                self._succeeded = True
                if self.deferred:
                    log.info("trying %d failed papers once more", len(self.deferred))
                self._second.extend(self.deferred)
                self.deferred.clear()
            if self._run.stopped is not None:  # no second try once the run stopped
                self.deferred.extend(self._second)
                self._second.clear()
            self._cond.notify_all()
        return final

    def final_outcomes(self) -> list[PaperOutcome]:
        outcomes = [o for o in self.outcomes if o is not None]
        assert len(outcomes) == len(self.outcomes), "every paper has an outcome"
        return outcomes


def _guarded(
    ref: PaperRef, run: _Run, prepared: Callable[[], PaperOutcome | Paper], *, wait: bool = False
) -> tuple[PaperOutcome, str]:
    """The paper's outcome, and what it needs next: another try at the end of the batch (AGAIN), or,
    held by another run, a wait for that run (LATER)."""
    try:
        paper = prepared()
        if isinstance(paper, PaperOutcome):
            return paper, DONE
        return _summarize_paper(ref, paper, run, wait=wait), DONE
    except _HeldElsewhere as exc:
        log.info("%s: being summarized by %s; back to it after the rest", ref.source, exc)
        return _outcome(ref, "skipped", reason=f"being summarized by another run ({exc})"), LATER
    except LLMServiceError as exc:  # every paper would fail the same way: none of them is at fault
        run.stop(exc)
        stopped = _not_started(ref, run)
        assert stopped is not None
        return stopped, DONE
    except StoreError as exc:  # every paper would fail the same way
        run.stop(exc)
        return _failed(ref, run, _reason(exc, ref)), DONE
    except PaperError as exc:
        failed = _failed(ref, run, _reason(exc, ref))
        if exc.calls:
            cost = run.charge(exc.prompt_tokens, exc.completion_tokens, exc.calls)
            spent = {"calls": exc.calls, "prompt_tokens": exc.prompt_tokens, "completion_tokens": exc.completion_tokens}
            failed = failed.model_copy(update={**spent, "cost_usd": cost})
        # A transient failure (answers that never validated, a server that kept failing through every
        # backoff) gets one more try as a fresh conversation, instead of waiting for the user to rerun
        # (see _Schedule). An unreadable PDF or a refused request would fail again.
        return failed, AGAIN if exc.transient else DONE
    except ChatpaperError as exc:
        return _failed(ref, run, _reason(exc, ref)), DONE
    except Exception as exc:  # a bug must not cost the rest of the batch
        log.exception("unexpected error on %s", ref.source)
        return _failed(ref, run, f"internal error ({type(exc).__name__}: {exc}); rerun with --debug"), DONE


def _failed(ref: PaperRef, run: _Run, reason: str) -> PaperOutcome:
    return _outcome(ref, "failed", reason=run.redact(reason))


def find_arxiv_papers(query: ArxivQuery, settings: Settings) -> tuple[list[PaperRef], list[tuple[str, str]]]:
    """Refs for the papers `query` selects, in arXiv's order, and (id, reason) for asked ids arXiv lacks.

    Raises ArxivError when arXiv rejects the query or stays unavailable.
    """
    with ArxivClient(settings.arxiv) as client:
        entries, problems = client.find(query)
    return [arxiv_ref(e) for e in entries], problems


@dataclass(frozen=True)
class PlannedPaper:
    """One paper of a `--dry-run`: what would be summarized and the prompt tokens it would cost."""

    ref: PaperRef
    title: str
    prompt_tokens: int
    measured: bool  # True: from the PDF itself; False: from the budget (the PDF is not downloaded yet)
    problem: str | None = None  # why the paper would fail (an unreadable local PDF)
    done_before: bool = False  # a current report or a cached summary exists: the run would spend nothing

    @property
    def would_spend(self) -> bool:
        return self.problem is None and not self.done_before


def plan_papers(refs: Sequence[PaperRef], settings: Settings, *, backend: Backend | None = None) -> list[PlannedPaper]:
    """Estimate each paper's prompt without calling the LLM or downloading anything.

    Local PDFs, and arXiv PDFs already in the cache, are read and their real prompt is measured;
    other arXiv papers get the budget's estimate. Papers the run would skip (a current report in
    `settings.out`, or a cached summary) are marked `done_before` and cost nothing. The figures are
    for the LLM backend even when the extractive one is configured (which sends no prompt at all).
    """
    estimator = backend or make_prompt_estimator(settings)
    # What the run itself would use decides what counts as summarized before.
    recipe = estimator if settings.resolved_backend() == "openai" else make_backend(settings)
    out = settings.out.expanduser()
    cache_file = settings.cache_path / "summaries.db"
    cache = SummaryCache(cache_file) if cache_file.is_file() else None
    reader = PaperReader(settings.reader)
    plans = []
    try:
        for ref in unique_names(refs):
            plans.append(_plan_paper(ref, settings, estimator, recipe, cache, out, reader))
    finally:
        if cache is not None:
            cache.close()
    return plans


def _plan_paper(
    ref: PaperRef,
    settings: Settings,
    estimator: Backend,
    recipe: Backend,
    cache: SummaryCache | None,
    out: Path,
    reader: PaperReader,
) -> PlannedPaper:
    path = Path(ref.path) if ref.path else None
    if path is None and ref.arxiv is not None:
        cached = pdf_path(ref.arxiv, settings.cache_path)
        path = cached if is_complete_pdf(cached) else None
    title = ref.arxiv.title if ref.arxiv else ""
    versioned = _versioned_id(ref)
    try:
        sha256 = _pdf_sha256(path) if path is not None and path.is_file() else None
    except ChatpaperError as exc:
        return PlannedPaper(ref, title, 0, measured=False, problem=_reason(exc, ref))
    if versioned or sha256:
        found = _existing_summary(ref, recipe, settings, cache, out, sha256=sha256, versioned=versioned)
        if found is not None:
            return PlannedPaper(ref, title or found[1].title, 0, measured=True, done_before=True)
    if path is None:
        tokens = estimator.estimate_prompt_tokens(None, settings.language, arxiv=ref.arxiv)
        return PlannedPaper(ref, title, tokens, measured=False)
    try:
        paper = reader.read(path, sha256=sha256, ocr=settings.ocr)
    except ChatpaperError as exc:
        return PlannedPaper(ref, title, 0, measured=False, problem=_reason(exc, ref))
    tokens = estimator.estimate_prompt_tokens(paper, settings.language, arxiv=ref.arxiv)
    return PlannedPaper(ref, title or paper.title, tokens, measured=True)


@dataclass
class BatchResult:
    """Outcomes in input order, usage totals, why the batch stopped early (if it did), and problems
    that cost no paper (a summary cache that could not be updated)."""

    outcomes: list[PaperOutcome]
    usage: RunUsage
    stopped: ChatpaperError | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[PaperOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass(kw_only=True)
class RunResult(BatchResult):
    """A batch written into an output folder (`summarize_batch`): its outcomes also list the inputs
    known unusable beforehand, and the folder's index.md was written at `index_path` (or not:
    `index_error`, the outcomes stand)."""

    started: datetime
    index_path: Path
    index_error: OutputError | None = None


# Threads reading papers ahead of the LLM workers: two, so one paper's download (at most two run at
# once anyway) or slow parse does not hold up the next; parsing holds the GIL, so more would not help.
READERS = 2


def _check_cost_budget(settings: Settings, backend: Backend) -> None:
    """A cost budget that cannot be priced would be silently ignored: refuse it instead."""
    if not settings.max_cost or backend.name == "extractive":
        return
    if model_price(backend.model, settings.prices) is None:
        raise ConfigError(
            f"--max-cost needs a price for {backend.model}, and none is known: add "
            f'[prices."{backend.model}"] with input and output (USD per 1M tokens) to chatpaper.toml, '
            "or use --max-tokens-total instead"
        )


def summarize_papers(
    refs: Sequence[PaperRef],
    settings: Settings,
    *,
    cache: SummaryStore,
    backend: Backend | None = None,
    reports_dir: Path | None = None,
    progress: Progress | None = None,
    reader: Reader | None = None,
) -> BatchResult:
    """Summarize refs with `settings.workers` papers in flight; never raises for a single paper.

    With `reports_dir`, each paper's `<name>.md`/`<name>.json` is written there (and papers whose
    JSON is current are skipped); without, only the cache is filled. `progress` is called once per
    paper as it finishes, from worker threads. `reader` reads the PDFs (default: a `PaperReader` with
    `settings.reader`'s budget). A paper whose failure was transient is tried once
    more after the others, provided another paper of the batch succeeded (the server works). Raises
    ConfigError, before any paper starts, for a `max_cost` the model has no price for.
    """
    backend = backend or make_backend(settings)
    _check_cost_budget(settings, backend)
    redact = Redactor.from_settings(settings)
    claims = PaperClaims(settings.cache_path / "locks")
    figures = FigureCache(settings.cache_path / "figures") if settings.figures else None
    run = _Run(
        settings=settings,
        backend=backend,
        cache=cache,
        out=reports_dir,
        claims=claims,
        reader=reader or PaperReader(settings.reader),
        redact=redact,
        figures=figures,
    )

    named = unique_names(refs)
    schedule = _Schedule(len(named), run)

    def attempt(kind: str, index: int) -> tuple[PaperOutcome, str]:
        ref = named[index]
        if kind == FIRST:
            return _guarded(ref, run, lambda: read_ahead.get(index))
        # A second try, or a paper another run held: by now the other run has usually finished and
        # its summary is in the cache; else this waits for it, and summarizes the paper itself only
        # when that run failed or was killed.
        return _guarded(ref, run, lambda: _prepare(ref, run), wait=True)

    def work() -> None:
        while (job := schedule.next()) is not None:
            kind, index = job
            try:
                outcome, then = attempt(kind, index)
            except BaseException:
                schedule.abandon()
                raise
            for final in schedule.finish(kind, index, outcome, then):
                if progress:
                    progress(final)

    with (
        ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="read") as readers,
        ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="paper") as pool,
    ):
        read_ahead = _ReadAhead(named, run, readers, ahead=settings.workers)
        workers = [pool.submit(work) for _ in range(min(settings.workers, max(len(named), 1)))]
        for worker in workers:
            worker.result()  # a progress callback's error (the digest state) is the caller's
    # Papers whose first failure came while no paper had succeeded, and none did later: in an outage,
    # or with a model that answers nothing usable, a second try would double the wait for the same
    # failures.
    outcomes = schedule.final_outcomes()
    for index in schedule.deferred:
        if progress:
            progress(outcomes[index])
    warnings = [*([claims.problem] if claims.problem else []), *cache.warnings]
    return BatchResult(outcomes=outcomes, usage=run.usage(), stopped=run.stopped, warnings=warnings)


def summarize_batch(
    refs: Sequence[PaperRef],
    settings: Settings,
    *,
    problems: Sequence[tuple[str, str]] = (),
    backend: Backend | None = None,
    progress: Progress | None = None,
    reader: Reader | None = None,
) -> RunResult:
    """Summarize every ref into reports in `settings.out`, then write `index.md` listing the run.

    `problems` are inputs already known to be unusable (a missing path), as (source, reason); they
    are listed as failures after the papers. `reader` as for `summarize_papers`.
    """
    started = datetime.now(UTC)
    with output_folder(settings.out, setting="-o (or CHATPAPER_OUT)") as out:
        cache = SummaryCache(settings.cache_path / "summaries.db")
        try:
            batch = summarize_papers(
                refs, settings, cache=cache, backend=backend, reports_dir=out, progress=progress, reader=reader
            )
        finally:
            cache.close()
        outcomes = list(batch.outcomes)
        redact = Redactor.from_settings(settings)
        for source, reason in problems:
            failed = PaperOutcome(source=source, name=source, status="failed", reason=redact(reason))
            if progress:
                progress(failed)
            outcomes.append(failed)
        index_path = out / "index.md"
        index_error = None
        try:
            library = folder_summaries(out)
            shown = {name: summary for name, summary in library.items() if (out / f"{name}.md").is_file()}
            write_text_atomic(index_path, render_index(outcomes, started=started, usage=batch.usage, folder=shown))
            if library or (out / BIBTEX_FILE).exists():  # a folder without reports gets no empty file
                write_text_atomic(out / BIBTEX_FILE, render_bibtex(list(library.values())))
        except OutputError as exc:  # the outcomes stand: the caller still lists them
            index_error = exc
    return RunResult(
        outcomes=outcomes,
        usage=batch.usage,
        started=started,
        index_path=index_path,
        stopped=batch.stopped,
        warnings=batch.warnings,
        index_error=index_error,
    )
