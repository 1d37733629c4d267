"""The section tree: headings from the PDF outline when it has one, from font statistics otherwise.

Pure module. Input is the document's lines in reading order (see `layout`); output is a flat list of
`Section`s (heading, level, page, text, role) with the references section kept but marked, and
figure/table captions collected apart from the body text.
"""

from __future__ import annotations

import functools
import itertools
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
    is_known_heading,
    is_references_heading,
    is_supplement_section,
    parse_numbering,
    role_from_heading,
    role_from_heading_stems,
    strip_numbering,
)
from chatpaper.pdf.layout import Line, join_lines
from chatpaper.scripts import HAN, HAN_CHAR

# --- body style ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BodyStyle:
    """The style most of the text is set in; headings are recognised by how they differ from it."""

    size: float
    font: str
    bold: bool
    line_gap: float  # usual whitespace between two lines of a paragraph
    colored: bool = False


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
    return BodyStyle(size, font, bold > total * 0.6, gap, colored > total * 0.6)


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


@dataclass(slots=True)
class _Candidate:
    index: int
    end: int
    text: str
    page: int
    style: Style
    number: Numbering | None
    words: str


def _style(ln: Line) -> Style:
    return Style(round(ln.size * 2) / 2, ln.bold, ln.italic, ln.upper, _family(ln.font), ln.colored)


@functools.lru_cache(maxsize=1024)
def _family(font: str) -> str:
    base = re.split(r"[-,_]", font, maxsplit=1)[0]
    base = re.sub(r"(?i)(bold|italic|medium|regular|roman|semibold|light|mt|ps|std|pro)+$", "", base)
    return re.sub(r"\d+$", "", base).lower()


def _same_style(a: Style, b: Style) -> bool:
    return abs(a.size - b.size) <= 0.6 and a[1:] == b[1:]


def _continues(a: Style, b: Style) -> bool:
    """A wrapped heading line may switch case or slant (a name in small caps) but not size, weight, font or colour."""
    return abs(a.size - b.size) <= 0.6 and (a.bold, a.family, a.colored) == (b.bold, b.family, b.colored)


def _same_case_and_slant(a: Style, b: Style) -> bool:
    return (a.italic, a.upper) == (b.italic, b.upper)


def _prominence(style: Style) -> tuple:
    return (style.size, style.bold, style.upper, not style.italic)


def _heading_like(text: str, number: Numbering | None) -> bool:
    words = strip_numbering(text) if number else text.strip()
    if not words or len(words) > 140 or len(HAN_CHAR.findall(words)) > 40:
        return False
    if not any(ch.isalpha() for ch in words):
        return False
    tokens = words.split()
    if len(tokens) > 16:
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
            and j - i < 4
            and lines[j].page == first.page
            and lines[j].col == first.col
            and _continues(styles[j], style)
            and (_same_case_and_slant(styles[j], style) or lines[j].width <= first.width + 2)
            and lines[j].width <= 1.5 * lines[j - 1].width  # a short line then a full one: heading, then text
            and lines[j].gap_above < 1.2 * first.size
            and parse_numbering(lines[j].text)[0] is None
        ):
            j += 1
        yield i, j
        i = j


def find_candidates(lines: Sequence[Line], body: BodyStyle, skip: set[int]) -> list[_Candidate]:
    """Lines that stand out from the body text the way headings do."""
    out: list[_Candidate] = []
    styles = [_style(ln) for ln in lines]
    body_family = _family(body.font)
    for i, j in _runs(lines, skip, styles):
        first = lines[i]
        if j - i > 3 or first.tabular or lines[j - 1].runin:
            continue
        # the ways a heading's type can differ from the body's; a line differing in none is running
        # text, told before its words are looked at
        bigger = first.size >= body.size + max(0.9, 0.07 * body.size)
        bolder = first.bold and not body.bold
        set_apart = (first.colored and not body.colored) or (styles[i].family != body_family and not first.mono)
        if not (bigger or bolder or first.upper or first.italic or set_apart):
            continue
        text = join_lines([ln.text for ln in lines[i:j]]).strip()
        if len(text) > 160 or first.mono:
            continue
        number, words = parse_numbering(text)
        if not _heading_like(text, number):
            continue
        # headings are rarely smaller than the body; a small bold "Acknowledgement" still counts
        if first.size < body.size * (0.78 if is_known_heading(words) and len(words.split()) <= 4 else 0.85):
            continue
        capital = first.upper and sum(ch.isalpha() for ch in words) >= 4
        slanted = first.italic and number is not None  # IEEE sub-sections: "A. Italic Title"
        # numbered lines in another typeface or in colour, at body size and weight
        marked = (number is not None or is_known_heading(words)) and set_apart
        if not (bigger or bolder or capital or slanted or marked):
            continue
        prev_gap = first.gap_above
        nxt = lines[j] if j < len(lines) else None
        # a heading sits apart: extra space above, or the text after it changes style
        isolated = prev_gap >= body.line_gap + 0.15 * body.size or i == 0 or lines[i - 1].page != first.page
        if nxt is not None and not isolated:
            isolated = not _same_style(styles[j], styles[i])
        if not isolated:
            continue
        # the same style going on right below is a bold paragraph, not a heading (unless it is a heading too)
        if (
            nxt is not None
            and nxt.page == first.page
            and nxt.col == first.col
            and _same_style(styles[j], styles[i])
            and nxt.gap_above < body.line_gap + 0.15 * body.size
            and parse_numbering(nxt.text)[0] is None
        ):
            continue
        out.append(
            _Candidate(
                index=i,
                end=j,
                text=text,
                page=first.page,
                style=styles[i],
                number=number,
                words=words,
            )
        )
    return out


def _best_sequence_style(cands: Sequence[_Candidate]) -> Style | None:
    """The style of the top-level headings: the one whose depth-1 numbers count up most steadily."""
    by_style: dict[Style, list[_Candidate]] = {}
    for c in cands:
        key = next((k for k in by_style if _same_style(k, c.style)), c.style)
        by_style.setdefault(key, []).append(c)
    best, best_score = None, 0.0
    for style, group in by_style.items():
        numbers = [c.number.first for c in group if c.number and c.number.depth == 1 and c.number.kind != "letter"]
        score = _increasing_run(numbers)
        score += 0.5 * sum(1 for c in group if role_from_heading(c.words) or is_end_matter(c.words))
        score -= 0.25 * sum(1 for c in group if c.number and c.number.depth > 1)
        if score > best_score or (score == best_score and best is not None and _prominence(style) > _prominence(best)):
            best, best_score = style, score
    return best if best_score >= 1.5 else None


def _increasing_run(numbers: Sequence[int]) -> int:
    """How many numbers follow on from each other (1, 2, 3 ...) allowing stray values in between."""
    count, last = 0, 0
    for n in numbers:
        if n == last + 1 or (count == 0 and n in (1, 2)):
            count += 1
            last = n
    return count


def headings_from_fonts(cands: Sequence[_Candidate]) -> list[Heading]:
    """Headings by font statistics over `find_candidates`: the top-level style, then lower levels by
    numbering and prominence."""
    if not cands:
        return []
    top = _best_sequence_style(cands)
    if top is None:
        # no recurring heading style (a short note): only lines that are plainly section names
        return [
            Heading(c.index, c.end, c.text, 1, c.page, c.number, c.style)
            for c in cands
            if is_known_heading(c.words) and len(c.words.split()) <= 4
        ]
    return _levels(cands, top)


def _levels(cands: Sequence[_Candidate], top: Style) -> list[Heading]:
    top_numbers = [c for c in cands if _same_style(c.style, top) and c.number and c.number.depth == 1]
    numbered_paper = len(top_numbers) >= 2
    top_kind = Counter(c.number.kind for c in top_numbers).most_common(1)[0][0] if top_numbers else None
    last_numbered = max((c.index for c in top_numbers), default=-1)
    # the first real section is numbered or has a known name; set like it before that: author lines, banners
    anchor = min(
        (c.index for c in cands if _same_style(c.style, top) and (c.number or is_known_heading(c.words))), default=0
    )
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
            ):
                level = 1
        elif _prominence(c.style) <= _prominence(top):
            if c.number:
                depth = _depth(c.number, top_kind)
                level = depth if depth >= 2 else None
            else:
                key = next((k for k in style_levels if _same_style(k, c.style)), None)
                if key is not None:
                    level = style_levels[key]
                elif not numbered_paper:
                    level = 2
        if level is not None:
            out.append(Heading(c.index, c.end, c.text, level, c.page, c.number, c.style))
    return out


def _depth(number: Numbering, top_kind: str | None) -> int:
    if number.kind == "letter" and top_kind == "roman":
        return 2 if number.depth == 1 else number.depth + 1
    if number.kind == "arabic" and top_kind == "roman" and number.depth == 1:
        return 3
    return number.depth


# --- headings from the PDF outline ---------------------------------------------------------------


_NOT_NORM = re.compile(f"[^0-9a-z{HAN}]+")


@functools.lru_cache(maxsize=16384)
def _norm(text: str) -> str:
    return _NOT_NORM.sub("", text.lower())


@functools.lru_cache(maxsize=16384)
def _norm_words(text: str) -> str:
    text = strip_numbering(text)
    # outlines often drop the dot ("II Self-consistent ..."): strip a bare leading label too
    text = re.sub(r"^(?:[IVXLC]{1,5}|\d+(?:\.\d+)*|[A-Z](?:\.\d+)*)\s+(?=\S)", "", text)
    return _norm(text)


def outline_levels(entries: Sequence[tuple[int, str, int]], title: str) -> list[tuple[int, str, int]]:
    """Drop a lone top entry that is the paper's title and lift the rest one level."""
    if not entries:
        return []
    tops = [e for e in entries if e[0] == min(x[0] for x in entries)]
    if len(tops) == 1 and len(entries) > 1:
        t = tops[0]
        same = _similar(_norm(t[1]), _norm(title)) >= 0.8 if title else False
        if same or (t is entries[0] and t[2] <= 1 and not is_known_heading(t[1])):
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
        score = _similar(got, want, 0.75)
        if score < 0.75 and not (
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
    top_styles = [h.style for h in from_outline if h.level == 1]
    if not top_styles:
        return from_outline
    top = Counter(top_styles).most_common(1)[0][0]
    taken = set()
    for h in from_outline:
        taken.update(range(h.index, h.end))
    extra = []
    last_top = max((h.index for h in from_outline if h.level == 1), default=-1)
    for c in cands:
        if c.index in taken or not _same_style(c.style, top):
            continue
        if c.number is None and (c.index > last_top or is_known_heading(c.words)) and _heading_like(c.text, None):
            extra.append(Heading(c.index, c.end, c.text, 1, c.page, None, c.style))
    return sorted(from_outline + extra, key=lambda h: h.index)


# --- references without a heading ----------------------------------------------------------------

_REF_ENTRY = re.compile(r"^(?:\[\d{1,3}\]|\d{1,3}\.?\s+[A-Z\u00c0-\u024f]|[A-Z][A-Za-z'\-]+,\s+(?:[A-Z]\.\s?)+)")


def find_reference_list(lines: Sequence[Line], start: int, body: BodyStyle) -> int | None:
    """Where an unheaded reference list begins after `start`: a run of numbered citation entries."""
    n = len(lines)
    for i in range(start, n):
        ln = lines[i]
        if not _REF_ENTRY.match(ln.text.strip()) or ln.size > body.size + 0.3:
            continue
        window = lines[i : i + 12]
        hits = sum(1 for w in window if _REF_ENTRY.match(w.text.strip()))
        yearish = sum(1 for w in window if re.search(r"\((?:19|20)\d\d\)|\b(?:19|20)\d\d[a-z]?\b", w.text))
        if hits >= 4 and yearish >= 4 and (ln.size < body.size - 0.3 or ln.gap_above > body.line_gap + 4):
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
    cands = find_candidates(lines, body, skip)
    from_fonts = headings_from_fonts(cands)
    headings: list[Heading] | None = None
    entries = outline_levels(outline, title)
    if entries:
        from_outline = headings_from_outline(lines, entries, body, skip)
        if from_outline is not None:
            headings = merge_outline_and_fonts(from_outline, cands, lines, body, skip)
    if headings is None:
        headings = from_fonts
    headings = _drop_repeats(headings)
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
    bounds = [*headings, None]
    after_refs = False
    for h, nxt in itertools.pairwise(bounds):
        stop = nxt.index if nxt else len(lines)
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


def _readable(ln: Line, body: BodyStyle) -> bool:
    """Body text, not footnotes or figure labels set much smaller."""
    return ln.size >= body.size * 0.88


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
            ln.page == prev.page and ln.col == prev.col and ln.gap_above > body.line_gap + 0.45 * body.size
        )
        if new_para and current:
            paragraphs.append(current)
            current = []
        current.append(ln.text)
        prev = ln
    if current:
        paragraphs.append(current)
    return "\n\n".join(join_lines(p) for p in paragraphs)


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
        while j < n and j - i < 25:
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
    for k, s in enumerate(sections):
        if s.role in ("references", "appendix"):
            parent_role = s.role
            continue
        own = named[k]
        if s.level == 1:
            if own is None and not is_end_matter(s.heading):
                if not seen_intro and k == 0:
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
