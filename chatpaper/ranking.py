"""Keyword matching and ranking over a paper's title and abstract (pure functions, no I/O), and the
digest's topics: which papers each one picks, and under which topic a paper goes.

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

from chatpaper.errors import ConfigError, UsageError
from chatpaper.models import ArxivEntry
from chatpaper.settings import DigestSettings

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


# --- the digest's topics ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """A paper chosen for a day's page, with why it ranked where it did."""

    entry: ArxivEntry
    topic: str
    score: float
    matched: tuple[str, ...] = ()
    carried_from: str | None = None  # the earlier day of a paper retried on this page


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
            raise UsageError("no arXiv categories to follow: pass --category cs.CL or set [digest] categories")
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
