"""How the paper is set: the body's type, and the lines set apart from it the way headings are, with their
levels from font statistics (the section tree's headings when the PDF has no usable outline).

Pure module working on arranged `Line`s. Each rule below is for a class of papers, said where it stands.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from chatpaper.captions import CAPTION
from chatpaper.pdf.headings import (
    Numbering,
    is_end_matter,
    is_known_heading,
    is_references_heading,
    parse_numbering,
    role_from_heading,
    strip_numbering,
)
from chatpaper.pdf.lines import Line
from chatpaper.pdf.text import join_lines
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
class Candidate:
    index: int
    end: int
    text: str
    page: int
    style: Style
    number: Numbering | None
    words: str
    also: tuple[int, ...] = ()


def line_style(ln: Line) -> Style:
    return Style(round(ln.size * 2) / 2, ln.bold, ln.italic, ln.upper, _family(ln.font), ln.colored)


@functools.lru_cache(maxsize=1024)
def _family(font: str) -> str:
    base = re.split(r"[-,_]", font, maxsplit=1)[0]
    base = re.sub(r"(?i)(bold|italic|medium|regular|roman|semibold|light|mt|ps|std|pro)+$", "", base)
    return re.sub(r"\d+$", "", base).lower()


# Two lines' sizes within this many points are one type size (sizes are rounded to half points, and
# small caps or accents move a line's size a little).
SAME_SIZE_PT = 0.6


def same_style(a: Style, b: Style) -> bool:
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


def heading_like(text: str, number: Numbering | None) -> bool:
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
    `line_style(lines[i])`)."""
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


def _is_label(text: str) -> bool:
    """Whether `text` is a section label and nothing more ("3", "付録A", "Appendix B")."""
    return parse_numbering(f"{text.strip()} X")[1] == "X"


def _number_apart(lines: Sequence[Line], i: int, j: int, k: int) -> bool:
    """Whether `lines[i]` (a run of one line) is a bare section number that belongs to the heading starting at
    `lines[k]`, the next run: beside it on the same row (set in another font, whose box the layout did not
    put on one line with it: "1" + "緒言") or right above it."""
    number, words = lines[i], lines[k]
    if j != i + 1 or k != j or words.page != number.page:
        return False
    label = number.text.strip()
    # a worded label ("付録A", "Appendix B", "Глава 2") set apart from its title, as theses set appendices
    worded = _is_label(label) and not label[:1].isdigit()
    if not (_BARE_NUMBER.match(label) or worded):
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
        if k == i or other.page != ln.page or not same_style(styles[k], styles[i]):
            continue
        if _is_label(other.text):
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


def find_candidates(lines: Sequence[Line], body: BodyStyle, skip: set[int]) -> list[Candidate]:
    """Lines that stand out from the body text the way headings do."""
    out: list[Candidate] = []
    styles = [line_style(ln) for ln in lines]
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
        if not heading_like(text, number):
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
            isolated = not same_style(styles[j], styles[i])
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
            and lines[j - 1].width >= FULL_LINE * (right_edge(lines, lines[j - 1], edges) - lines[j - 1].x0)
        ):
            continue
        # the same style going on right below is a bold paragraph, not a heading (unless it is a heading too)
        if (
            nxt is not None
            and nxt.page == first.page
            and nxt.col == first.col
            and same_style(styles[j], styles[i])
            and nxt.gap_above < body.line_gap + APART * body.size
            and parse_numbering(nxt.text)[0] is None
        ):
            continue
        taken.update(also)
        out.append(
            Candidate(
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


def _best_sequence_style(cands: Sequence[Candidate], front_page: int) -> Style | None:
    """The style of the top-level headings: the one whose depth-1 numbers count up most steadily."""
    by_style: dict[Style, list[Candidate]] = {}
    for c in cands:
        key = next((k for k in by_style if same_style(k, c.style)), c.style)
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


def headings_from_fonts(cands: Sequence[Candidate], front_page: int = 1) -> list[Heading]:
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


def _levels(cands: Sequence[Candidate], top: Style, front_page: int) -> list[Heading]:
    top_numbers = [c for c in cands if same_style(c.style, top) and c.number and c.number.depth == 1]
    numbered_paper = len(top_numbers) >= 2
    kinds = Counter(c.number.kind for c in top_numbers if c.number is not None)
    top_kind = kinds.most_common(1)[0][0] if kinds else None
    last_numbered = max((c.index for c in top_numbers), default=-1)
    # the first real section is numbered or has a known name; set like it before that: author lines, banners
    # (on the title page: in an unnumbered paper, headings past it come before the first known name when the
    # introduction has no heading of its own, as in Science or AI Magazine)
    anchor = min(
        (c.index for c in cands if same_style(c.style, top) and (c.number or is_known_heading(c.words))), default=0
    )
    top_values = [(c.index, c.number.first) for c in top_numbers if c.number is not None]
    # styles used by numbered sub-headings give their level
    style_levels: dict[Style, int] = {}
    for c in cands:
        if c.number and not same_style(c.style, top) and _prominence(c.style) <= _prominence(top):
            depth = _depth(c.number, top_kind)
            if depth >= 2:
                key = next((k for k in style_levels if same_style(k, c.style)), c.style)
                style_levels[key] = min(style_levels.get(key, depth), depth)
    out: list[Heading] = []
    for c in cands:
        level: int | None = None
        if same_style(c.style, top):
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
                found = next((k for k in style_levels if same_style(k, c.style)), None)
                if found is not None:
                    level = style_levels[found]
                elif not numbered_paper:
                    level = 2
        elif _continues_sequence(c, top_values, top_kind):
            # set bigger than the other top-level headings but numbered as the next of them: an OCR'd size is
            # off by up to a fifth, and some papers set one heading bigger; numbering beats typography
            level = 1
        if level is not None:
            out.append(Heading(c.index, c.end, c.text, level, c.page, c.number, c.style, c.also))
    _lift_end_matter(out)
    return out


def _continues_sequence(c: Candidate, top_values: Sequence[tuple[int, int]], top_kind: str | None) -> bool:
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


def right_edge(lines: Sequence[Line], ln: Line, edges: dict[tuple[int, int], float]) -> float:
    """Where the text of `ln`'s page and column ends on the right (memoised in `edges`)."""
    key = (ln.page, ln.col)
    if key not in edges:
        edges[key] = max(o.x1 for o in lines if o.page == ln.page and o.col == ln.col)
    return edges[key]
