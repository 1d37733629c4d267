"""The title page and the title: archive covers skipped, then the most prominent block near the top of the paper's
own first page, with the lines it wraps onto.

Pure module working on arranged `Line`s; names are told by `authors`, labels and prose by `labels`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chatpaper.pdf import authors as names
from chatpaper.pdf.headings import parse_numbering, role_from_heading
from chatpaper.pdf.labels import ABSTRACT_LABEL, is_prose
from chatpaper.pdf.lines import Line
from chatpaper.pdf.outline import TITLE_MATCH, heading_key, similarity
from chatpaper.pdf.text import join_lines
from chatpaper.pdf.typeset import BodyStyle
from chatpaper.scripts import HAN_CHAR, UNSPACED_LETTER_CHAR

# --- the title page ------------------------------------------------------------------------------

# Covers that repositories and archives put in front of a paper (ResearchGate, eScholarship, SSRN, HAL,
# EconStor, institutional repositories, JSTOR, Taylor & Francis): their own boilerplate, in the languages
# they print it in. Two different phrases on a page make it a cover; the paper's own first page follows.
_ARCHIVE_COVER = re.compile(
    r"see discussions, stats,? and author profiles|\bsee profile\b|all content following this page was uploaded"
    # ResearchGate's profile boxes print these in capitals
    r"|the user has requested enhancement|(?-i:\b\d+ PUBLICATIONS\b|\bCITATIONS\b|\bREADS\b)"
    r"|previously published works|\bpermalink\b|escholarship|powered by the california digital library"
    r"|\bpeer reviewed\b|electronic copy available at|\bhal id\b|archive ouverte|multi-disciplinary open access"
    r"|econstor|make your publications visible|terms of use|nutzungsbedingungen|standard-nutzungsbedingungen"
    r"|this version is available at|recommended citation|follow this and additional works at"
    r"|brought to you (?:for free and open access )?by|digital commons|repository copy|deposited on"
    r"|take ?down policy|general rights|to cite this article|to link to this article|full terms & conditions"
    r"|submit your article to this journal|article views|view related articles|view crossmark data"
    r"|jstor is a not-for-profit|your use of the jstor archive|stable url|downloaded from"
    r"|citation for (?:the )?(?:original )?published (?:paper|version)|this is the (?:published|accepted) version"
    # IOPscience and ProQuest download covers
    r"|please scroll down to see the full text|download details|this content was downloaded"
    r"|terms and conditions apply|view the table of contents for this issue|information to all users"
    r"|the quality of this reproduction|\bproquest\b",
    re.I,
)
_COVER_HITS = 2  # one phrase may be a footer note on the paper's own page; two make a cover
_COVER_PAGES = 2  # at most this many covers in front of a paper (an archive cover over a publisher's)
_COVER_PROSE = 6  # a cover's licence or citation note runs to a few lines of prose; an abstract to more


def find_title_page(lines: Sequence[Line]) -> int:
    """The paper's own first page: the first page unless it is an archive or repository cover."""
    if not lines:
        return 1
    by_page: dict[int, list[str]] = {}
    first = lines[0].page
    for ln in lines:
        if ln.page > first + _COVER_PAGES:
            break
        by_page.setdefault(ln.page, []).append(ln.text)
    pages = sorted(by_page)
    for k, page in enumerate(pages):
        if k == len(pages) - 1 or k >= _COVER_PAGES:
            return page
        hits = {m.group(0).lower() for text in by_page[page] for m in _ARCHIVE_COVER.finditer(text)}
        prose = sum(1 for text in by_page[page] if is_prose(text))
        # a paper's own first page carrying a download stamp still has its abstract: a cover has no prose
        if len(hits) < _COVER_HITS or prose > _COVER_PROSE:
            return page
    return pages[0]


# --- title ---------------------------------------------------------------------------------------

_VENUE = re.compile(
    r"\b(journal|proceedings|conference|transactions|volume|vol\.|issue|workshop|symposium|preprint|arxiv|"
    r"doi|issn|isbn|copyright|published|accepted|received|submitted|under review|elsevier|springer|"
    r"research article|original article|review article|open access|license|licence|creative commons|"
    # journal mastheads and author-manuscript banners (Elsevier, PubMed Central): set bigger than the title
    r"contents lists available|sciencedirect|homepage|author manuscript|public access|funders group)\b"
    r"|©|https?://|www\.|@",
    re.I,
)
# A kicker printed in the title's font above it names the article type, not the paper.
KICKER = re.compile(
    r"^(?:(?:research|original|review|short|brief|rapid|technical|full|regular|invited|case|special|mini|"
    r"systematic|position|working|discussion|conference|research|policy|occasional|white)\s+)*"
    r"(?:article|paper|communication|report|note|letter|review|perspective|commentary|editorial|research|"
    r"opinion|protocol|hypothesis|methods?|article de recherche|artículo|artigo|originalarbeit|статья|論文|论文|原著)"
    r"s?(?:\s+(?:series|original|de pesquisa|de investigación))?"
    # a report or working-paper series number ("Technical Report TR-2019-04", "Working Paper No. 1234")
    r"(?:\s+(?:no\.?|nr\.?|#)?\s*[\w./-]*\d[\w./-]*)?$"
    # thesis title pages: the degree the work is submitted for, not the title
    r"|^(?:(?:doctoral|master'?s?|bachelor'?s?|ph\.?\s?d\.?|diploma|licentiate|habilitation)\s+)?"
    r"(?:thesis|dissertation)$|^(?:masterarbeit|bachelorarbeit|diplomarbeit|dissertation|tesis(?: doctoral)?|"
    r"thèse(?: de doctorat)?|tese(?: de doutorado)?|dissertação(?: de mestrado)?|диссертация|"
    r"выпускная квалификационная работа|修士論文|博士論文|卒業論文|硕士学位论文|博士学位论文|学位论文)$"
    # stamps on drafts and copies
    r"|^(?:(?:working |first |final )?draft(?: version)?|confidential|not for (?:distribution|circulation)|"
    r"camera[- ]ready(?: version)?|author'?s'? (?:copy|version)|personal copy|pre-?print(?: version)?)$",
    re.I,
)
_CODE_SHARE = 0.5  # a line that is less than half letters is a code or number (UDC, student number), no title
# An event's short name and year in a banner ("ICML 2024", "SPAA'04", "NeurIPS 2023"): the venue, not the title.
_EVENT = re.compile(r"^\W*(?:[\w&-]+\s+){0,3}[A-Z][A-Za-z]*[A-Z](?:['’]\d{2}|\s?(?:19|20)\d{2})\b")
_FOLLOWED_BY_AUTHORS = 1.25  # a title is followed by its author line: a banner or a heading is not


@dataclass(slots=True)
class Title:
    """The title as read, the lines it was read from and the page it is printed on."""

    text: str
    indices: list[int]  # line indices in reading order
    page: int = 1  # the paper's own first page (after any archive cover)
    cover: set[int] = field(default_factory=set)  # lines of the cover pages before it


def find_title(lines: Sequence[Line], body: BodyStyle, page_heights: Mapping[int, float]) -> Title:
    """The paper's title on its first page: the most prominent text block near the top, with its wrapped lines.

    Not a title: banners and mastheads (a journal name between "Contents lists available" and "journal
    homepage"), kickers naming the article type, codes and numbers (UDC lines, student numbers), section
    headings; a line shaped like a person's name weighs less (thesis title pages print the author as big).
    """
    title = _title_on(lines, find_title_page(lines), body, page_heights)
    # Report, thesis and proceedings covers print the title again over the paper's own first page, which adds
    # the byline and affiliations (the cover gives them short, and the title often in capitals): the same title
    # on one of the next pages makes that page the paper's own first page.
    for later in range(title.page + 1, title.page + 1 + _COVER_PAGES):
        if not title.text:
            break
        again = _title_on(lines, later, body, page_heights)
        if again.text and similarity(heading_key(again.text), heading_key(title.text)) >= TITLE_MATCH:
            return again
    return title


def _title_on(lines: Sequence[Line], page: int, body: BodyStyle, page_heights: Mapping[int, float]) -> Title:
    """The title as printed on `page` (the lines before it are its cover)."""
    first = [i for i, ln in enumerate(lines) if ln.page == page]
    cover = {i for i, ln in enumerate(lines) if ln.page < page}
    height = page_heights.get(page, 792.0)
    cands = []
    for i in first:
        ln = lines[i]
        text = ln.text.strip()
        letters = sum(ch.isalpha() for ch in text)
        if letters < 2 or ln.y0 > height * 0.6 or letters < _CODE_SHARE * len(text.replace(" ", "")):
            continue
        if _VENUE.search(text) or (ABSTRACT_LABEL.match(text) and len(text) < 20) or KICKER.match(text):
            continue
        if len(text.split()) <= 6 and _EVENT.match(text):
            continue
        short = len(text.split()) <= 3 and len(HAN_CHAR.findall(text)) <= 6
        number = parse_numbering(text)[0]
        if (number is not None and number.kind in ("arabic", "roman")) or (short and role_from_heading(text)):
            continue  # "1 Introduction", "Contents": a section heading, not the title
        if ln.size < body.size * 0.9 or (_in_masthead(lines, first, i) and not _title_continues(lines, i)):
            continue
        words = _word_count(text)
        # a one-word line is more often a logo or a label ("nature", "DRAFT") than a title
        shape = 1.0 if words >= 3 else 0.7 if words == 2 else 0.4
        if names.is_name(names.clean_name(text)) and not _title_continues(lines, i):
            shape *= 0.8  # a thesis title page prints its author's name as big as the title
        elif names.names_institution(text) and len(text.split()) <= 8:
            shape *= 0.7  # ... and its university's name
        position = 1.0 - 0.25 * (ln.y0 / height)
        cands.append((ln.size * shape * position, i))
    if not cands:
        return Title("", [], page, cover)
    top = sorted(cands, key=lambda c: (-c[0], c[1]))[:_WEIGHED]
    followed = {i for _, i in top if _authors_follow(lines, _title_block(lines, i, body))}
    _, best = max(top, key=lambda c: (c[0] * (_FOLLOWED_BY_AUTHORS if c[1] in followed else 1.0), -c[1]))
    if lines[best].size < body.size * 1.15:
        # nothing stands out (an OCR layer, a plain preprint): the first real text block on the page that
        # its authors follow, else the first one
        firsts = sorted(i for _, i in cands)
        best = next((i for i in firsts if _authors_follow(lines, _title_block(lines, i, body))), firsts[0])
    group = _title_group(lines, best, body)
    text = join_lines([lines[i].text for i in group])
    text = re.sub(r"\s*([：，。；！？、（）])\s*", r"\1", text)
    text = re.sub(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]$", "", text)  # a reference marker on the title ("... [1]")
    text = re.sub(r"\s+", " ", text).strip().rstrip("*∗†‡§¶").strip()
    return Title(text, group, page, cover)


_WEIGHED = 6  # candidates looked at for what follows them (the rest are far smaller)


def _word_count(text: str) -> int:
    """Words in a line, about: Chinese and Japanese run their words together, so two of their letters count
    as one word; Japanese writes half of them in kana (particles, endings, katakana loanwords), so kana count
    as much as kanji, or a Japanese title weighs less than a shorter heading all in kanji."""
    return len(text.split()) + len(UNSPACED_LETTER_CHAR.findall(text)) // 2


def _title_block(lines: Sequence[Line], i: int, body: BodyStyle) -> list[int]:
    """The title's lines and a second-language title of the same size printed right below it."""
    group = _title_group(lines, i, body)
    last = lines[group[-1]]
    j = group[-1] + 1
    while j < len(lines) and len(group) < 10:
        o = lines[j]
        if o.page != last.page or abs(o.size - last.size) > 0.5 or _is_author_line(o):
            break
        if not 0 <= o.y0 - last.y1 <= 2 * last.size:  # one blank line between the two titles at most
            break
        group, last, j = [*group, j], o, j + 1
    return group


def _authors_follow(lines: Sequence[Line], group: Sequence[int]) -> bool:
    """An author line comes right after the block (within three lines and three of its line heights below);
    a one-word block (a logo) is no title for it."""
    words = sum(_word_count(lines[i].text) for i in group)
    last = lines[group[-1]]
    if words < 2:
        return False
    for j in range(group[-1] + 1, min(len(lines), group[-1] + 4)):
        o = lines[j]
        if o.page != last.page or o.y0 < last.y0 or o.y0 - last.y1 > 3 * o.size:
            return False
        found = names.read_author_line(o)
        if found.names and not found.rest:
            return True
    return False


def _in_masthead(lines: Sequence[Line], page_lines: Sequence[int], i: int) -> bool:
    """A line between two venue lines (Elsevier: "Contents lists available at ..." / journal / "journal
    homepage: ..."): the journal's name in its banner, however big."""
    ln = lines[i]
    above = [lines[j] for j in page_lines if lines[j].y1 <= ln.y0 + 1 and ln.y0 - lines[j].y1 < 3 * ln.size]
    below = [lines[j] for j in page_lines if lines[j].y0 >= ln.y1 - 1 and lines[j].y0 - ln.y1 < 3 * ln.size]
    near_above = max(above, key=lambda o: o.y1, default=None)
    near_below = min(below, key=lambda o: o.y0, default=None)
    return (
        near_above is not None
        and near_below is not None
        and bool(_VENUE.search(near_above.text))
        and bool(_VENUE.search(near_below.text))
    )


def _title_continues(lines: Sequence[Line], i: int) -> bool:
    """The line wraps on in the same style (a title printed over several lines)."""
    ln = lines[i]
    return any(
        0 <= j < len(lines) and lines[j].page == ln.page and same_style(lines[j], ln) and _near(lines[j], ln)
        for j in (i - 1, i + 1)
    )


def same_style(a: Line, b: Line) -> bool:
    """Set in one style: the same size (to a fiftieth), weight and slant (a title's wrapped lines, an author list)."""
    return abs(a.size - b.size) <= max(0.25, b.size * 0.02) and a.bold == b.bold and a.italic == b.italic


def _near(a: Line, b: Line) -> bool:
    gap = max(a.y0 - b.y1, b.y0 - a.y1)
    return gap <= 1.2 * max(a.size, b.size) and abs(a.x0 - b.x0) <= 300


def _title_group(lines: Sequence[Line], best: int, body: BodyStyle) -> list[int]:
    """The best line plus the lines the title wraps onto (same style, or another large size just above/below).

    An author line right under the title in a similar font (Elsevier, Springer) is not part of it."""
    core = lines[best]
    group = [best]

    def fits(ln: Line, near: Line) -> bool:
        if ln.page != core.page or _VENUE.search(ln.text) or KICKER.match(ln.text.strip()) or not _near(ln, near):
            return False
        if _is_author_line(ln):
            return False
        same = same_style(ln, core)
        large = ln.size >= body.size * 1.3 and ln.size >= core.size * 0.5 and (ln.bold or not core.bold)
        return same or large

    i = best - 1
    while i >= 0 and len(group) < 5 and fits(lines[i], lines[group[0]]):
        group.insert(0, i)
        i -= 1
    i = best + 1
    while i < len(lines) and len(group) < 5 and fits(lines[i], lines[group[-1]]):
        group.append(i)
        i += 1
    return group


def _is_author_line(ln: Line) -> bool:
    """The line is names and nothing else: two or more, or one with an author's marker."""
    found = names.read_author_line(ln)
    return (
        bool(found.names)
        and not found.rest
        and (len(found.names) >= 2 or bool(found.first_markers) or names.has_initials(found.names[0]))
    )
