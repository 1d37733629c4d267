"""The section tree: headings from the PDF outline when it has one (`outline`), from font statistics
otherwise (`typeset`), printed contents and unheaded reference lists told apart, and roles.

Pure module. Input is the document's lines in reading order (see `layout`); output is a flat list of
`Section`s (heading, level, page, text, role) with the references section kept but marked, and
figure/table captions collected apart from the body text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chatpaper.captions import BARE_CAPTION, CAPTION, LABEL_ONLY
from chatpaper.models import Section, SectionRole
from chatpaper.pdf.headings import (
    is_abstract_heading,
    is_end_matter,
    is_end_matter_section,
    is_front_matter_box,
    is_references_heading,
    is_supplement_section,
    names_a_list,
    names_contents,
    parse_numbering,
    role_from_heading,
    role_from_heading_stems,
)
from chatpaper.pdf.lines import Line
from chatpaper.pdf.outline import heading_key, headings_from_outline, merge_outline_and_fonts, outline_levels
from chatpaper.pdf.text import join_lines
from chatpaper.pdf.typeset import (
    HEADING_MAX_WORDS,
    SAME_SIZE_PT,
    BodyStyle,
    Heading,
    find_candidates,
    headings_from_fonts,
    right_edge,
)

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
    abstract_page: int | None = None  # where that heading is printed
    references_start: int | None = None  # line range of the reference list
    references_end: int | None = None
    contents: set[int] = field(default_factory=set)  # lines of printed tables of contents and lists of figures


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
    tree = _cut(lines, headings, body, skip)
    tree.contents = not_headings - skip
    return tree


def _drop_repeats(headings: list[Heading]) -> list[Heading]:
    """A heading repeated at a page top ("3 Method (continued)") or matched twice is kept once."""
    out: list[Heading] = []
    seen: set[tuple[str, int]] = set()
    for h in headings:
        key = (heading_key(h.text), h.level)
        # a second reference list is one (Nature prints the Methods' own references after the Methods)
        if key in seen and h.level == 1 and not is_references_heading(h.text):
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
        kept = range(h.end, stop)
        text, text_pages = join_paragraphs_paged(lines, kept, skip | caption_lines, body, keep_small=small)
        if refs and tree.references_start is None:
            tree.references_start, tree.references_end = h.end, stop
        if abstract:
            tree.abstract, tree.abstract_page = text, h.page
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
        # After the reference list comes the appendix, but for the unnumbered "Methods" the Nature journals
        # print there: the paper's own method, read as body ("B Implementation details" stays an appendix).
        methods = role == "method" and parse_numbering(h.text)[0] is None
        if after_refs and not refs and h.level == 1 and role != "appendix" and not methods:
            role = "appendix"
        tree.sections.append(
            Section(heading=h.text, level=h.level, page=h.page, text=text, role=role, text_pages=text_pages)
        )
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
    return join_paragraphs_paged(lines, indices, skip, body, keep_small=keep_small)[0]


def join_paragraphs_paged(
    lines: Sequence[Line], indices: Iterable[int], skip: set[int], body: BodyStyle, *, keep_small: bool = False
) -> tuple[str, list[tuple[int, int]]]:
    """`join_paragraphs`, and (character offset, page) where each page's part of the text begins
    (`Section.text_pages`), so a quote found in a section is traced to the page it is printed on."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    turns: list[tuple[int, int, int]] = []  # (paragraph, line within it, page) where a page begins
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
        if prev is None or ln.page != prev.page:
            turns.append((len(paragraphs), len(current), ln.page))
        current.append(ln.text)
        prev = ln
    if current:
        paragraphs.append(current)
    joined = [join_lines(p) for p in paragraphs]
    starts = [0]
    for text in joined:
        starts.append(starts[-1] + len(text) + 2)
    pages: list[tuple[int, int]] = []
    for para, line, page in turns:
        # where the page's first line begins once the paragraph's lines are joined (a space or an undone
        # hyphen off: near enough to tell which page a quote is on)
        offset = starts[para] + (len(join_lines(paragraphs[para][:line])) + 1 if line else 0)
        pages.append((min(offset, starts[para] + len(joined[para])), page))
    return "\n\n".join(joined), pages


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
                full = lines[j - 1].x1 >= right_edge(lines, lines[j - 1], edges) - 0.03 * lines[j - 1].width
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


_SUB_ROLES = ("related_work", "background", "experiments", "results", "discussion")


def _fill_roles(sections: list[Section]) -> None:
    """Give unnamed sections a role from their place: sub-sections inherit, the body between intro and
    experiments is method, a first unnamed section is the introduction."""
    parent_role: SectionRole = "other"
    seen_experiments = False
    seen_intro = False
    named = [role_from_heading(s.heading) for s in sections]
    first = next((k for k, s in enumerate(sections) if s.role != "abstract"), 0)  # after the summary boxes
    # Medical journals (BMC, Trials) open with "Background" where others print "Introduction": without an
    # introduction, a first section named Background is the paper's introduction (problem, gap, aim).
    if (
        first < len(sections)
        and sections[first].role == "background"
        and not any(s.role == "introduction" for s in sections)
    ):
        sections[first].role = "introduction"
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
        if s.role == "references":
            continue
        if is_end_matter_section(s.heading):
            s.role = "end_matter"  # wherever it stands: acknowledgments after an appendix say no more
        elif s.role == "appendix":
            continue
        elif is_supplement_section(s.heading):
            s.role = "appendix"
        elif s.role == "other":
            s.role = role_from_heading_stems(s.heading) or "other"
