"""The section tree: headings from the PDF outline when it has one, from font statistics otherwise.

Pure module. Input is the document's lines in reading order (see `layout`); output is a flat list of
`Section`s (heading, level, page, text, role) with the references section kept but marked, and
figure/table captions collected apart from the body text.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import NamedTuple

from chatpaper.models import Section, SectionRole
from chatpaper.pdf.captions import BARE_CAPTION, CAPTION, LABEL_ONLY
from chatpaper.pdf.headings import (
    Numbering,
    is_abstract_heading,
    is_end_matter,
    is_end_matter_section,
    is_front_matter_box,
    is_known_heading,
    is_references_heading,
    is_supplement_section,
    names_a_list,
    names_contents,
    parse_numbering,
    role_from_heading,
    role_from_heading_stems,
    strip_numbering,
)
from chatpaper.pdf.layout import Line, join_lines
from chatpaper.scripts import HAN_CHAR

# --- body style ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BodyStyle:
    """The style most of the text is set in; headings are recognised by how they differ from it."""

    size: float
    font: str
    bold: bool
    line_gap: float  # usual whitespace between two lines of a paragraph
    colored: bool = False


# A trait (bold, colour) is the body's when it covers this share of the body-size text.
BODY_TRAIT_SHARE = 0.6


def body_style(lines: Sequence[Line]) -> BodyStyle:
    """Font statistics over the whole document: the size, font and line spacing of the running text."""
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    bold = 0
    colored = 0
    total = 0
    for ln in lines:
        n = len(ln.text)
        sizes[round(ln.size * 2) / 2] += n
    if not sizes:
        return BodyStyle(10.0, "", False, 2.0)
    size = sizes.most_common(1)[0][0]
    gaps: Counter[float] = Counter()
    for ln in lines:
        if abs(ln.size - size) <= 0.5:
            n = len(ln.text)
            fonts[ln.font] += n
            total += n
            bold += n if ln.bold else 0
            colored += n if ln.colored else 0
            if ln.gap_above < 3 * size:
                gaps[round(ln.gap_above)] += 1
    gap = float(gaps.most_common(1)[0][0]) if gaps else size * 0.3
    font = fonts.most_common(1)[0][0] if fonts else ""
    return BodyStyle(size, font, bold > total * BODY_TRAIT_SHARE, gap, colored > total * BODY_TRAIT_SHARE)


# --- heading candidates from font statistics -----------------------------------------------------


class Style(NamedTuple):
    """How a line is set, as far as telling headings apart goes."""

    size: float  # to the nearest half point
    bold: bool
    italic: bool
    upper: bool
    family: str
    colored: bool


@dataclass(slots=True)
class Heading:
    """A heading found in the text: where it is (line index in reading order) and its level."""

    index: int  # first line of the heading
    end: int  # one past its last line
    text: str
    level: int
    page: int
    number: Numbering | None = None
    style: Style | None = None
    also: tuple[int, ...] = ()  # lines of the heading after `end`, with another column's lines read between


@dataclass(slots=True)
class _Candidate:
    index: int
    end: int
    text: str
    page: int
    style: Style
    number: Numbering | None
    words: str
    also: tuple[int, ...] = ()


def _style(ln: Line) -> Style:
    return Style(round(ln.size * 2) / 2, ln.bold, ln.italic, ln.upper, _family(ln.font), ln.colored)


@functools.lru_cache(maxsize=1024)
def _family(font: str) -> str:
    base = re.split(r"[-,_]", font, maxsplit=1)[0]
    base = re.sub(r"(?i)(bold|italic|medium|regular|roman|semibold|light|mt|ps|std|pro)+$", "", base)
    return re.sub(r"\d+$", "", base).lower()


# Two lines' sizes within this many points are one type size (sizes are rounded to half points, and
# small caps or accents move a line's size a little).
SAME_SIZE_PT = 0.6


def _same_style(a: Style, b: Style) -> bool:
    return abs(a.size - b.size) <= SAME_SIZE_PT and a[1:] == b[1:]


def _continues(a: Style, b: Style) -> bool:
    """A wrapped heading line may switch case or slant (a name in small caps) but not size, weight, font or colour."""
    return abs(a.size - b.size) <= SAME_SIZE_PT and (a.bold, a.family, a.colored) == (b.bold, b.family, b.colored)


def _same_case_and_slant(a: Style, b: Style) -> bool:
    return (a.italic, a.upper) == (b.italic, b.upper)


def _prominence(style: Style) -> tuple:
    return (style.size, style.bold, style.upper, not style.italic)


_INITIALS_NAME = re.compile(r"^(?:[A-Z]\.\s?-?)+\s?[A-Z][\w'’-]+$")
_NAME_LIST_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")


def _is_name_list(text: str) -> bool:
    """An author line ("E. R. Moody†, R. Obexer†, F. Nickl"): names with initials, listed. Its first initial
    reads like a section letter ("E."), and bold author lines are set like run-of-the-mill headings."""
    parts = [p.strip(" *∗†‡§¶0123456789") for p in _NAME_LIST_SPLIT.split(text) if p.strip()]
    named = sum(1 for p in parts if _INITIALS_NAME.match(p))
    return named >= 2 and named >= 0.6 * len(parts)


# A heading names a section in a few words; longer lines set like one are sentences in bold or in colour.
HEADING_MAX_CHARS = 140  # its words, without the number
HEADING_MAX_WORDS = 16
HEADING_MAX_HAN = 40  # Chinese characters: about as many words


def _heading_like(text: str, number: Numbering | None) -> bool:
    if _is_name_list(text):
        return False
    words = strip_numbering(text) if number else text.strip()
    if not words or len(words) > HEADING_MAX_CHARS or len(HAN_CHAR.findall(words)) > HEADING_MAX_HAN:
        return False
    if not any(ch.isalpha() for ch in words):
        return False
    tokens = words.split()
    if len(tokens) > HEADING_MAX_WORDS:
        return False
    first = words[0]
    if first.islower() and not re.match(r"^[a-z]+[A-Z]", words):  # "olmOCR" style names are fine
        return False
    if words.endswith((",", ";", "-")) or (words.endswith(".") and len(tokens) > 4 and not number):
        return False
    if CAPTION.match(text.strip()):
        return False
    if re.search(r"https?://|@\w+\.|\.\w{2,4}$", words) and not words.endswith((".", "?")):
        return False
    return not (words.count("=") or (re.search(r"\d{3,}\s*$", words) and not number))


def _runs(lines: Sequence[Line], skip: set[int], styles: Sequence[Style]) -> Iterable[tuple[int, int]]:
    """Consecutive lines of one style in one column: a multi-line heading is one run (`styles[i]` is
    `_style(lines[i])`)."""
    i, n = 0, len(lines)
    while i < n:
        if i in skip:
            i += 1
            continue
        j = i + 1
        first = lines[i]
        style = styles[i]
        while (
            j < n
            and j not in skip
            and j - i <= MAX_HEADING_LINES  # one more than a heading has: a paragraph, rejected by the caller
            and lines[j].page == first.page
            and lines[j].col == first.col
            and _continues(styles[j], style)
            and (_same_case_and_slant(styles[j], style) or lines[j].width <= first.width + 2)
            and lines[j].width <= WRAP_WIDENS * lines[j - 1].width  # a short line then a full one: heading, text
            and lines[j].gap_above < WRAP_GAP * first.size
            and parse_numbering(lines[j].text)[0] is None
        ):
            j += 1
        yield i, j
        i = j


# A heading wraps onto at most this many lines; more is a paragraph set in the heading's type.
MAX_HEADING_LINES = 3
# A wrapped heading's lines are closer than this (in its type size) and the next one no wider than this
# times the one before; a short line followed by a full one is a heading followed by its text.
WRAP_GAP = 1.2
WRAP_WIDENS = 1.5
# How far ahead in reading order a wrapped heading's next line is looked for when lines of the column beside
# it were read in between (columns close enough for MuPDF to read their rows together).
WRAP_LOOKAHEAD = 4


def _wrapped_below(lines: Sequence[Line], styles: Sequence[Style], i: int, j: int, skip: set[int]) -> tuple[int, ...]:
    """The lines that continue the heading `lines[i:j]` right below it after lines of another column were read
    between them (those lie beside the heading, not under it): Science's three columns, AI Magazine's pull
    quotes. Only set like the heading, not numbered, and at most `MAX_HEADING_LINES` lines in all."""
    found: list[int] = []
    last = lines[j - 1]
    k = j
    while k < min(len(lines), j + WRAP_LOOKAHEAD) and (j - i) + len(found) < MAX_HEADING_LINES:
        ln = lines[k]
        if ln.page != last.page:
            break
        beside = min(ln.x1, last.x1) - max(ln.x0, last.x0) <= 0
        if k in skip or beside:
            k += 1
            continue
        if (
            k > j
            and _continues(styles[k], styles[i])
            and 0 <= ln.y0 - last.y1 < WRAP_GAP * last.size
            and parse_numbering(ln.text)[0] is None
        ):
            found.append(k)
            last = ln
            k += 1
            continue
        break  # text under the heading: the section begins
    return tuple(found)


_BARE_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.?|[A-Z]\.)$")
# How far below its number a heading may start when the number has a line of its own (workshop papers set
# "3" above "Method"), in the heading's type sizes.
NUMBER_ABOVE_GAP = 2.5


def _number_apart(lines: Sequence[Line], i: int, j: int, k: int) -> bool:
    """Whether `lines[i]` (a run of one line) is a bare section number that belongs to the heading starting at
    `lines[k]`, the next run: beside it on the same row (set in another font, whose box the layout did not
    put on one line with it: "1" + "緒言") or right above it."""
    number, words = lines[i], lines[k]
    if j != i + 1 or k != j or words.page != number.page or not _BARE_NUMBER.match(number.text.strip()):
        return False
    size = max(number.size, words.size)
    beside = min(number.y1, words.y1) - max(number.y0, words.y0) > 0.5 * min(number.height, words.height)
    if beside:
        return 0 <= words.x0 - number.x1 <= 3 * size
    above = -0.2 * size <= words.y0 - number.y1 <= NUMBER_ABOVE_GAP * size  # (font boxes may touch)
    return above and abs(words.x0 - number.x0) <= 2 * size and number.size >= 0.8 * words.size


def _header_cell(lines: Sequence[Line], styles: Sequence[Style], i: int) -> bool:
    """Whether `lines[i]` shares its row with another line set like it: the header cells of a table ("Тема" |
    "Наиболее часто встречающиеся слова"), not a heading, which has its row to itself (a column beside it is
    in the text's type)."""
    ln = lines[i]
    for k in range(max(0, i - 3), min(len(lines), i + 4)):
        other = lines[k]
        if k == i or other.page != ln.page or not _same_style(styles[k], styles[i]):
            continue
        if parse_numbering(f"{other.text.strip()} X")[1] == "X":
            continue  # the heading's own number set apart ("付録A" | "球落下実験")
        overlap = min(ln.y1, other.y1) - max(ln.y0, other.y0)
        if overlap > 0.5 * min(ln.height, other.height) and (other.x1 <= ln.x0 or other.x0 >= ln.x1):
            return True
    return False


# Bigger than the body: by this many points, or this share of the body size when that is more.
BIGGER_PT = 0.9
BIGGER_SHARE = 0.07
# Headings are rarely smaller than the body; a small bold "Acknowledgement" (a known name) still counts.
SMALLEST_HEADING = 0.85
SMALLEST_KNOWN_HEADING = 0.78
# Science and Nature set their back matter (REFERENCES AND NOTES, ACKNOWLEDGMENTS, SUPPLEMENTARY MATERIALS)
# in the small type of the reference list, headings included, when bold or in capitals.
SMALLEST_BACK_MATTER = 0.65
# Space above a line, beyond the usual line gap, that sets it apart (in body sizes).
APART = 0.15
# A line this long, as a share of its column's width, is a line of text that wraps on (ragged right leaves
# up to a word free); a heading seldom fills it.
FULL_LINE = 0.75


def _back_matter(text: str) -> bool:
    """Whether a heading names the back matter: the references, end matter or supplements."""
    return is_references_heading(text) or is_end_matter(text) or role_from_heading(text) == "appendix"


def _running_heads(lines: Sequence[Line]) -> set[int]:
    """Lines that open their page with a text other pages open with too: the chapter's name as a running head
    (a thesis prints "緒言" or "Introduction" above every page of chapter 1). The running heads that stay the
    same through the whole paper are furniture, removed before; these change with the chapter."""
    tops: dict[str, list[int]] = {}
    page = None
    for i, ln in enumerate(lines):
        if ln.page != page:
            page = ln.page
            tops.setdefault(ln.text.strip(), []).append(i)
    return {i for found in tops.values() if len(found) >= 2 for i in found}


# A heading in the text's own type stands alone: at least half a line's height of extra space above and below
# it, and only a few words.
SPACED = 0.5
SPACED_MAX_WORDS = 6


def _spaced(lines: Sequence[Line], i: int, body: BodyStyle) -> bool:
    ln = lines[i]
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    room = body.line_gap + SPACED * body.size
    above = ln.gap_above >= room or i == 0 or lines[i - 1].page != ln.page
    below = nxt is not None and nxt.page == ln.page and nxt.gap_above >= room
    return above and below and abs(ln.size - body.size) <= SAME_SIZE_PT


def find_candidates(lines: Sequence[Line], body: BodyStyle, skip: set[int]) -> list[_Candidate]:
    """Lines that stand out from the body text the way headings do."""
    out: list[_Candidate] = []
    styles = [_style(ln) for ln in lines]
    body_family = _family(body.font)
    taken: set[int] = set()  # lines a wrapped heading took from further on
    edges: dict[tuple[int, int], float] = {}  # right edge of the text per page and column
    running = _running_heads(lines)
    runs = list(_runs(lines, skip, styles))
    for r, (i, j) in enumerate(runs):
        if i in taken:
            continue
        label = None
        if r + 1 < len(runs) and _number_apart(lines, i, j, runs[r + 1][0]):
            # the section number on a line of its own: the heading is the next run, numbered
            label, (i, j) = i, runs[r + 1]
            taken.add(i)
        first = lines[i]
        if j - i > MAX_HEADING_LINES or first.tabular or lines[j - 1].runin or i in running:
            continue
        # the ways a heading's type can differ from the body's; a line differing in none is running
        # text, told before its words are looked at
        bigger = first.size >= body.size + max(BIGGER_PT, BIGGER_SHARE * body.size)
        bolder = first.bold and not body.bold
        set_apart = (first.colored and not body.colored) or (styles[i].family != body_family and not first.mono)
        # typed like the text but standing alone, a blank line above and below (typewritten reports, some
        # journals' plain heads): only a number or a known name makes it a heading (checked below)
        spaced = j - i == 1 and label is None and _spaced(lines, i, body)
        if not (bigger or bolder or first.upper or first.italic or set_apart or spaced):
            continue
        also = _wrapped_below(lines, styles, i, j, skip)
        text = join_lines([ln.text for ln in lines[i:j]] + [lines[k].text for k in also]).strip()
        if label is not None:
            text = f"{lines[label].text.strip()} {text}"
        if len(text) > HEADING_MAX_CHARS + 20 or first.mono:  # (its number and a wrapped line's join)
            continue
        number, words = parse_numbering(text)
        if not _heading_like(text, number):
            continue
        # headings are rarely smaller than the body; a small bold "Acknowledgement" still counts
        smallest = SMALLEST_KNOWN_HEADING if is_known_heading(words) and len(words.split()) <= 4 else SMALLEST_HEADING
        if (first.bold or first.upper) and _back_matter(text):
            smallest = SMALLEST_BACK_MATTER
        if first.size < body.size * smallest:
            continue
        capital = first.upper and sum(ch.isalpha() for ch in words) >= 4
        slanted = first.italic and number is not None  # IEEE sub-sections: "A. Italic Title"
        # numbered lines in another typeface or in colour, at body size and weight
        marked = (number is not None or is_known_heading(words)) and set_apart
        # or in the text's own type with space around them, numbered 1, 2 ... or named like a section
        plain = spaced and len(words.split()) <= SPACED_MAX_WORDS and not words.endswith((".", ":", ","))
        plain = plain and (
            (number is not None and number.depth == 1 and number.kind != "letter") or is_known_heading(words)
        )
        if not (bigger or bolder or capital or slanted or marked or plain):
            continue
        if _header_cell(lines, styles, i):
            continue
        prev_gap = first.gap_above
        nxt = lines[j] if j < len(lines) else None
        # a heading sits apart: extra space above, or the text after it changes style
        isolated = prev_gap >= body.line_gap + APART * body.size or i == 0 or lines[i - 1].page != first.page
        if nxt is not None and not isolated:
            isolated = not _same_style(styles[j], styles[i])
        if not isolated:
            continue
        # a bold phrase that fills its line and ends in the next line's run-in start ("Sensor placement along
        # the three slopes" / "of the valley. We dug ...") is a run-in head, however short the column
        if (
            nxt is not None
            and nxt.runin
            and number is None
            and nxt.page == first.page
            and nxt.col == first.col
            and nxt.gap_above < body.line_gap + APART * body.size
            and lines[j - 1].width >= FULL_LINE * (_right_edge(lines, lines[j - 1], edges) - lines[j - 1].x0)
        ):
            continue
        # the same style going on right below is a bold paragraph, not a heading (unless it is a heading too)
        if (
            nxt is not None
            and nxt.page == first.page
            and nxt.col == first.col
            and _same_style(styles[j], styles[i])
            and nxt.gap_above < body.line_gap + APART * body.size
            and parse_numbering(nxt.text)[0] is None
        ):
            continue
        taken.update(also)
        out.append(
            _Candidate(
                index=i if label is None else label,
                end=j,
                text=text,
                page=first.page,
                style=styles[i],
                number=number,
                words=words,
                also=also,
            )
        )
    return out


# How much a heading style's evidence must add up to before it is taken for the top level: two section
# numbers in sequence, or three headings with known names, or one known name and a heading on each of four
# later pages (`SPREAD_WEIGHT`).
MIN_TOP_SCORE = 1.5
KNOWN_WEIGHT = 0.5  # a heading of this style with a known name (Introduction, Results ...)
# End matter and the references named as such (Acknowledgments, Notes, References) say less: journals often
# set them apart from the sections, in a sub-heading's type or smaller
END_MATTER_WEIGHT = 0.25
SUB_NUMBER_PENALTY = 0.25  # a heading of this style numbered "2.1": a sub-section style
# An unnumbered style that comes back page after page past the title page (Science's, Nature's bold
# sentence-case heads) is a heading style, up to `SPREAD_PAGES` pages' worth.
SPREAD_WEIGHT = 0.25
SPREAD_PAGES = 4


def _best_sequence_style(cands: Sequence[_Candidate], front_page: int) -> Style | None:
    """The style of the top-level headings: the one whose depth-1 numbers count up most steadily."""
    by_style: dict[Style, list[_Candidate]] = {}
    for c in cands:
        key = next((k for k in by_style if _same_style(k, c.style)), c.style)
        by_style.setdefault(key, []).append(c)
    best, best_score = None, 0.0
    for style, group in by_style.items():
        numbers = [c.number.first for c in group if c.number and c.number.depth == 1 and c.number.kind != "letter"]
        score: float = _increasing_run(numbers)
        score += sum(_known_weight(c.words) for c in group)
        score -= SUB_NUMBER_PENALTY * sum(1 for c in group if c.number and c.number.depth > 1)
        if not any(c.number for c in group):
            later_pages = {c.page for c in group if c.page > front_page}
            score += SPREAD_WEIGHT * min(len(later_pages), SPREAD_PAGES)
        if score > best_score or (score == best_score and best is not None and _prominence(style) > _prominence(best)):
            best, best_score = style, score
    return best if best_score >= MIN_TOP_SCORE else None


def _known_weight(words: str) -> float:
    role = role_from_heading(words)
    if role is not None and role not in ("other", "references"):
        return KNOWN_WEIGHT
    return END_MATTER_WEIGHT if role is not None or is_end_matter(words) else 0.0


def _increasing_run(numbers: Sequence[int]) -> int:
    """How many numbers follow on from each other (1, 2, 3 ...) allowing stray values in between."""
    count, last = 0, 0
    for n in numbers:
        if n == last + 1 or (count == 0 and n in (1, 2)):
            count += 1
            last = n
    return count


def headings_from_fonts(cands: Sequence[_Candidate], front_page: int = 1) -> list[Heading]:
    """Headings by font statistics over `find_candidates`: the top-level style, then lower levels by
    numbering and prominence. `front_page` is the paper's first page of text (its title page)."""
    if not cands:
        return []
    top = _best_sequence_style(cands, front_page)
    if top is None:
        # no recurring heading style (a short note): only lines that are plainly section names
        return [
            Heading(c.index, c.end, c.text, 1, c.page, c.number, c.style, c.also)
            for c in cands
            if is_known_heading(c.words) and len(c.words.split()) <= 4
        ]
    return _levels(cands, top, front_page)


def _levels(cands: Sequence[_Candidate], top: Style, front_page: int) -> list[Heading]:
    top_numbers = [c for c in cands if _same_style(c.style, top) and c.number and c.number.depth == 1]
    numbered_paper = len(top_numbers) >= 2
    kinds = Counter(c.number.kind for c in top_numbers if c.number is not None)
    top_kind = kinds.most_common(1)[0][0] if kinds else None
    last_numbered = max((c.index for c in top_numbers), default=-1)
    # the first real section is numbered or has a known name; set like it before that: author lines, banners
    # (on the title page: in an unnumbered paper, headings past it come before the first known name when the
    # introduction has no heading of its own, as in Science or AI Magazine)
    anchor = min(
        (c.index for c in cands if _same_style(c.style, top) and (c.number or is_known_heading(c.words))), default=0
    )
    top_values = [(c.index, c.number.first) for c in top_numbers if c.number is not None]
    # styles used by numbered sub-headings give their level
    style_levels: dict[Style, int] = {}
    for c in cands:
        if c.number and not _same_style(c.style, top) and _prominence(c.style) <= _prominence(top):
            depth = _depth(c.number, top_kind)
            if depth >= 2:
                key = next((k for k in style_levels if _same_style(k, c.style)), c.style)
                style_levels[key] = min(style_levels.get(key, depth), depth)
    out: list[Heading] = []
    for c in cands:
        level: int | None = None
        if _same_style(c.style, top):
            if c.number and c.number.depth > 1 and c.number.kind in ("arabic", "letter", "roman"):
                level = c.number.depth  # numbering beats typography ("3.3" printed like "3")
            elif c.number and c.number.kind == "letter" and top_kind == "roman":
                level = 2
            elif (
                c.number
                or is_known_heading(c.words)
                or (c.index > anchor and (not numbered_paper or c.index > last_numbered))
                or (not numbered_paper and c.page > front_page)
            ):
                level = 1
        elif _prominence(c.style) <= _prominence(top):
            if c.number:
                depth = _depth(c.number, top_kind)
                level = depth if depth >= 2 else 1 if _continues_sequence(c, top_values, top_kind) else None
            else:
                found = next((k for k in style_levels if _same_style(k, c.style)), None)
                if found is not None:
                    level = style_levels[found]
                elif not numbered_paper:
                    level = 2
        if level is not None:
            out.append(Heading(c.index, c.end, c.text, level, c.page, c.number, c.style, c.also))
    _lift_end_matter(out)
    return out


def _continues_sequence(c: _Candidate, top_values: Sequence[tuple[int, int]], top_kind: str | None) -> bool:
    """Whether a depth-1 number set in another style than the top-level headings is the next number of
    theirs ("7 CONCLUSÕES" a point smaller than "6 EXPERIMENTOS"): numbering beats typography."""
    if c.number is None or c.number.depth != 1 or c.number.kind != top_kind or not top_values:
        return False
    before = [value for index, value in top_values if index < c.index]
    after = [value for index, value in top_values if index > c.index]
    expected = (before[-1] + 1) if before else 1
    return c.number.first == expected and (not after or after[0] == expected + 1)


def _lift_end_matter(headings: list[Heading]) -> None:
    """End matter after the conclusion is a top-level section whatever its type (AI Magazine sets
    Acknowledgments and Notes at sub-heading size): papers do not nest their thanks in the conclusion."""
    concluded = False
    for h in headings:
        if h.level == 1:
            concluded = role_from_heading(h.text) == "conclusion" or (concluded and _back_matter(h.text))
        elif concluded and h.number is None and _back_matter(h.text):
            h.level = 1


def _depth(number: Numbering, top_kind: str | None) -> int:
    if number.kind == "letter" and top_kind == "roman":
        return 2 if number.depth == 1 else number.depth + 1
    if number.kind == "arabic" and top_kind == "roman" and number.depth == 1:
        return 3
    return number.depth


# --- headings from the PDF outline ---------------------------------------------------------------


_NOT_NORM = re.compile(r"[\W_]+")  # letters and digits of every script are kept


@functools.lru_cache(maxsize=16384)
def _norm(text: str) -> str:
    return _NOT_NORM.sub("", text.lower())


@functools.lru_cache(maxsize=16384)
def _norm_words(text: str) -> str:
    text = strip_numbering(text)
    # outlines often drop the dot ("II Self-consistent ..."): strip a bare leading label too
    text = re.sub(r"^(?:[IVXLC]{1,5}|\d+(?:\.\d+)*|[A-Z](?:\.\d+)*)\s+(?=\S)", "", text)
    return _norm(text)


# How alike a bookmark and a printed line must be (difflib ratio of their letters): to be the paper's title,
# to be the section's heading (outlines shorten and reword headings a little).
OUTLINE_TITLE_MATCH = 0.8
OUTLINE_MATCH = 0.75
# A section's name is a few words; a lone top outline entry this long over all the others is the paper's
# title (the title read from the page may be a cover's banner, so it is not the only test)
TITLE_ENTRY_WORDS = 7


def outline_levels(entries: Sequence[tuple[int, str, int]], title: str) -> list[tuple[int, str, int]]:
    """Drop a lone top entry that is the paper's title and lift the rest one level."""
    if not entries:
        return []
    tops = [e for e in entries if e[0] == min(x[0] for x in entries)]
    if len(tops) == 1 and len(entries) > 1:
        t = tops[0]
        same = _similar(_norm(t[1]), _norm(title)) >= OUTLINE_TITLE_MATCH if title else False
        titled = not is_known_heading(t[1]) or len(t[1].split()) >= TITLE_ENTRY_WORDS
        if same or (t is entries[0] and t[2] <= 1 and titled):
            return [(lvl - 1, text, page) for lvl, text, page in entries if (lvl, text, page) != t]
    low = min(e[0] for e in entries)
    return [(lvl - low + 1, text, page) for lvl, text, page in entries]


def _similar(a: str, b: str, floor: float = 0.0) -> float:
    """Similarity ratio of two normalised strings; 0 when it cannot reach `floor` (cheap bounds first)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < floor:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def headings_from_outline(
    lines: Sequence[Line], entries: Sequence[tuple[int, str, int]], body: BodyStyle, skip: set[int]
) -> list[Heading] | None:
    """Match each bookmark to its printed line; None when too few match for the outline to be trusted."""
    by_page: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        if i not in skip:
            by_page.setdefault(ln.page, []).append(i)
    found: list[Heading] = []
    used: set[int] = set()
    missing = 0
    for level, title, page in entries:
        want = _norm_words(title)
        if not want:
            continue
        hit = None
        for p in (page, page + 1, page - 1):
            hit = _match_on_page(lines, by_page.get(p, []), want, used, body)
            if hit:
                break
        if hit is None:
            missing += 1
            continue
        start, end = hit
        used.update(range(start, end))
        text = join_lines([ln.text for ln in lines[start:end]]).strip()
        number, _ = parse_numbering(text)
        if number and number.kind == "arabic" and number.depth > 1:
            level = max(level, number.depth)  # the outline flattens some sub-sections (LangGPT)
        found.append(Heading(start, end, text, level, lines[start].page, number, _style(lines[start])))
    if not found or missing > len(found):
        return None
    found.sort(key=lambda h: h.index)
    return found


def _match_on_page(
    lines: Sequence[Line], indices: Sequence[int], want: str, used: set[int], body: BodyStyle
) -> tuple[int, int] | None:
    best, best_score = None, 0.0
    for k, i in enumerate(indices):
        if i in used:
            continue
        ln = lines[i]
        if len(ln.text) > 200:
            continue
        got = _norm_words(ln.text)
        if not got or len(got) > 3 * len(want) + 10:
            continue
        if want[:4] not in got and got[:4] not in want:
            continue  # cheap test before the similarity ratio
        end = i + 1
        # a heading printed on two lines: extend while that brings the text closer to the outline title
        while len(got) < len(want) and k + (end - i) < len(indices):
            nxt = indices[k + (end - i)]
            if nxt != end or lines[nxt].page != ln.page or len(lines[nxt].text) > 200:
                break
            more = got + _norm(lines[nxt].text)
            if _similar(more, want, 0.5) <= _similar(got, want, 0.5):
                break
            got = more
            end += 1
        score = _similar(got, want, OUTLINE_MATCH)
        if score < OUTLINE_MATCH and not (
            len(got) >= 4 and (got.startswith(want) or want.startswith(got)) and len(got) > 0.6 * len(want)
        ):
            continue
        # prefer lines that look like headings
        if ln.size >= body.size * 1.05 or (ln.bold and not body.bold) or ln.upper:
            score += 0.2
        if ln.gap_above > body.line_gap + 1:
            score += 0.05
        if score > best_score:
            best, best_score = (i, end), score
    return best


def merge_outline_and_fonts(
    from_outline: list[Heading], cands: Sequence[_Candidate], lines: Sequence[Line], body: BodyStyle, skip: set[int]
) -> list[Heading]:
    """The outline is authoritative; add printed top-level headings it leaves out (Acknowledgments, References).

    `cands` are the heading candidates `find_candidates` gives for these lines.
    """
    top_styles = [h.style for h in from_outline if h.level == 1 and h.style is not None]
    if not top_styles:
        return from_outline
    top = Counter(top_styles).most_common(1)[0][0]
    taken: set[int] = set()
    for h in from_outline:
        taken.update(range(h.index, h.end), h.also)
    extra = []
    last_top = max((h.index for h in from_outline if h.level == 1), default=-1)
    for c in cands:
        if c.index in taken or not _same_style(c.style, top):
            continue
        # inside the outline's span only what outlines leave out (the abstract, thanks, supplements, the
        # references): another role word there unlisted is a paragraph head ("Problem statement" in a chapter),
        # as the outline is the authority
        left_out = is_end_matter(c.words) or role_from_heading(c.text) in ("abstract", "references", "appendix")
        if c.number is None and (c.index > last_top or left_out) and _heading_like(c.text, None):
            extra.append(Heading(c.index, c.end, c.text, 1, c.page, None, c.style, c.also))
    return sorted(from_outline + extra, key=lambda h: h.index)


# --- printed tables of contents -------------------------------------------------------------------

# An entry of a table of contents or of a list of figures: dot leaders, then perhaps a page number.
_LEADERS = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})?\s*$|…{2,}\s*\d{0,4}\s*$|(?:·\s?){4,}\s*\d{0,4}\s*$")
_MAY_LEAD = re.compile(r"\. ?\. ?\.|…|··")  # the cheap test before `_LEADERS`
# Space between two entries of a contents block, at most (in their type size): more ends the block.
CONTENTS_GAP = 3.0


def find_contents(lines: Sequence[Line], body: BodyStyle) -> set[int]:
    """The lines of printed tables of contents and of lists of figures and tables: entries with dot leaders
    wherever they stand, and the block of entries under a "Contents" title (amsart prints it without leaders
    on the first page), with the title. None of it is a heading; the titles of lists stay, as a list printed
    after the references is an appendix of the thesis."""
    out = {i for i, ln in enumerate(lines) if _MAY_LEAD.search(ln.text) and _LEADERS.search(ln.text)}
    measure = 0.0  # the width of a full line of text
    for i, ln in enumerate(lines):
        if not names_contents(ln.text):
            continue
        out.add(i)
        measure = measure or max((o.width for o in lines if abs(o.size - body.size) <= SAME_SIZE_PT), default=0.0)
        k = i + 1
        while k < len(lines):
            entry = lines[k]
            if k in out:
                k += 1
                continue
            if entry.page not in (ln.page, ln.page + 1):
                break
            if entry.gap_above > CONTENTS_GAP * entry.size and entry.page == lines[k - 1].page:
                break
            if len(entry.text.split()) > HEADING_MAX_WORDS or entry.width > 0.9 * measure:
                break  # a paragraph of text after the contents
            out.add(k)
            k += 1
    return out


# --- references without a heading ----------------------------------------------------------------

_REF_ENTRY = re.compile(r"^(?:\[\d{1,3}\]|\d{1,3}\.?\s+[A-Z\u00c0-\u024f]|[A-Z][A-Za-z'\-]+,\s+(?:[A-Z]\.\s?)+)")


# An unheaded reference list starts where this many of the next `REFERENCE_WINDOW` lines open a numbered
# entry and carry a year.
REFERENCE_WINDOW = 12
REFERENCE_ENTRIES = 4


def find_reference_list(lines: Sequence[Line], start: int, body: BodyStyle) -> int | None:
    """Where an unheaded reference list begins after `start`: a run of numbered citation entries."""
    n = len(lines)
    for i in range(start, n):
        ln = lines[i]
        if not _REF_ENTRY.match(ln.text.strip()) or ln.size > body.size + 0.3:
            continue
        window = lines[i : i + REFERENCE_WINDOW]
        hits = sum(1 for w in window if _REF_ENTRY.match(w.text.strip()))
        yearish = sum(1 for w in window if re.search(r"\((?:19|20)\d\d\)|\b(?:19|20)\d\d[a-z]?\b", w.text))
        starts = hits >= REFERENCE_ENTRIES and yearish >= REFERENCE_ENTRIES
        if starts and (ln.size < body.size - 0.3 or ln.gap_above > body.line_gap + 4):
            return i
    return None


# --- sections ------------------------------------------------------------------------------------


@dataclass(slots=True)
class SectionTree:
    """What `extract_sections` found: the sections, the captions, and the front-matter lines before them."""

    sections: list[Section]
    captions: list[str]
    front_end: int  # index of the first heading's line (lines before it are front matter)
    starts: list[int] = field(default_factory=list)  # each section's heading line, parallel to `sections`
    caption_spans: list[tuple[int, int]] = field(default_factory=list)  # each caption's lines, parallel to `captions`
    abstract: str = ""  # text under an "Abstract" heading, if the paper prints one at heading level
    references_start: int | None = None  # line range of the reference list
    references_end: int | None = None


def extract_sections(
    lines: Sequence[Line],
    outline: Sequence[tuple[int, str, int]],
    body: BodyStyle,
    *,
    skip: set[int] | None = None,
    title: str = "",
) -> SectionTree:
    """Find the headings (outline first, fonts otherwise), then cut the text between them into sections."""
    skip = skip or set()
    not_headings = skip | find_contents(lines, body)  # contents entries stay in the text, but head nothing
    cands = find_candidates(lines, body, not_headings)
    from_fonts = headings_from_fonts(cands, lines[0].page if lines else 1)
    headings: list[Heading] | None = None
    entries = outline_levels(outline, title)
    if entries:
        from_outline = headings_from_outline(lines, entries, body, not_headings)
        if from_outline is not None:
            headings = merge_outline_and_fonts(from_outline, cands, lines, body, not_headings)
    if headings is None:
        headings = from_fonts
    headings = _drop_repeats(headings)
    # a list of figures or tables before the paper's first section is front matter like its contents
    while headings and headings[0].level == 1 and names_a_list(headings[0].text):
        headings = headings[1:]
    # a sub-heading before any section heading is front matter set in bold (author names, labels)
    first_top = next((k for k, h in enumerate(headings) if h.level == 1), len(headings))
    headings = headings[first_top:]
    return _cut(lines, headings, body, skip)


def _drop_repeats(headings: list[Heading]) -> list[Heading]:
    """A heading repeated at a page top ("3 Method (continued)") or matched twice is kept once."""
    out: list[Heading] = []
    seen: set[tuple[str, int]] = set()
    for h in headings:
        key = (_norm(h.text), h.level)
        if key in seen and h.level == 1:
            continue
        seen.add(key)
        out.append(h)
    return out


def _cut(lines: Sequence[Line], headings: list[Heading], body: BodyStyle, skip: set[int]) -> SectionTree:
    captions: list[str] = []
    caption_spans: list[tuple[int, int]] = []
    caption_lines = _caption_lines(lines, body, captions, caption_spans)
    tree = SectionTree(
        sections=[],
        captions=captions,
        front_end=headings[0].index if headings else len(lines),
        caption_spans=caption_spans,
    )
    # an unheaded reference list after the last heading
    if headings and not any(is_references_heading(h.text) for h in headings):
        at = find_reference_list(lines, headings[-1].end, body)
        if at is not None:
            headings.append(Heading(at, at, "References", 1, lines[at].page))
    after_refs = False
    skip = skip | {k for h in headings for k in h.also}  # a wrapped heading's lines read among the text
    for n, h in enumerate(headings):
        stop = headings[n + 1].index if n + 1 < len(headings) else len(lines)
        refs = is_references_heading(h.text) and h.level == 1
        abstract = is_abstract_heading(h.text) and not tree.sections
        # reference lists and abstracts are often set smaller than the body: keep their small print
        small = refs or abstract
        text = join_paragraphs(lines, range(h.end, stop), skip | caption_lines, body, keep_small=small)
        if refs and tree.references_start is None:
            tree.references_start, tree.references_end = h.end, stop
        if abstract:
            tree.abstract = text
            continue
        role: SectionRole
        if refs:
            role = "references"
            after_refs = True
        elif h.level == 1 and is_front_matter_box(h.text) and all(x.role == "abstract" for x in tree.sections):
            role = "abstract"  # a summary box before the first section is front matter, read like the abstract
        else:
            role = role_from_heading(h.text) or "other"
            if role == "abstract":
                role = "other"
        if after_refs and not refs and h.level == 1 and role not in ("appendix",):
            role = "appendix"
        tree.sections.append(Section(heading=h.text, level=h.level, page=h.page, text=text, role=role))
        tree.starts.append(h.index)
    _fill_roles(tree.sections)
    _settle_roles(tree.sections)
    return tree


# Text this much smaller than the body is footnotes and figure labels, not the section's prose.
READABLE_SIZE = 0.88
# Space between two lines, beyond the usual line gap, that starts a new paragraph (in body sizes).
PARAGRAPH_GAP = 0.45


def _readable(ln: Line, body: BodyStyle) -> bool:
    """Body text, not footnotes or figure labels set much smaller."""
    return ln.size >= body.size * READABLE_SIZE


def join_paragraphs(
    lines: Sequence[Line], indices: Iterable[int], skip: set[int], body: BodyStyle, *, keep_small: bool = False
) -> str:
    """Lines to text: paragraphs separated by blank lines, hyphenation undone."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    prev: Line | None = None
    for i in indices:
        if i in skip:
            continue
        ln = lines[i]
        if not keep_small and (ln.tabular or not _readable(ln, body)):
            continue
        new_para = prev is None or (
            ln.page == prev.page and ln.col == prev.col and ln.gap_above > body.line_gap + PARAGRAPH_GAP * body.size
        )
        if new_para and current:
            paragraphs.append(current)
            current = []
        current.append(ln.text)
        prev = ln
    if current:
        paragraphs.append(current)
    return "\n\n".join(join_lines(p) for p in paragraphs)


CAPTION_MAX_LINES = 25  # a caption longer than this is a caption's label before body text


def _caption_lines(
    lines: Sequence[Line], body: BodyStyle, captions: list[str], spans: list[tuple[int, int]]
) -> set[int]:
    """Figure and table captions: the label line and the lines that continue it (their ranges in `spans`)."""
    taken: set[int] = set()
    edges: dict[tuple[int, int], float] = {}
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        text = ln.text.strip()
        small = ln.size < body.size - 0.4
        bare = (
            BARE_CAPTION.match(text) is not None
            and ln.size <= body.size + 0.3
            and (small or ln.bold_head)
            and not CAPTION.match(text)
        )
        # Captions may be set a little above the body size (amsart, theses: 10.9 on 10 pt); a line much
        # bigger than the body is a heading that names a figure.
        if not (bare or CAPTION.match(text)) or (ln.size > body.size * 1.1 + 0.3 and not ln.bold):
            i += 1
            continue
        label_only = LABEL_ONLY.match(text) is not None
        has_punct = bool(re.match(r"^\S+\.?\s*[\dIVXL]+(?:\.\d+)?\s*[:.|—–：]", text))
        distinct = small or ln.bold or ln.italic
        if not (label_only or has_punct or distinct or bare):
            i += 1
            continue
        j = i + 1
        while j < n and j - i < CAPTION_MAX_LINES:
            nxt = lines[j]
            if nxt.tabular:
                break
            if nxt.block != lines[j - 1].block and not (label_only and j == i + 1):
                if CAPTION.match(nxt.text) or BARE_CAPTION.match(nxt.text):
                    break  # the next float's caption, printed right after this one
                # small print may go on in a block of its own (olmOCR 2's captions) when the line before
                # runs to the column's edge (a paragraph that goes on, not a short caption over a table)
                full = lines[j - 1].x1 >= _right_edge(lines, lines[j - 1], edges) - 0.03 * lines[j - 1].width
                if not (full and small and nxt.size < body.size - 0.4 and abs(nxt.size - ln.size) <= 0.3):
                    break
            apart = nxt.page != ln.page or nxt.col != ln.col or nxt.gap_above > body.line_gap + 0.5 * nxt.size
            if apart and not (label_only and j == i + 1 and nxt.page == ln.page):
                break
            if abs(nxt.size - ln.size) > 0.6 and not label_only and nxt.block != ln.block:
                break
            j += 1
        captions.append(join_lines([lines[k].text for k in range(i, j)]))
        spans.append((i, j))
        taken.update(range(i, j))
        i = j
    return taken


def _right_edge(lines: Sequence[Line], ln: Line, edges: dict[tuple[int, int], float]) -> float:
    """Where the text of `ln`'s page and column ends on the right (memoised in `edges`)."""
    key = (ln.page, ln.col)
    if key not in edges:
        edges[key] = max(o.x1 for o in lines if o.page == ln.page and o.col == ln.col)
    return edges[key]


_SUB_ROLES = ("related_work", "background", "experiments", "results", "discussion")


def _fill_roles(sections: list[Section]) -> None:
    """Give unnamed sections a role from their place: sub-sections inherit, the body between intro and
    experiments is method, a first unnamed section is the introduction."""
    parent_role: SectionRole = "other"
    seen_experiments = False
    seen_intro = False
    named = [role_from_heading(s.heading) for s in sections]
    first = next((k for k, s in enumerate(sections) if s.role != "abstract"), 0)  # after the summary boxes
    for k, s in enumerate(sections):
        if s.role in ("references", "appendix", "abstract"):
            parent_role = s.role
            continue
        own = named[k]
        if s.level == 1:
            if own is None and not is_end_matter(s.heading):
                if not seen_intro and k == first:
                    s.role = "introduction"
                elif seen_intro and not seen_experiments:
                    s.role = "method"
            parent_role = s.role
            if s.role == "introduction":
                seen_intro = True
            if s.role in ("experiments", "results", "discussion", "conclusion"):
                seen_experiments = True
        elif not (own in _SUB_ROLES and parent_role in ("method", "other", "experiments", "introduction")):
            s.role = parent_role  # sub-sections speak for their section unless they name a finer role


def _settle_roles(sections: list[Section]) -> None:
    """The last word on roles, by heading: supplementary material is appendix, end matter (Acknowledgments,
    Funding, Limitations ...) is `end_matter`, and a section still unnamed gets the role a word stem in its
    heading suggests."""
    for s in sections:
        if s.role in ("references", "appendix"):
            continue
        if is_supplement_section(s.heading):
            s.role = "appendix"
        elif is_end_matter_section(s.heading):
            s.role = "end_matter"
        elif s.role == "other":
            s.role = role_from_heading_stems(s.heading) or "other"
