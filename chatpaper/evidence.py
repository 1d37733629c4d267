"""What a summary rests on: each quote and each number it states, looked up in the paper's own text.

A researcher should see at a glance whether a summary can be trusted. Every quote the summary gives
for a point is searched for in the paper (abstract, sections, tables and captions; never the
reference list) and traced to the section and page it is printed on; every number the four points
state is looked up among the numbers the paper prints. Pure functions over a `Paper`: the pipeline
records the result in the report (`PaperSummary.evidence`, `.checks`), the LLM backend uses it to
decide on its one re-ask, and the renderers only display it.

Matching a quote is robust to what differs between the PDF's text and a faithful copy of it: case,
whitespace and line breaks, end-of-line hyphenation, ligatures and other compatibility forms (NFKC),
quote marks, dashes and other punctuation, citation markers ("[12]", "(Smith et al., 2020)") and
elided parts ("..."). Letters, digits and decimal points must all be there, in order.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from chatpaper.models import (
    POINTS,
    ArxivEntry,
    Evidence,
    Paper,
    Point,
    PointEvidence,
    PointQuotes,
    SummaryChecks,
    SummaryPoints,
    UnsupportedNumber,
)
from chatpaper.scripts import is_wide

# --- quotes ----------------------------------------------------------------------------------------

# Citation markers a quote may leave out or keep: numbered ("[12]", "[3, 5-7]") and author-year
# ("(Smith et al., 2020; Li, 2021a)"). They are skipped on both sides, so either way matches.
_CITATION = re.compile(
    r"\[\s*\d{1,4}(?:\s*[,;–—-]\s*\d{1,4})*\s*\]"
    r"|\((?:[^()]{0,120}?\b(?:19|20)\d\d[a-z]?)(?:\s*[;,]\s*[^()]{0,120}?\b(?:19|20)\d\d[a-z]?)*\)"
)
# Where a quote leaves text out: "...", "…", "[...]".
_ELISION = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]|\.{3,}|…)\s*")

_FOLDED: dict[str, str] = {}


def _fold(ch: str) -> str:
    """The letters and digits `ch` stands for, compared caselessly: "ﬁ" is "fi", "Ａ" is "a", "²" is "2"."""
    folded = _FOLDED.get(ch)
    if folded is None:
        folded = "".join(c for c in unicodedata.normalize("NFKC", ch).casefold() if c.isalnum())
        _FOLDED[ch] = folded
    return folded


def match_key(text: str, *, citations: bool = True) -> tuple[str, list[int]]:
    """`text` reduced to what a quote must share with the paper, and for each key character its offset in `text`.

    Letters and digits, folded (NFKC, caseless), plus a decimal point between two digits, so that "97.3"
    never matches "973"; everything else (spaces, line-end hyphens, quote marks, dashes) is left out,
    and citation markers too unless `citations`.
    """
    skipped = [] if citations else [m.span() for m in _CITATION.finditer(text)]
    chars: list[str] = []
    where: list[int] = []
    n, k = len(text), 0
    for i, ch in enumerate(text):
        while k < len(skipped) and skipped[k][1] <= i:
            k += 1
        if k < len(skipped) and skipped[k][0] <= i:
            continue
        if ch.isascii():
            if ch.isalnum():
                chars.append(ch.lower())
                where.append(i)
            elif ch == "." and chars and chars[-1].isdigit() and i + 1 < n and text[i + 1].isdigit():
                chars.append(".")
                where.append(i)
            continue
        for c in _fold(ch):
            chars.append(c)
            where.append(i)
    return "".join(chars), where


@dataclass(frozen=True)
class _Keyed:
    """A text's match key and, for each key character, its offset in the text."""

    key: str
    where: list[int]


@dataclass(frozen=True)
class _Source:
    """One stretch of the paper's text a quote may come from, keyed with its citation markers and without
    (a quote may keep or drop them, and may also begin or end inside one: "2012). The ...")."""

    section: str | None
    text: str
    keyed: tuple[_Keyed, _Keyed]
    page_of: Callable[[int], int | None]  # page of a character offset of `text`


def _keyed(text: str, *, citations: bool) -> _Keyed:
    return _Keyed(*match_key(text, citations=citations))


def _on_page(page: int | None) -> Callable[[int], int | None]:
    """The page of every character of a text printed on one page (or on none known)."""
    return lambda _offset: page


def _source(section: str | None, text: str, page_of: Callable[[int], int | None]) -> _Source:
    return _Source(section, text, (_keyed(text, citations=True), _keyed(text, citations=False)), page_of)


# --- numbers ---------------------------------------------------------------------------------------

# A number as printed: grouped thousands ("12,345", "12 345" with a thin or no-break space), plain
# digits, a decimal part, or a bare decimal part (".95"); then an optional exponent ("1e-4").
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
_NUMBER = re.compile(rf"(?P<num>{_DIGITS})(?P<exp>[eE][-−+]?\d{{1,3}}(?!\d|\.\d))?")
# What may follow a number without a space and still leave it a number ("12GB", "7B", "3.2x", "5ms");
# other letters glued on make it part of a name ("3D", "2nd", "5G", "x86").
_UNIT = (
    r"%|‰|×|x|X|k|K|M|B|T|bn|ms|s|h|min|hrs?|GB|MB|KB|TB|kB|Gb|Mb|Hz|kHz|MHz|GHz|nm|μm|µm|mm|cm|km|m|g|kg|mg|"
    r"ml|mL|L|W|kW|MW|V|mV|eV|keV|MeV|GeV|TeV|°C|°F|°|dB|bp|kb|kbp|Mbp|px|fps|FLOPs|GFLOPs|TFLOPs|Mbps|Gbps|pp"
)
_GLUED_UNIT = re.compile(rf"(?:{_UNIT})(?![A-Za-z])")
_SPACED = re.compile(
    r"\s?(?P<word>%|‰|per ?cent\b|×|x\b|k\b|K\b|M\b|B\b|bn\b|thousand\b|million\b|billion\b|trillion\b|万|亿)"
)
_MULTIPLIER = {
    "k": Decimal(10**3), "K": Decimal(10**3), "thousand": Decimal(10**3), "万": Decimal(10**4),
    "M": Decimal(10**6), "million": Decimal(10**6), "B": Decimal(10**9), "bn": Decimal(10**9),
    "billion": Decimal(10**9), "亿": Decimal(10**8), "T": Decimal(10**12), "trillion": Decimal(10**12),
}  # fmt: skip
# Powers of ten as a summary writes them ("1 × 10^-4", "10^{-4}", "10^6") and as a PDF prints them once the
# superscript has lost its raise ("10−4", "×10-4").
_POWER_WRITTEN = re.compile(
    r"(?:(?P<mant>\d+(?:\.\d+)?)\s?[×x*]\s?)?10\s?\^\s?\{?\s?(?P<sign>[-−]?)(?P<exp>\d{1,2})\}?"
)
_POWER_PRINTED = re.compile(
    r"(?<![\d.])(?:(?P<mant>\d+(?:\.\d+)?)\s?[×x*]\s?)?10\s?(?P<sign>[-−])(?P<exp>\d{1,2})(?!\d)"
)
# A hedge before a number lets it be rounded: within APPROXIMATE of the paper's figure; a bound lets the
# paper's figure be on the side it states, within BOUND ("over 40%" for 47.5%, "under 10 ms" for 8 ms).
_HEDGE = re.compile(
    r"(?:(?<![A-Za-z])(?:about|around|approximately|approx\.|roughly|nearly|almost|some|circa)|~|∼|≈|约|大约|近|将近)"
    r"\s*$",
    re.I,
)
_ABOVE = re.compile(
    r"(?:(?<![A-Za-z])(?:over|above|more than|greater than|higher than|exceeding|at least)|>|≥|⩾|超过|逾|高于)\s*$",
    re.I,
)
_BELOW = re.compile(
    r"(?:(?<![A-Za-z])(?:up to|at most|less than|under|below|fewer than|lower than)|<|≤|⩽|不到|低于)\s*$", re.I
)
APPROXIMATE = Decimal("0.10")
BOUND = Decimal("0.50")
# Years are not checked: a summary's "since 2017" is context, not a result (see the README).
_YEAR = range(1900, 2100)
# Counts the paper spells out, so that a summary's "3 datasets" finds the paper's "three datasets".
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12, "single": 1, "double": 2, "twice": 2, "triple": 3, "half": 0.5,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
_NUMBER_WORD = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(w for w in NUMBER_WORDS if w.isascii()) + r")(?![A-Za-z])"
    r"|[" + "".join(w for w in NUMBER_WORDS if not w.isascii()) + "]",
    re.I,
)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _glued_before(text: str, at: int) -> bool:
    """Whether the number starting at `at` is part of a name: a letter of an alphabet right before it,
    or a letter and a hyphen ("GPT-4", "ResNet-50", "COVID-19", "F1", "v2")."""
    if at == 0:
        return False
    before = text[at - 1]
    if before.isalpha() and not is_wide(before):
        return True
    if before in "-‐‑_" and at > 1 and text[at - 2].isalpha() and not is_wide(text[at - 2]):
        return True
    return before in "._" or before.isdigit()


@dataclass(frozen=True)
class Quantity:
    """One number a summary states: as written, its value, and how precisely it is written."""

    text: str
    value: Decimal
    step: Decimal  # the value of one unit in its last written digit (0.1 for "97.3", 1000 for "12k")
    percent: bool = False
    rounded: bool = False  # written with decimals, as a percentage or with a multiplier: may be rounded
    hedge: str = ""  # "approximate", "above" or "below" when a hedge word comes before it


def _parse(match: re.Match[str], text: str) -> tuple[Decimal, Decimal, str, int] | None:
    """(value, step, unit word, end) of a number match, the unit read after it; None for a name's part."""
    raw = match.group("num")
    plain = re.sub(r"[,\u00a0\u202f\u2009]", "", raw)
    if plain.startswith("."):
        plain = "0" + plain
    value = _decimal(plain)
    if value is None:
        return None
    decimals = len(plain.split(".", 1)[1]) if "." in plain else 0
    step = Decimal(1).scaleb(-decimals)
    exp = match.group("exp")
    end = match.end()
    if exp:
        power = _decimal(exp[1:].replace("−", "-"))
        if power is None:
            return None
        value, step = value.scaleb(int(power)), step.scaleb(int(power))
    unit = ""
    glued = _GLUED_UNIT.match(text, end)
    if glued and end < len(text) and text[end].isalpha():
        unit = glued.group()
        end = glued.end()
    elif end < len(text) and text[end].isalpha() and not is_wide(text[end]):
        return None  # "3D", "2nd", "5G": part of a name
    else:
        spaced = _SPACED.match(text, end)
        if spaced:
            unit = spaced.group("word")
            end = spaced.end()
    multiplier = _MULTIPLIER.get(unit) or _MULTIPLIER.get(unit.lower() if len(unit) > 2 else unit)
    if multiplier is not None:
        value, step = value * multiplier, step * multiplier
    return value, step, unit, end


@dataclass(frozen=True)
class StatedNumber:
    """A number, or a range of two, as a summary states it: supported only when every part is."""

    text: str
    parts: tuple[Quantity, ...]


# Between the two ends of a range: "10-20", "10 – 20", "10 to 20", "10~20", "10至20".
_RANGE_GAP = re.compile(r"\s?[-–—~]\s?|\s+to\s+|\s?至\s?")


def find_numbers(text: str) -> list[StatedNumber]:
    """The numbers `text` states that can be checked: digits, decimals, percentages, grouped thousands,
    ranges, numbers with units or multipliers ("7B", "12k"), scientific notation. Years (1900-2099 as
    bare integers), numbers inside names ("GPT-4", "F1", "3D") and numbers written as words are left out."""
    text = unicodedata.normalize("NFKC", text)  # full-width digits and points, superscripts that lost their raise
    stated: list[tuple[int, int, StatedNumber]] = []
    for start, end, quantity in _quantities(text):
        if stated and len(stated[-1][2].parts) == 1 and _RANGE_GAP.fullmatch(text[stated[-1][1] : start]):
            begin, _, previous = stated[-1]
            first = previous.parts[0]
            if quantity.percent and not first.percent:  # "10-20%": both ends are percentages
                first = replace(first, percent=True, rounded=True)
            stated[-1] = (begin, end, StatedNumber(text[begin:end].strip(), (first, quantity)))
        else:
            stated.append((start, end, StatedNumber(quantity.text, (quantity,))))
    return [number for _, _, number in stated]


def _quantities(text: str) -> list[tuple[int, int, Quantity]]:
    """(start, end, quantity) of each checkable number in `text` (see `find_numbers`)."""
    found: list[tuple[int, int, Quantity]] = []
    taken_until = 0
    for match in _NUMBER.finditer(text):
        start = match.start()
        if start < taken_until or _glued_before(text, start):
            continue
        power = _POWER_WRITTEN.match(text, start)
        if power:
            value = _power(power)
            quantity = Quantity(power.group(), value, value, rounded=True, hedge=_hedge(text, start))
            found.append((start, power.end(), quantity))
            taken_until = power.end()
            continue
        parsed = _parse(match, text)
        if parsed is None:
            continue
        value, step, unit, end = parsed
        taken_until = end
        written = text[start:end].strip()
        if re.fullmatch(r"\d{4}", written) and int(written) in _YEAR:
            continue
        percent = unit in ("%", "‰") or unit.lower().startswith("per")
        rounded = "." in match.group("num") or percent or unit in _MULTIPLIER
        found.append((start, end, Quantity(written, value, step, percent, rounded, _hedge(text, start))))
    return found


def _power(match: re.Match[str]) -> Decimal:
    exp = int(match.group("exp")) * (-1 if match.group("sign") else 1)
    return (_decimal(match.group("mant") or "1") or Decimal(1)).scaleb(exp)


def _hedge(text: str, at: int) -> str:
    before = text[max(0, at - 20) : at]
    if _HEDGE.search(before):
        return "approximate"
    if _ABOVE.search(before):
        return "above"
    if _BELOW.search(before):
        return "below"
    return ""


@dataclass
class _NumberIndex:
    """Every number the paper prints, read generously (each reading of an ambiguous form counts)."""

    exact: set[Decimal]
    ordered: list[Decimal]

    def has(self, value: Decimal) -> bool:
        return value in self.exact

    def near(self, low: Decimal, high: Decimal) -> bool:
        at = bisect.bisect_left(self.ordered, low)
        return at < len(self.ordered) and self.ordered[at] <= high


def _printed_values(text: str) -> Iterable[Decimal]:
    """Every value a paper's text may mean by its numbers: commas read as list separators, as grouping
    and as a decimal comma ("97,3"), multipliers applied and not, lost superscripts ("10−4") and counts
    spelled out. A decimal is not its integer part: "45.9" prints no 45."""
    text = unicodedata.normalize("NFKC", text)
    for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
        raw = match.group()
        groups = raw.split(",")
        for group in groups:
            yield from _dotted(group)
        for left, right in itertools.pairwise(groups):
            if left.isdigit() and right.isdigit():
                yield Decimal(f"{left}.{right}")
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
            yield Decimal(raw.replace(",", ""))  # "12,345", "12,345.6"
    for match in re.finditer(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d.,])", text):
        yield Decimal(re.sub(r"\D", "", match.group()))  # "12 345"
    for match in _NUMBER.finditer(text):
        parsed = _parse(match, text)
        if parsed is not None:
            yield parsed[0]
    for pattern in (_POWER_WRITTEN, _POWER_PRINTED):
        for match in pattern.finditer(text):
            yield _power(match)
    for match in _NUMBER_WORD.finditer(text):
        yield Decimal(str(NUMBER_WORDS[match.group().lower()]))


def _dotted(token: str) -> Iterable[Decimal]:
    """A number with decimal points: "97.3" is 97.3; "3.2.1" (a section, a version) is each part and
    each pair ("3.2", "2.1")."""
    parts = token.split(".")
    if len(parts) <= 2:
        yield Decimal(token)
        return
    yield from (Decimal(p) for p in parts)
    for left, right in itertools.pairwise(parts):
        yield Decimal(f"{left}.{right}")


def _number_index(texts: Iterable[str]) -> _NumberIndex:
    values = {v for text in texts for v in _printed_values(text)}
    return _NumberIndex(values, sorted(values))


# --- the paper, indexed ----------------------------------------------------------------------------


class PaperIndex:
    """A paper's text made ready for looking up quotes and numbers: its abstract (arXiv's too, when
    given), its sections but the reference list, its tables and its captions."""

    def __init__(self, paper: Paper, arxiv: ArxivEntry | None = None) -> None:
        sources: list[_Source] = []
        if paper.abstract.strip():
            sources.append(_source("Abstract", paper.abstract, _on_page(paper.abstract_page)))
        if arxiv is not None and arxiv.abstract.strip():
            sources.append(_source("Abstract", arxiv.abstract, _on_page(None)))  # arXiv's, not printed
        for section in paper.body_sections():
            sources.append(_source(section.heading.strip() or None, section.text, section.page_at))
        for table in paper.tables:
            sources.append(_source(table.section, table.as_text(), _on_page(table.page)))
        for caption in paper.captions:
            sources.append(_source(None, caption, _on_page(None)))
        # Headings and the title last: a quote of a heading is found, but a sentence is found in its section.
        for section in paper.body_sections():
            if section.heading.strip():
                sources.append(_source(section.heading, section.heading, _on_page(section.page)))
        if paper.title.strip():
            sources.append(_source(None, paper.title, _on_page(None)))
        self.sources = sources
        self.numbers = _number_index(s.text for s in sources)

    # --- quotes

    def find_quote(self, quote: str) -> Evidence:
        """The quote with the section and page it is printed in, or `found=False` when the paper does
        not print it (each part of an elided quote must be there, in order, in one place)."""
        shown = " ".join(quote.split())
        pieces = _ELISION.split(shown)
        for variant, citations in enumerate((True, False)):
            parts = [key for key, _ in (match_key(p, citations=citations) for p in pieces) if key]
            if not parts:
                continue
            for source in self.sources:
                at = _find_parts(source.keyed[variant].key, parts)
                if at is not None:
                    where = source.keyed[variant].where
                    return Evidence(quote=shown, section=source.section, page=source.page_of(where[at]), found=True)
        return Evidence(quote=shown, found=False)

    # --- numbers

    def supports(self, quantity: Quantity) -> bool:
        """Whether the paper prints `quantity`: the same value (a percentage also as a fraction, a
        fraction also as a percentage), or one it is rounded from (its last digit, or a hedge)."""
        candidates = [quantity.value]
        if quantity.percent:
            candidates.append(quantity.value / 100)
        elif quantity.value < 1:
            candidates.append(quantity.value * 100)
        for value in candidates:
            scale = value / quantity.value if quantity.value else Decimal(1)
            if self.numbers.has(value):
                return True
            tolerance = quantity.step * scale / 2
            if quantity.hedge == "approximate":
                tolerance = max(tolerance, abs(value) * APPROXIMATE)
            if (quantity.rounded or quantity.hedge) and self.numbers.near(value - tolerance, value + tolerance):
                return True
            if quantity.hedge == "above" and self.numbers.near(value, value * (1 + BOUND)):
                return True
            if quantity.hedge == "below" and self.numbers.near(value * (1 - BOUND), value):
                return True
        return False


def _find_parts(key: str, parts: list[str]) -> int | None:
    """Where the first part begins in `key` when every later part follows it in order, else None. The
    first occurrence is the one to try: a later start could only push the later parts further on."""
    at = key.find(parts[0])
    if at < 0:
        return None
    end = at + len(parts[0])
    for part in parts[1:]:
        nxt = key.find(part, end)
        if nxt < 0:
            return None
        end = nxt + len(part)
    return at


# --- a summary, checked ----------------------------------------------------------------------------


def check_quotes(index: PaperIndex, quotes: PointQuotes) -> PointEvidence:
    """Each point's quotes looked up in the paper (blank quotes dropped, repeats kept once)."""
    evidence: dict[str, list[Evidence]] = {}
    for point in POINTS:
        seen: set[str] = set()
        found = []
        for quote in getattr(quotes, point):
            shown = " ".join(str(quote).split())
            if shown and shown not in seen:
                seen.add(shown)
                found.append(index.find_quote(shown))
        evidence[point] = found
    return PointEvidence(**evidence)


def check_numbers(index: PaperIndex, points: SummaryPoints) -> tuple[int, list[UnsupportedNumber]]:
    """(numbers checked, those the paper does not print) over the four points; each unsupported
    number is listed once per point."""
    checked = 0
    unsupported: list[UnsupportedNumber] = []
    for point in POINTS:
        listed: set[str] = set()
        for number in find_numbers(getattr(points, point)):
            checked += 1
            if not all(index.supports(q) for q in number.parts) and number.text not in listed:
                listed.add(number.text)
                unsupported.append(UnsupportedNumber(point=point, number=number.text))
    return checked, unsupported


def check_summary(index: PaperIndex, points: SummaryPoints, quotes: PointQuotes) -> tuple[PointEvidence, SummaryChecks]:
    """The evidence for each point and what was checked: the report's `evidence` and `checks`."""
    evidence = check_quotes(index, quotes)
    checked, unsupported = check_numbers(index, points)
    quoted = evidence.quotes()
    checks = SummaryChecks(
        numbers_checked=checked,
        numbers_unsupported=unsupported,
        quotes_checked=len(quoted),
        quotes_unsupported=sum(not e.found for _, e in quoted),
    )
    return evidence, checks


def unsupported_quotes(evidence: PointEvidence) -> list[tuple[Point, Evidence]]:
    """The quotes the paper does not print, with their points."""
    return [(point, e) for point, e in evidence.quotes() if not e.found]


def mostly_unsupported(evidence: PointEvidence) -> bool:
    """More than half of the quotes are not in the paper: the answer is worth the one re-ask."""
    quoted = evidence.quotes()
    return bool(quoted) and 2 * len(unsupported_quotes(evidence)) > len(quoted)
