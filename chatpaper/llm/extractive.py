"""The offline extractive backend: a ChatPaper summary built from the paper's own sentences.

Used when no LLM endpoint is configured. Nothing is generated: every summary point is a short
paragraph of sentences quoted from the paper, ranked per point by cue phrases, the section they come
from, their position in it and their TF-IDF similarity to the paper as a whole. It cannot judge
(whether the motivation is sound) and cannot translate, and the report says so. Deterministic: the
same `Paper` gives a byte-identical answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal
from urllib.parse import urlsplit

from chatpaper.code_hosts import is_repository_host
from chatpaper.llm.backend import Draft
from chatpaper.llm.sentences import (
    GENERIC_WORDS,
    SOFT_REASONS,
    STOP_WORDS,
    cosine,
    is_cjk,
    junk_reason,
    length_units,
    normalize_space,
    split_sentences,
    stem,
    strip_label,
    terms,
    tfidf_vector,
)
from chatpaper.models import POINTS, ArxivEntry, Language, Paper, Point, PointQuotes, SummaryAnswer, SummaryPoints
from chatpaper.scripts import HAN

MAX_POINT_UNITS = 90  # words per point (about 180 Chinese characters)
MAX_SENTENCES = 4
MIN_SENTENCES = 2
MAX_KEYWORDS = 8
NEAR_REPEAT = 0.5  # share of content words two sentences may have in common (abstract vs introduction)

# How much each point trusts each section role. Roles not listed (references, appendix) are never read.
ROLE_WEIGHTS: dict[Point, dict[str, float]] = {
    "background": {
        "abstract": 1.0, "introduction": 1.0, "background": 0.8, "related_work": 0.35, "conclusion": 0.3,
        "discussion": 0.3, "other": 0.3, "method": 0.15, "experiments": 0.1, "results": 0.1,
    },
    "prior_work": {
        "related_work": 1.0, "introduction": 0.85, "background": 0.75, "abstract": 0.6, "discussion": 0.4,
        "other": 0.35, "method": 0.3, "conclusion": 0.3, "experiments": 0.25, "results": 0.2,
    },
    "method": {
        "method": 1.0, "abstract": 0.85, "introduction": 0.75, "other": 0.55, "conclusion": 0.55,
        "experiments": 0.35, "background": 0.3, "discussion": 0.3, "results": 0.2, "related_work": 0.15,
    },
    "results": {
        "experiments": 1.0, "results": 1.0, "conclusion": 0.9, "abstract": 0.85, "discussion": 0.75,
        "introduction": 0.5, "other": 0.4, "method": 0.3, "background": 0.1, "related_work": 0.1,
    },
}  # fmt: skip

# How fast a sentence's weight falls with its position in its section: the problem statement opens
# an introduction, while results are spread through an experiments section.
POSITION_DECAY: dict[Point, float] = {"background": 0.12, "prior_work": 0.03, "method": 0.05, "results": 0.02}

_Cue = tuple[re.Pattern[str], float]


def _cues(*groups: tuple[float, str]) -> tuple[_Cue, ...]:
    """Cue patterns: English alternatives match whole words case-insensitively, Chinese ones as substrings."""
    compiled = []
    for weight, alternatives in groups:
        parts = [a.strip() for a in alternatives.split("|") if a.strip()]
        latin = [p for p in parts if not is_cjk(p)]
        chinese = [p for p in parts if is_cjk(p)]
        if latin:
            # Lookarounds rather than \b, which would never match after "92.3%".
            compiled.append((re.compile(r"(?<!\w)(?:" + "|".join(latin) + r")(?!\w)", re.IGNORECASE), weight))
        if chinese:
            compiled.append((re.compile("|".join(chinese)), weight))
    return tuple(compiled)


_PERCENT = r"\d+(?:\.\d+)?\s?%"

CUES: dict[Point, tuple[_Cue, ...]] = {
    "background": _cues(
        (
            1.0,
            "is a fundamental|are fundamental|has attracted|have attracted|has received|have received|"
            "has become|have become|plays? an? (?:important|key|central|crucial) role|is an important|"
            "is a (?:key|central|core|long-standing|challenging)|重要|挑战|近年来|越来越|受到.{0,6}关注|吸引了",
        ),
        (
            0.6,
            "challenges?|challenging|important|crucial|critical|essential|fundamental|widely|increasingly|"
            "growing|in recent years|recently|emerging|popular|ubiquitous|notoriously|demand|long-standing|"
            "广泛|关键|需求|难题",
        ),
        (0.3, "problem|applications?|task|goal|aims? to|problem of|应用|问题"),
    ),
    "prior_work": _cues(
        (
            1.2,
            "existing (?:methods|approaches|work|works|techniques|systems|models|studies|solutions)|"
            "previous (?:work|works|methods|approaches|studies|research)|prior (?:work|works|methods|approaches|art)|"
            "(?:traditional|conventional|classical) (?:methods|approaches|techniques)|"
            "ha(?:s|ve) been (?:proposed|studied|explored|developed|used)|"
            "现有方法|现有的|已有的?研究|以往|传统方法|先前",
        ),
        (
            1.0,
            "however|suffers? from|fails? to|failed to|limitations?|limited|unable to|struggles? to|"
            "drawbacks?|shortcomings?|lacks?|lacking|insufficient|does not|do not|cannot|costly|expensive|"
            "然而|但是|缺乏|局限|不足|难以|无法|成本高|较差|较低",
        ),
        (
            1.0,
            "(?:earlier|recent|other|many|several|some|these) (?:work|works|studies|methods|approaches|techniques|"
            "systems|authors|researchers)|(?:was|were) (?:proposed|introduced|developed) (?:by|in)|"
            "not (?:scalable|suitable|applicable|robust)|(?:ignores?|overlooks?|neglects?)|restricted to|prone to|"
            "remains? (?:an? )?(?:challenge|open|unclear|difficult|unsolved)",
        ),
        (0.5, "et al\\.?|rel(?:y|ies) on|requires?|only|despite|although|while|approaches|methods|等人|依赖|一些研究"),
    ),
    "method": _cues(
        (
            # the paper names what it contributes: "we propose ...", "we present ... method" (but "we present
            # figures" or "we describe the data" is no method)
            1.5,
            "we (?:propose|introduce|develop|devise|design)|in this (?:paper|work|article|letter)|"
            "we (?:present|describe|formulate)(?:\\W+[\\w-]+){0,6}?\\W+"
            "(?:method|model|approach|framework|algorithm|technique|system|architecture|pipeline|network|scheme|"
            "strateg(?:y|ie)|procedure|solution|agent|formulation|benchmark|dataset|package|tool)(?:e?s)?|"
            "this (?:paper|work|article) (?:proposes|presents|introduces|develops|describes)|"
            "our (?:approach|method|framework|model|system|algorithm|technique)|"
            "the proposed|本文提出|我们提出|本文设计|我们设计|本文|提出了",
        ),
        (0.8, "we present|we describe|we formulate"),
        (
            0.6,
            "we (?:use|train|apply|leverage|adopt|employ|build|construct|extend|combine|define|model|compute)|"
            "consists? of|is composed of|framework|architecture|algorithm|pipeline|module|key idea|novel|"
            "to address|to tackle|to solve|to overcome|allows? us|enables?|框架|结构|模块|方法|组成|包括",
        ),
    ),
    "results": _cues(
        (
            1.2,
            _PERCENT + "|outperforms?|outperformed|outperforming|state[- ]of[- ]the[- ]art|surpass(?:es|ed)?|"
            "improv(?:es?|ed|ing|ements?)|achiev(?:es?|ed|ing)|speed-?up|\\d+(?:\\.\\d+)?\\s?(?:x|×) faster|"
            "提升|提高|优于|超过|达到|实验表明|结果表明|显著",
        ),
        (
            0.8,
            "compared (?:to|with)|than|baselines?|accuracy|f1|bleu|rouge|success rate|error rate|"
            "results show|experiments show|we show|we demonstrate|we find|we found|we observe|demonstrates?|"
            "significantly|gains?|reduces?|reduced|higher|lower|better|evaluat\\w+|benchmarks?|"
            "相比|准确率|证明|表明|效果",
        ),
        (0.4, "\\d+\\.\\d+|from \\d+|by \\d+"),
    ),
}
# A sentence that clearly belongs to another point weighs less here.
ANTI_CUES: dict[Point, tuple[_Cue, ...]] = {
    "background": CUES["method"][:1] + CUES["results"][:1] + _cues((0.5, "we|our|我们")),
    "prior_work": _cues(
        (1.0, "we propose|we introduce|we present|in this (?:paper|work)|本文|我们提出"),
        (0.8, "we|our|我们"),
    )
    + CUES["results"][:1],
    "method": CUES["results"][:1],
    "results": _cues((0.5, "we propose|we introduce|in this (?:paper|work)")),
}
CUE_CAP = 3.0
SYSTEM_NAME_CUE: dict[Point, float] = {"background": 0.0, "prior_work": 0.0, "method": 0.5, "results": 0.3}
SYSTEM_NAME_ANTI: dict[Point, float] = {"background": 1.0, "prior_work": 1.5, "method": 0.0, "results": 0.0}
CENTRALITY_WEIGHT = 5.0  # cosines with the whole paper mostly fall in 0.05-0.3

_CITATION = re.compile(r"\[[^\[\]]{1,60}\]|\([^()]{0,60}\d{4}[a-z]?\)")

# Sentences whose subject points back at the one before ("These models ...", "It ...") read badly out of
# context; "This paper ..." does not. (Connectives such as "Second," make a sentence a fallback only: see
# `junk_reason`.)
_DANGLING = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|such|neither|either|both)\b(?!\s+(?:paper|work|article|study|letter|thesis|report))",
    re.IGNORECASE,
)

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_CODE_CUE = re.compile(
    r"\bour (?:code|implementation|source code|models?|data(?:set)?|tool|library|package)\b|"
    r"\bcode (?:is|are|will be|has been) (?:publicly |openly |freely )?(?:available|released)|"
    r"\bcode and (?:data|models?)\b|"
    r"\bwe (?:publicly )?(?:release|open[- ]source)|项目地址|代码",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Sentence:
    """A candidate sentence and what ranking needs to know about it."""

    index: int  # reading order across the whole paper
    text: str
    role: str
    position: int  # index within its section
    units: float
    words: frozenset[str]
    names_system: bool = False  # mentions the paper's own system ("PaSa" in "PaSa: An LLM Agent ...")


class ExtractiveBackend:
    """Summaries quoted from the paper itself: no network, no LLM, no cost."""

    name: Literal["extractive"] = "extractive"
    model = "extractive"
    prompt_version = "extractive-3"  # bumped when the picks or the answer change, so earlier reports are redone

    def summarize(self, paper: Paper, language: Language, *, arxiv: ArxivEntry | None = None) -> Draft:
        """Build the summary from `paper`'s own text. `language` cannot be honoured: quotes stay as printed."""
        return Draft(answer=summarize_extractively(paper, arxiv=arxiv))

    def estimate_prompt_tokens(
        self, paper: Paper | None, language: Language, *, arxiv: ArxivEntry | None = None
    ) -> int:
        """No prompt is ever sent."""
        return 0


def summarize_extractively(paper: Paper, *, arxiv: ArxivEntry | None = None) -> SummaryAnswer:
    """The `SummaryAnswer` for `paper`, with `arxiv`'s title and authors when given."""
    title = normalize_space(arxiv.title) if arxiv and arxiv.title.strip() else normalize_space(paper.title)
    if not title:
        title = PurePath(paper.path).stem or "Untitled"
    authors = [normalize_space(a) for a in arxiv.authors] if arxiv and arxiv.authors else list(paper.authors)
    abstract = arxiv.abstract if arxiv and arxiv.abstract.strip() and not paper.abstract.strip() else paper.abstract
    picks = pick_points(paper, title, abstract)
    fallback = fallback_text(paper, title, abstract)
    return SummaryAnswer(
        title=title,
        title_translated=None,
        authors=[a for a in authors if a.strip()],
        first_author_affiliation=(paper.first_author_affiliation or "").strip() or None,
        keywords=pick_keywords(paper, title, abstract),
        code_url=pick_code_url(paper),
        summary=SummaryPoints(**{point: _join(picked) or fallback for point, picked in picks.items()}),
        evidence=PointQuotes(**picks),
    )


# --- the four points -------------------------------------------------------------------------------


def pick_points(paper: Paper, title: str, abstract: str) -> dict[Point, list[str]]:
    """Each point's best-ranked sentences from the paper, in reading order: the point is their
    paragraph, and they are its evidence. A point may get none when the paper has no sentence worth
    quoting (then it shows `fallback_text`)."""
    blocks = _blocks(paper, abstract)
    strict, lax = _candidates(blocks, _system_name(title))
    centrality = _centrality(strict, lax, [title, title, *paper.keywords])

    chosen = _select(strict, centrality)
    taken = {s.index for picks in chosen.values() for s in picks}
    for point in POINTS:
        if chosen[point]:
            continue
        # Few usable sentences (an abstract-only paper, a fragmentary scan): accept weaker ones,
        # then reuse another point's, then fall back to the title rather than leave a point blank.
        spare = [s for s in strict + lax if s.index not in taken]
        ranked = _rank(point, spare, centrality) or _rank(point, strict + lax, centrality)
        if ranked:
            chosen[point] = [ranked[0]]
            taken.add(ranked[0].index)
    return {point: [s.text for s in sorted(chosen[point], key=lambda s: s.index)] for point in POINTS}


def fallback_text(paper: Paper, title: str, abstract: str) -> str:
    """What a point shows when no sentence of the paper can be quoted: its opening words, else the title."""
    return _first_text(_blocks(paper, abstract)) or title


def _blocks(paper: Paper, abstract: str) -> list[tuple[str, str]]:
    """(role, text) in reading order: the abstract, then body sections a summary may quote."""
    blocks: list[tuple[str, str]] = []
    has_abstract_section = any(s.role == "abstract" and s.text.strip() for s in paper.sections)
    if abstract.strip() and not has_abstract_section:
        blocks.append(("abstract", abstract))
    for section in paper.sections:
        if section.role in ("references", "appendix", "end_matter") or not section.text.strip():
            continue
        blocks.append((section.role, section.text))
    return blocks


def _system_name(title: str) -> re.Pattern[str] | None:
    """The name a "Name: what it does" title gives the paper's own system, as a whole-word pattern."""
    head, colon, _ = title.replace("：", ":").partition(":")
    name = head.strip(" \"“”‘’'!?")
    if not colon or not name or len(name.split()) > 3 or len(name) < 3:
        return None
    return re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")


def _candidates(
    blocks: Sequence[tuple[str, str]], system: re.Pattern[str] | None = None
) -> tuple[list[_Sentence], list[_Sentence]]:
    """Sentences fit to quote (strict) and those only a fallback may use (lax), deduplicated."""
    found: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    for role, text in blocks:
        for position, raw in enumerate(split_sentences(text)):
            sentence = strip_label(raw)
            key = re.sub(r"\W+", "", sentence.lower())
            if key and key not in seen:
                seen.add(key)
                found.append((role, position, sentence))
    roles = _positional_roles([role for role, _, _ in found])
    strict: list[_Sentence] = []
    lax: list[_Sentence] = []
    for index, ((_, position, sentence), role) in enumerate(zip(found, roles, strict=True)):
        names_system = bool(system and system.search(sentence))
        words = frozenset(terms(sentence))
        item = _Sentence(index, sentence, role, position, length_units(sentence), words, names_system)
        reason = junk_reason(sentence)
        if reason is None:
            strict.append(item)
        elif reason in SOFT_REASONS:
            lax.append(item)
    return strict, lax


def _positional_roles(roles: Sequence[str]) -> list[str]:
    """Roles by position when the reader found no section structure (one unnamed body section):
    a paper opens with its introduction and closes with its conclusion."""
    if any(role not in ("abstract", "other") for role in roles):
        return list(roles)
    body = [i for i, role in enumerate(roles) if role == "other"]
    guessed = list(roles)
    for rank, i in enumerate(body):
        share = rank / len(body)
        guessed[i] = "introduction" if share < 0.2 else "conclusion" if share >= 0.9 else "other"
    return guessed


def _centrality(strict: Sequence[_Sentence], lax: Sequence[_Sentence], extra: Sequence[str]) -> dict[int, float]:
    """Each sentence's TF-IDF cosine with the title, keywords (`extra`) and the paper's whole text.

    Not with the abstract alone: abstract sentences would match themselves and crowd out the sections.
    """
    idf = _idf([s.text for s in [*strict, *lax]])
    reference = tfidf_vector(" ".join([*extra, *(s.text for s in strict)]), idf)
    return {s.index: cosine(tfidf_vector(s.text, idf), reference) for s in [*strict, *lax]}


def _idf(texts: Sequence[str]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(terms(text)))
    n = len(texts)
    return {t: math.log((n + 1) / (c + 1)) + 1 for t, c in df.items()}


def _score(point: Point, sentence: _Sentence, centrality: float) -> float:
    """How well `sentence` serves `point`: 0 when its section is not one the point reads."""
    weight = ROLE_WEIGHTS[point].get(sentence.role, 0.0)
    if not weight:
        return 0.0
    text = sentence.text
    cue = min(CUE_CAP, sum(w for pattern, w in CUES[point] if pattern.search(text)))
    anti = min(CUE_CAP, sum(w for pattern, w in ANTI_CUES[point] if pattern.search(text)))
    if sentence.names_system:  # the paper's own system: its method and results, not the background
        cue += SYSTEM_NAME_CUE[point]
        anti += SYSTEM_NAME_ANTI[point]
    position = max(0.4, 1 / (1 + POSITION_DECAY[point] * sentence.position))
    score = weight * position * (0.5 + cue - 0.6 * anti + CENTRALITY_WEIGHT * centrality)
    if _DANGLING.match(text):
        score *= 0.5
    if point == "prior_work" and sentence.role != "related_work" and not cue and not _CITATION.search(text):
        # outside a related-work section, a sentence neither citing nor naming earlier work and its limits
        # is about this paper's own subject (a model definition), not about past methods
        score *= 0.4
    if point == "method" and sentence.role != "method" and not cue:
        # outside a method section, only a sentence that says what the paper does ("we propose", "our
        # framework consists of") describes the method; the rest of an introduction is its background
        score *= 0.5
    if text.endswith(("?", "？")):  # research questions, not answers
        score *= 0.5
    if point != "prior_work":  # a string of citations is about other papers
        score *= 0.85 ** max(0, len(_CITATION.findall(text)) - 1)
    return max(score, 0.0)


def _rank(point: Point, sentences: Sequence[_Sentence], centrality: dict[int, float]) -> list[_Sentence]:
    scored = [(_score(point, s, centrality[s.index]), s) for s in sentences]
    return [s for score, s in sorted(scored, key=lambda p: (-p[0], p[1].index)) if score > 0]


def _select(sentences: Sequence[_Sentence], centrality: dict[int, float]) -> dict[Point, list[_Sentence]]:
    """Fill the points in rounds, one sentence per point per round, never quoting a sentence twice.

    Within a round the point whose best remaining sentence is strongest relative to its own top
    score picks first, so a sentence both points want goes to the one it suits better.
    """
    scores = {p: {s.index: _score(p, s, centrality[s.index]) for s in sentences} for p in POINTS}
    ranked = {p: sorted((s for s in sentences if scores[p][s.index] > 0), key=lambda s: (-scores[p][s.index], s.index))
              for p in POINTS}  # fmt: skip
    top = {p: scores[p][ranked[p][0].index] if ranked[p] else 0.0 for p in POINTS}
    chosen: dict[Point, list[_Sentence]] = {p: [] for p in POINTS}
    taken: set[int] = set()
    for round_ in range(MAX_SENTENCES):
        floor = 0.0 if round_ < MIN_SENTENCES else 0.6
        waiting = [p for p in POINTS if len(chosen[p]) == round_]
        while waiting:
            offers = []
            for p in waiting:
                pick = _next_fit(ranked[p], scores[p], floor * top[p], chosen[p], chosen, taken)
                if pick is not None:
                    offers.append((-scores[p][pick.index] / top[p], POINTS.index(p), p, pick))
            if not offers:
                break
            _, _, point, pick = min(offers)
            chosen[point].append(pick)
            taken.add(pick.index)
            waiting.remove(point)
    return chosen


def _next_fit(
    ranked: Sequence[_Sentence],
    scores: dict[int, float],
    minimum: float,
    mine: Sequence[_Sentence],
    chosen: dict[Point, list[_Sentence]],
    taken: set[int],
) -> _Sentence | None:
    """The best sentence scoring at least `minimum` that is free, not a near-repeat of any chosen
    sentence and fits the point's length cap (`mine` are the point's sentences so far)."""
    used = sum(s.units for s in mine)
    picked = [s for picks in chosen.values() for s in picks]
    for sentence in ranked:
        if scores[sentence.index] < minimum:
            return None
        if sentence.index in taken:
            continue
        if mine and used + sentence.units > MAX_POINT_UNITS:
            continue
        if any(_overlap(sentence.words, other.words) >= NEAR_REPEAT for other in picked):
            continue
        return sentence
    return None


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _join(sentences: Sequence[str]) -> str:
    text = ""
    for sentence in sentences:
        glue = "" if not text or text[-1] in "。！？；”」" else " "
        text += glue + sentence
    return text.strip()


def _first_text(blocks: Sequence[tuple[str, str]], limit: int = 60) -> str:
    """The opening words of the paper's text, for a paper with no sentence worth quoting."""
    for _, text in blocks:
        flat = normalize_space(text)
        if flat:
            return flat[: limit * 2] if is_cjk(flat) else " ".join(flat.split(" ")[:limit])
    return ""


# --- keywords -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-zÀ-ɏ][A-Za-z0-9À-ɏ]*(?:-[A-Za-z0-9À-ɏ]+)*")
_PHRASE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”‘’/|=+<>]|\s[-–—]\s|\b\d+(?:\.\d+)?%?\b")
_ACRONYM = re.compile(r"(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*[A-Z0-9]s?")
_ROMAN = re.compile(r"[IVXLC]+")
_CJK_FUNCTION = set("的了是在和与对为等中也都而及或被将把这那其之以于从由到并但一个我们他们它们可以进行通过使用")


def pick_keywords(paper: Paper, title: str, abstract: str) -> list[str]:
    """The paper's own keyword line, else its most distinctive terms (3-8, deterministic)."""
    own = _clean_keywords(paper.keywords)
    if own:
        return own[:MAX_KEYWORDS]
    body = [s.text for s in paper.body_sections() if s.role != "appendix"]
    weighted = [(title, 3.0), (abstract, 2.0), *((text, 1.0) for text in body)]
    found = _latin_keywords(weighted)
    if len(found) < 3:
        found += [k for k in _cjk_keywords(weighted) if k not in found]
    return found[:6]


# A label only with its colon or dash: "关键词抽取" (keyword extraction) and "Keyword spotting" are keywords.
_KEYWORD_LABEL = re.compile(r"^(?:key\s*-?\s*words?|index terms|关键词|关键字)\s*[:：—–]\s*", re.IGNORECASE)
_KEYWORD_SEPARATOR = re.compile(r"[;,·•；，、]|\s[—–]\s")


def _clean_keywords(keywords: Sequence[str]) -> list[str]:
    """The keyword line as printed: split if the reader left it as one string, label and duplicates dropped."""
    cleaned: list[str] = []
    seen: set[str] = set()
    parts = [p for k in keywords for p in _KEYWORD_SEPARATOR.split(_KEYWORD_LABEL.sub("", k.strip()))]
    for keyword in parts:
        value = normalize_space(keyword).strip(" .;,·")
        # A "keyword" of a dozen words is a line the reader swept in with the keyword line.
        if value and value.lower() not in seen and len(value.split()) <= 8 and len(value) <= 80:
            seen.add(value.lower())
            cleaned.append(value)
    return cleaned


@dataclass
class _Term:
    count: float = 0.0  # weighted: a title occurrence counts thrice, an abstract one twice
    occurrences: int = 0  # outside the title
    in_title: bool = False
    in_abstract: bool = False
    sections: int = 0
    forms: Counter[str] = field(default_factory=Counter)  # printed forms, for display


def _latin_keywords(weighted: Sequence[tuple[str, float]]) -> list[str]:
    """Noun-ish unigrams, bigrams and acronyms weighted by frequency, spread and title/abstract presence."""
    found: dict[tuple[str, ...], _Term] = {}
    for block, (text, weight) in enumerate(weighted):
        seen_here: set[tuple[str, ...]] = set()
        # NFKC undoes ligatures ("eﬀective") so a keyword reads as a word; keywords are not quotes.
        for phrase in _PHRASE_BREAK.split(unicodedata.normalize("NFKC", text).replace("\n", " ")):
            tokens = _TOKEN.findall(phrase)
            run: list[str] = []
            for token in [*tokens, ""]:
                if token and _content_token(token):
                    run.append(token)
                    continue
                for key, form in _phrases(run):
                    term = found.setdefault(key, _Term())
                    term.count += weight
                    term.occurrences += block > 0
                    term.forms[form] += 1
                    term.in_title |= block == 0
                    term.in_abstract |= block == 1
                    if key not in seen_here:
                        seen_here.add(key)
                        term.sections += block > 1
                run = []
    # A word mostly seen inside one phrase is that phrase's part, not a keyword of its own
    # ("learning" in "reinforcement learning").
    inside: dict[str, float] = {}  # word -> the weighted count of its most frequent phrase
    for key, term in found.items():
        for part in key if len(key) > 1 else ():
            inside[part] = max(inside.get(part, 0.0), term.count)
    ranked: list[tuple[float, tuple[str, ...], str]] = []
    for key, term in found.items():
        count = term.count - 0.8 * inside.get(key[0], 0.0) if len(key) == 1 else term.count
        # Seen twice, or in the title and once more: a phrase met once is not a topic.
        if count < 2 or term.occurrences < (1 if term.in_title else 2):
            continue
        form = min(term.forms.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
        acronym = len(key) == 1 and bool(_ACRONYM.fullmatch(form))
        score = math.log1p(max(count, 0.0)) * (1 + 1.5 * term.in_title + 1.0 * term.in_abstract)
        score *= 1 + 0.15 * min(term.sections, 5)
        score *= 1.4 if acronym else 1.3 if len(key) > 1 else 1.0
        ranked.append((score, key, form))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    picked: list[tuple[tuple[str, ...], str]] = []
    best = ranked[0][0] if ranked else 0.0
    for score, key, form in ranked:
        if len(picked) >= 6 or (len(picked) >= 3 and score < 0.35 * best):
            break
        # No keyword inside another, and no two phrases sharing a word ("modeling multi-way",
        # "multi-way spectroscopic").
        if any(set(key) <= set(k) or set(k) <= set(key) or (len(k) > 1 < len(key) and set(k) & set(key))
               for k, _ in picked):  # fmt: skip
            continue
        picked.append((key, form))
    return [form for _, form in picked]


def _content_token(token: str) -> bool:
    low = token.lower()
    if low in STOP_WORDS or low in GENERIC_WORDS or stem(low) in GENERIC_WORDS:
        return False
    if _ACRONYM.fullmatch(token):
        # Roman numerals (section numbers) and shouted headings are not acronyms.
        return not _ROMAN.fullmatch(token) and len(token.rstrip("s")) <= 8 and low not in STOP_WORDS
    if token.isupper() and len(token) > 1:
        return False
    return len(low) > 2 and not low.endswith("ly") and not any(c.isdigit() for c in low[:1])


def _phrases(run: Sequence[str]) -> list[tuple[tuple[str, ...], str]]:
    """Unigrams and bigrams of a run of content tokens, keyed by stem, with their printed form."""
    out: list[tuple[tuple[str, ...], str]] = []
    for i, token in enumerate(run):
        out.append(((_key(token),), _display(token)))
        if i + 1 < len(run) and not _ACRONYM.fullmatch(run[i + 1]) and not _ACRONYM.fullmatch(token):
            out.append(((_key(token), _key(run[i + 1])), f"{_display(token)} {_display(run[i + 1])}"))
    return out


def _key(token: str) -> str:
    return token.rstrip("s") if _ACRONYM.fullmatch(token) else stem(token)


def _display(token: str) -> str:
    """Acronyms and names with inner capitals as printed ("LLM", "LangGPT"); other words lower-cased."""
    if _ACRONYM.fullmatch(token):
        return token[:-1] if token.endswith("s") and token[:-1].isupper() else token
    return token if any(c.isupper() for c in token[1:]) else token.lower()


_HAN_RUN = re.compile(f"[{HAN}]+")


def _cjk_keywords(weighted: Sequence[tuple[str, float]]) -> list[str]:
    """Frequent Chinese 2-4 character terms, for a Chinese paper with few Latin terms."""
    counts: Counter[str] = Counter()
    for text, weight in weighted:
        for run in _HAN_RUN.findall(text):
            for n in (2, 3, 4):
                for i in range(len(run) - n + 1):
                    gram = run[i : i + n]
                    if gram[0] not in _CJK_FUNCTION and gram[-1] not in _CJK_FUNCTION:
                        counts[gram] += int(weight)
    # A longer term that is as frequent as its parts replaces them ("提示工程" over "提示").
    kept = [
        g for g, c in counts.items() if c >= 3 and not any(g in o and counts[o] >= c * 0.8 for o in counts if o != g)
    ]
    kept.sort(key=lambda g: (-counts[g] * len(g), g))
    return kept[:6]


# --- the code repository --------------------------------------------------------------------------


def pick_code_url(paper: Paper) -> str | None:
    """The paper's own code repository, or None: the link the reader found the paper offering as its own,
    else a code-host URL printed in a sentence that offers the paper's code. Never merely the first link:
    papers also print the repositories of the datasets and tools they use."""
    own = (paper.code_url or "").strip()
    if own:
        # A deep link into a repository whose root is also printed: the root names the repository.
        root = _repository_root(own) if _is_code_host(own) else own
        printed = {u.strip() for u in paper.code_urls}
        return root if root != own and root in printed else own
    for text in [paper.abstract, *(s.text for s in paper.body_sections())]:
        for sentence in split_sentences(text):
            if not _CODE_CUE.search(sentence):
                continue
            for match in _URL.finditer(sentence):
                url = match.group(0).rstrip(".,;:")
                if _is_code_host(url) and _is_repository(url):
                    return url if "://" in url else f"https://{url}"
    return None


def _is_code_host(url: str) -> bool:
    return is_repository_host(urlsplit(url if "://" in url else f"https://{url}").netloc.lower())


def _repository_root(url: str) -> str:
    """`https://host/owner/name` of a code-host URL, without trailing parts."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    path = "/".join(parts.path.strip("/").split("/")[:2])
    return f"{parts.scheme}://{parts.netloc}/{path}"


def _is_repository(url: str) -> bool:
    """An owner/name path not cut off by a line break ("github.com/jhu-" is half a URL)."""
    path = urlsplit(url if "://" in url else f"https://{url}").path.strip("/")
    return path.count("/") >= 1 and not url.endswith(("-", "_", "/", "."))
