"""What a digest page shows, worked out once for every view of it (Markdown page, HTML page, e-mail, Atom feed).

The dataclasses hold a day's facts as the digest state has them; the functions here turn them into
plain values (texts not yet escaped, numbers, links) that each renderer escapes for its own format.
Everything comes from the state and the cached summaries, never from the clock, so an unchanged day
renders to the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from chatpaper.models import POINTS, ArxivEntry, PaperSummary
from chatpaper.render.reports import LABELS, first_sentence, trust_mark
from chatpaper.words import plural

# Points longer than this fold into <details>, so the page stays skimmable.
DETAILS_OVER = 320
AUTHORS_SHOWN = 8


@dataclass(frozen=True)
class DigestPaper:
    """One paper on a page: why it is there (topic, score, matched words) and where it stands."""

    entry: ArxivEntry
    topic: str
    score: float
    matched: tuple[str, ...] = ()
    status: Literal["done", "failed", "pending", "seen"] = "pending"
    summary: PaperSummary | None = None
    reason: str | None = None
    carried_from: str | None = None
    attempts: int = 0
    figure: str | None = None  # the Figure-1 PNG, relative to the page's folder, when one is there


@dataclass(frozen=True)
class DigestPage:
    """A day's page: its header facts, the topic order and the papers in page order."""

    day: str
    source: Literal["feed", "api"]
    categories: tuple[str, ...]
    topics: tuple[str, ...]
    announced: int
    matched: int
    papers: Sequence[DigestPaper] = field(default_factory=list)
    # Candidates by kind: "new" and "cross" from the feed, "submitted" from an API backfill (both when
    # a backfill was merged into a feed page). Empty for days recorded before kinds were counted.
    kinds: Mapping[str, int] = field(default_factory=dict)

    @property
    def summarized(self) -> list[DigestPaper]:
        return [p for p in self.papers if p.status == "done" and p.summary is not None]

    @property
    def unfinished(self) -> list[DigestPaper]:
        return [p for p in self.papers if not (p.status == "done" and p.summary is not None)]


@dataclass(frozen=True)
class DigestIndexRow:
    """One line of `index.md`."""

    day: str
    summarized: int
    unfinished: int
    categories: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


def anchor(entry: ArxivEntry) -> str:
    """A stable HTML id for a paper's section (GitHub's heading slugs change with the title)."""
    return "p-" + re.sub(r"[^A-Za-z0-9]+", "-", entry.arxiv_id).strip("-")


def pdf_url(entry: ArxivEntry) -> str:
    return entry.pdf_url or f"https://arxiv.org/pdf/{entry.versioned_id}"


def _authors(names: Sequence[str]) -> str:
    if len(names) <= AUTHORS_SHOWN:
        return ", ".join(names)
    return ", ".join(names[: AUTHORS_SHOWN - 1]) + f", … (+{len(names) - AUTHORS_SHOWN + 1} more)"


def _score(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def kind_counts(page: DigestPage) -> dict[str, int]:
    if page.kinds:
        return dict(page.kinds)
    return {"new" if page.source == "feed" else "submitted": page.announced}


def announced(page: DigestPage) -> str:
    """The header's candidate counts per kind: "2 new · 5 cross-lists", "4 papers submitted ...", or both."""
    kinds, parts = kind_counts(page), []
    if "new" in kinds:
        if "cross" in kinds:
            parts.append(f"{kinds['new']} new · {plural(kinds['cross'], 'cross-list')}")
        else:
            parts.append(f"{plural(kinds['new'], 'new announcement')}")
    if "submitted" in kinds:
        parts.append(f"{plural(kinds['submitted'], 'paper')} submitted this day (arXiv API backfill)")
    return " · ".join(parts)


def sources(page: DigestPage) -> str:
    """The footer's "where from"."""
    kinds = kind_counts(page)
    feed, api = "new" in kinds, "submitted" in kinds
    if feed and api:
        return f"arXiv announcement feed and API (submitted {page.day})"
    return "arXiv announcement feed" if feed else f"arXiv API, submitted {page.day}"


@dataclass(frozen=True)
class Usage:
    """Who wrote the summaries on a page and what they cost, from the summaries themselves (not this run)."""

    extractive: bool
    models: tuple[str, ...] = ()
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None

    def describe(self) -> str:
        """The plain-text line: "Summaries by gpt-4o-mini: 3 LLM calls · 1,200 prompt + 300 completion tokens"."""
        if self.extractive:
            return "Summaries: extractive, no LLM (sentences quoted from each paper)."
        text = f"Summaries by {', '.join(self.models)}: {plural(self.calls, 'LLM call')}"
        text += f" · {self.prompt_tokens:,} prompt + {self.completion_tokens:,} completion tokens"
        return text + (f" · ~${self.cost_usd:.4f}" if self.cost_usd is not None else "") + "."


def usage(papers: Sequence[DigestPaper]) -> Usage | None:
    metas = [p.summary.meta for p in papers if p.summary is not None]
    if not metas:
        return None
    if all(m.backend == "extractive" for m in metas):
        return Usage(extractive=True)
    costs = [m.cost_usd for m in metas if m.cost_usd is not None]
    return Usage(
        extractive=False,
        models=tuple(sorted({m.model for m in metas if m.backend == "openai"})),
        calls=sum(m.calls for m in metas),
        prompt_tokens=sum(m.prompt_tokens for m in metas),
        completion_tokens=sum(m.completion_tokens for m in metas),
        cost_usd=sum(costs) if costs else None,
    )


def _points(summary: PaperSummary) -> list[dict[str, object]]:
    labels = LABELS[summary.meta.language]
    points = []
    for name in POINTS:
        text = re.sub(r"[ \t]+", " ", getattr(summary.summary, name)).strip()
        long = len(text) > DETAILS_OVER
        points.append({"label": labels[name], "text": text, "long": long, "gist": first_sentence(text, 160)})
    return points


def paper_view(number: int, paper: DigestPaper) -> dict[str, object]:
    """One paper as every view shows it: plain values, not yet escaped for any format."""
    entry, summary = paper.entry, paper.summary
    categories = entry.categories or ([entry.primary_category] if entry.primary_category else [])
    return {
        "number": number,
        "anchor": anchor(entry),
        "title": re.sub(r"\s+", " ", summary.title if summary else entry.title).strip(),
        "authors": _authors(summary.authors if summary and summary.authors else entry.authors),
        "id": entry.versioned_id,
        "abs_url": entry.abs_url,
        "pdf_url": pdf_url(entry),
        "code_url": summary.code_url if summary else None,
        "categories": ", ".join(categories),
        "cross": entry.announce_type == "cross",
        "score": _score(paper.score),
        "matched": list(paper.matched),
        "keywords": summary.keywords if summary else [],
        "points": _points(summary) if summary else [],
        "abstract": (summary.abstract if summary else None) or entry.abstract,
        "abstract_label": LABELS[summary.meta.language]["abstract"] if summary else "Abstract",
        "comment": entry.comment,
        "carried_from": paper.carried_from,
        "extractive": bool(summary and summary.meta.backend == "extractive"),
        "trust": trust_mark(summary),
        "reason": paper.reason,
        "attempts": paper.attempts,
        "status": paper.status,
        "figure": paper.figure if summary and summary.figure else None,
        "figure_caption": summary.figure.caption if summary and summary.figure else None,
    }


def page_facts(page: DigestPage) -> dict[str, object]:
    """What every view of a day's page shows: its header, contents and papers (`usage` as `Usage` facts)."""
    return {
        "page": page,
        "categories": ", ".join(page.categories),
        "announced": announced(page),
        "sources": sources(page),
        "groups": page_groups(page),
        "summarized": len(page.summarized),
        "unfinished": [paper_view(0, p) for p in page.unfinished],
        "usage": usage(page.summarized),
    }


def page_groups(page: DigestPage) -> list[dict[str, object]]:
    """Summarized papers grouped by topic in the page's topic order, numbered through the page."""
    order = list(page.topics) + sorted({p.topic for p in page.summarized} - set(page.topics))
    groups: list[dict[str, object]] = []
    number = 0
    for topic in order:
        members = [p for p in page.summarized if p.topic == topic]
        if not members:
            continue
        views = []
        for paper in members:
            number += 1
            views.append(paper_view(number, paper))
        groups.append({"name": topic, "papers": views})
    return groups
