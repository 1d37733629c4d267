"""Keyword matching and ranking over a paper's title and abstract (pure functions, no I/O).

Used by `--filter-keys` / `--exclude-keys` on arXiv searches and by the nightly digest. Matching is on
whole words, case-insensitive: "rag" finds "RAG" and "RAGs" but never "fragment". A phrase matches
across line breaks and hyphen variants ("fine tuning" finds "fine-tuning", "fine\\ntuning" and
"finetuning"), and the last word may take a plural "s"/"es" ("language model" finds "language models").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from chatpaper.models import ArxivEntry

# Weights: where a keyword is found matters more than how often (counting repeats would reward
# keyword stuffing), and a multi-word phrase is a more specific signal than a single word.
TITLE_WEIGHT = 3.0
ABSTRACT_WEIGHT = 1.0
PHRASE_WEIGHT = 2.0  # multiplier for keywords of two or more words

# Between the words of a phrase: any run of whitespace and dashes (ASCII hyphen, Unicode hyphens,
# en/em dash), or nothing at all ("multi-agent" also finds "multiagent").
_SEPARATOR = r"[\s\-\u2010\u2011\u2012\u2013\u2014]*"
_WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")


@dataclass(frozen=True)
class Scored:
    """An entry with its relevance score and the include keywords it matched (in keyword order)."""

    entry: ArxivEntry
    score: float
    matched: list[str] = field(default_factory=list)


def _words(keyword: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(keyword.strip()) if w]


@lru_cache(maxsize=1024)
def _pattern(keyword: str) -> re.Pattern[str] | None:
    """Compile one keyword; None for a blank one. Lookarounds instead of \\b so "C++" works too."""
    words = _words(keyword)
    if not words:
        return None
    body = _SEPARATOR.join(re.escape(w) for w in words)
    last = words[-1]
    if last[-1:].isalpha():
        # A plural of the last word is the same topic: LLM/LLMs, model/models, bus/buses.
        body += "(?:es)?" if re.search(r"(?:s|x|z|ch|sh)$", last, re.IGNORECASE) else "s?"
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _clean(keywords: Iterable[str]) -> list[str]:
    """Drop blanks and duplicates (case-insensitive), keeping the first spelling and the order."""
    seen: set[str] = set()
    kept: list[str] = []
    for keyword in keywords:
        key = " ".join(_words(keyword)).casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(keyword.strip())
    return kept


def find_keywords(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords (or phrases) that occur in `text` as whole words, case-insensitive, in keyword order."""
    found: list[str] = []
    for keyword in _clean(keywords):
        pattern = _pattern(keyword)
        if pattern is not None and pattern.search(text):
            found.append(keyword)
    return found


def matches_all(entry: ArxivEntry, keywords: Sequence[str]) -> bool:
    """True when every keyword occurs in the entry's title or abstract (used by --filter-keys)."""
    wanted = _clean(keywords)
    return len(find_keywords(f"{entry.title}\n{entry.abstract}", wanted)) == len(wanted)


def score_entry(entry: ArxivEntry, include: Sequence[str], exclude: Sequence[str]) -> Scored | None:
    """Score `entry` on its title and abstract; None when any `exclude` keyword occurs in either.

    Each include keyword adds TITLE_WEIGHT if found in the title and ABSTRACT_WEIGHT if found in the
    abstract, times PHRASE_WEIGHT when it has several words. With no include keywords the score is 0.
    """
    if find_keywords(f"{entry.title}\n{entry.abstract}", exclude):
        return None
    score = 0.0
    matched: list[str] = []
    for keyword in _clean(include):
        in_title = bool(find_keywords(entry.title, [keyword]))
        in_abstract = bool(find_keywords(entry.abstract, [keyword]))
        if not (in_title or in_abstract):
            continue
        weight = PHRASE_WEIGHT if len(_words(keyword)) > 1 else 1.0
        score += weight * (TITLE_WEIGHT * in_title + ABSTRACT_WEIGHT * in_abstract)
        matched.append(keyword)
    return Scored(entry=entry, score=score, matched=matched)


def rank_entries(
    entries: Iterable[ArxivEntry],
    include: Sequence[str],
    exclude: Sequence[str],
    top: int | None = None,
    *,
    require_match: bool = False,
) -> list[Scored]:
    """Entries not excluded, best score first, at most `top` of them.

    The sort is stable: ties (and everything, when there are no include keywords) keep their input
    order, which for the announcement feed is arXiv's own order. `require_match` drops entries that
    match no include keyword (it has no effect without include keywords).
    """
    scored = [s for s in (score_entry(e, include, exclude) for e in entries) if s is not None]
    if require_match and _clean(include):
        scored = [s for s in scored if s.matched]
    scored.sort(key=lambda s: -s.score)
    return scored if top is None else scored[: max(top, 0)]
