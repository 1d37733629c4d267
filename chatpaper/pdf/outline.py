"""Headings from the PDF outline: its entries matched to the printed lines, a hint rather than the truth (an
outline may hold the title over every section, shorten a heading, or leave out the end matter).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

from chatpaper.pdf.headings import (
    is_end_matter,
    is_known_heading,
    parse_numbering,
    role_from_heading,
    strip_numbering,
)
from chatpaper.pdf.lines import Line
from chatpaper.pdf.text import join_lines
from chatpaper.pdf.typeset import BodyStyle, Candidate, Heading, heading_like, line_style, same_style

# --- headings from the PDF outline ---------------------------------------------------------------


_NOT_NORM = re.compile(r"[\W_]+")  # letters and digits of every script are kept


@functools.lru_cache(maxsize=16384)
def heading_key(text: str) -> str:
    return _NOT_NORM.sub("", text.lower())


@functools.lru_cache(maxsize=16384)
def _norm_words(text: str) -> str:
    text = strip_numbering(text)
    # outlines often drop the dot ("II Self-consistent ..."): strip a bare leading label too
    text = re.sub(r"^(?:[IVXLC]{1,5}|\d+(?:\.\d+)*|[A-Z](?:\.\d+)*)\s+(?=\S)", "", text)
    return heading_key(text)


# How alike two readings must be (difflib ratio of their letters): a bookmark or a cover's title and a printed
# line, to be the paper's title; a bookmark and a line, to be the section's heading (outlines shorten and
# reword headings a little).
TITLE_MATCH = 0.8
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
        same = similarity(heading_key(t[1]), heading_key(title)) >= TITLE_MATCH if title else False
        titled = not is_known_heading(t[1]) or len(t[1].split()) >= TITLE_ENTRY_WORDS
        if same or (t is entries[0] and t[2] <= 1 and titled):
            return [(lvl - 1, text, page) for lvl, text, page in entries if (lvl, text, page) != t]
    low = min(e[0] for e in entries)
    return [(lvl - low + 1, text, page) for lvl, text, page in entries]


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """Similarity ratio of two normalised strings (`heading_key`); 0 when it cannot reach `floor` (cheap bounds
    first)."""
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
        found.append(Heading(start, end, text, level, lines[start].page, number, line_style(lines[start])))
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
            more = got + heading_key(lines[nxt].text)
            if similarity(more, want, 0.5) <= similarity(got, want, 0.5):
                break
            got = more
            end += 1
        score = similarity(got, want, OUTLINE_MATCH)
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
    from_outline: list[Heading], cands: Sequence[Candidate], lines: Sequence[Line], body: BodyStyle, skip: set[int]
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
        if c.index in taken or not same_style(c.style, top):
            continue
        # inside the outline's span only what outlines leave out (the abstract, thanks, supplements, the
        # references): another role word there unlisted is a paragraph head ("Problem statement" in a chapter),
        # as the outline is the authority
        left_out = is_end_matter(c.words) or role_from_heading(c.text) in ("abstract", "references", "appendix")
        if c.number is None and (c.index > last_top or left_out) and heading_like(c.text, None):
            extra.append(Heading(c.index, c.end, c.text, 1, c.page, None, c.style, c.also))
    return sorted(from_outline + extra, key=lambda h: h.index)
