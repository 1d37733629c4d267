"""Front matter: the title page, title, authors, first author's affiliation, abstract, keywords.

Pure module working on arranged `Line`s (spans are kept on the first pages for author markers). Names and
affiliations are read line by line in `authors`; this module decides where on the page they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chatpaper.pdf import authors as names
from chatpaper.pdf.authors import Affiliation, Authors
from chatpaper.pdf.headings import parse_numbering, role_from_heading, unspace_letters
from chatpaper.pdf.lines import Line
from chatpaper.pdf.text import join_lines
from chatpaper.pdf.typeset import BodyStyle
from chatpaper.scripts import HAN_CHAR

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
        prose = sum(1 for text in by_page[page] if _is_prose(text))
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
_KICKER = re.compile(
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
_ABSTRACT_RE = re.compile(
    # the label in the languages papers print it in, run in ("Resumo. O sucesso...") or on its own line
    r"^\s*(abstract|summary|résumé|resumen|resumo|riassunto|sommario|zusammenfassung|kurzfassung|"
    r"samenvatting|sammanfattning|streszczenie|abstrakt|özet|аннотация|реферат|резюме|摘\s*要|要\s*旨|概\s*要|"
    r"抄\s*録|초\s*록|요\s*약)\b\s*[:.：—–/-]?\s*(.*)$",
    re.I | re.S,
)
_KEYWORDS_RE = re.compile(
    r"^\s*(key\s*-?\s*words?(?: and phrases)?|additional key words and phrases|index terms|palavras?[- ]chaves?|"
    r"palabras clave|mots[- ]clés|schlüsselwörter|schlagwörter|ключевые слова|关键词|关键字|キーワード)"
    r"\s*[:：.—–/-]?\s*(.*)$",
    re.I,
)


class _Label:
    """A label regex tried on the text as printed and with letter-spacing removed ("A B S T R A C T")."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def match(self, text: str) -> re.Match[str] | None:
        return self.pattern.match(text) or self.pattern.match(unspace_letters(text))


_ABSTRACT_LABEL = _Label(_ABSTRACT_RE)
_KEYWORDS_LABEL = _Label(_KEYWORDS_RE)
_STOP_LABEL = re.compile(
    r"^\W*(ccs concepts|acm reference format|acm classification|msc|pacs|jel|mathematics subject|"
    r"subjects?:|doi:|citation:|received|accepted|published)",
    re.I,
)
# bioRxiv and journal submissions print these above or among the authors; they are labels, not names
_RUNNING_TITLE = re.compile(r"^\s*(?:running (?:title|head)|short title|running header)\s*[:：.]", re.I)
_LINE_NUMBER = re.compile(r"\d{1,4}")  # review copies number every line in the margin


@dataclass(slots=True)
class Title:
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
    page = find_title_page(lines)
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
        if _VENUE.search(text) or (_ABSTRACT_LABEL.match(text) and len(text) < 20) or _KICKER.match(text):
            continue
        if len(text.split()) <= 6 and _EVENT.match(text):
            continue
        short = len(text.split()) <= 3 and len(HAN_CHAR.findall(text)) <= 6
        number = parse_numbering(text)[0]
        if (number is not None and number.kind in ("arabic", "roman")) or (short and role_from_heading(text)):
            continue  # "1 Introduction", "Contents": a section heading, not the title
        if ln.size < body.size * 0.9 or (_in_masthead(lines, first, i) and not _title_continues(lines, i)):
            continue
        words = len(text.split()) + len(HAN_CHAR.findall(text)) // 2
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
    words = sum(len(lines[i].text.split()) + len(HAN_CHAR.findall(lines[i].text)) // 2 for i in group)
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
        0 <= j < len(lines) and lines[j].page == ln.page and _same_style(lines[j], ln) and _near(lines[j], ln)
        for j in (i - 1, i + 1)
    )


def _same_style(a: Line, b: Line) -> bool:
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
        if ln.page != core.page or _VENUE.search(ln.text) or _KICKER.match(ln.text.strip()) or not _near(ln, near):
            return False
        if _is_author_line(ln):
            return False
        same = _same_style(ln, core)
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


# --- authors and affiliation ---------------------------------------------------------------------


def _is_prose(text: str) -> bool:
    """Running text: many words, many of them lower-case (or a long run of Chinese that is a sentence, not
    a list of institutions)."""
    if len(HAN_CHAR.findall(text)) >= 20:
        return "。" in text or not names.names_institution(text)
    words = text.split()
    if len(words) < 7:
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower >= len(words) * 0.45


def find_authors(lines: Sequence[Line], title: Title, body: BodyStyle, page_heights: Mapping[int, float]) -> Authors:
    """Authors and the first author's affiliation, from the lines after the title on the title page.

    Names sit in one style right after the title (a row, a grid, or a list with addresses between);
    affiliations follow them, or are footnotes, or are the institution block of a thesis title page."""
    out = Authors()
    page = title.page
    start = (max(title.indices) + 1) if title.indices else next((i for i, ln in enumerate(lines) if ln.page == page), 0)
    zone = [i for i in range(start, min(len(lines), start + 200)) if lines[i].page <= page + 1]
    if _labelled_authors(lines, zone, out):
        return out
    affiliations: list[Affiliation] = []
    first_markers = ""
    author_lines: list[int] = []
    for i in zone:
        ln = lines[i]
        text = ln.text.strip()
        if not text or _LINE_NUMBER.fullmatch(text):
            continue
        if _KEYWORDS_LABEL.match(text) or _RUNNING_TITLE.match(text):
            if out.names:
                break
            out.used.add(i)  # key words or a running title printed above the authors (bioRxiv)
            continue
        if _ABSTRACT_LABEL.match(text) or _is_prose(ln.text):
            break
        if ln.page > page and out.names:
            break
        if _STOP_LABEL.match(text) or names.is_email_line(text):
            out.used.add(i)  # e-mail lines (a name with its address is still parsed below)
            if affiliations and names.stacked(affiliations[-1].line, ln, slack=1.5):
                affiliations[-1].line = ln  # an e-mail inside an address block: the block goes on below it
            continue
        if _in_advisor_block(lines, i):
            continue
        if _is_heading_text(text, ln, body) and not names.starts_with_marker(ln) and not names.is_affiliation(text):
            if out.names or parse_numbering(text)[0] is not None:
                break  # "1 Introduction": the front matter ends
            continue  # a heading is never a name (nor is a subtitle with a heading's words, "A Case Study")
        found = names.read_author_line(ln)
        first = lines[author_lines[0]] if author_lines else None
        # one author list is set in one face: a line in another (an address, a date) is not more names
        same_style = first is None or (
            0.75 <= ln.size / first.size <= 1.33
            and ln.bold == first.bold
            and ln.italic == first.italic
            and _family(ln.font) == _family(first.font)
        )
        last = affiliations[-1].line if affiliations else None
        # the next line of an affiliation block, set like it (not a new author's name)
        in_block = (
            last is not None
            and last is not ln
            and names.stacked(last, ln)
            and abs(ln.size - last.size) < 0.3
            and (first is None or ln.size < first.size - 0.3 or not same_style)
        )
        if found.names and same_style and not in_block:
            if not out.names:
                first_markers = found.first_markers
            out.names.extend(found.names)
            out.used.add(i)
            author_lines.append(i)
            if found.rest and names.is_affiliation(found.rest):
                affiliations.append(Affiliation("", found.rest, ln))
        elif out.names and (names.is_affiliation(text) or names.starts_with_marker(ln) or in_block):
            out.used.add(i)
            _add_affiliation(affiliations, ln)
        elif out.names and len(text) > 80:
            break
    if author_lines:
        _continued_author_lines(lines, author_lines, out)
    if not out.names:
        _authors_below_title(lines, title, out, author_lines)
    if not out.names:
        _authors_above_title(lines, title, out, author_lines)
    if not out.names:
        _author_on_title_page(lines, title, body, out)
    out.names = names.dedupe(out.names)
    if out.names:
        out.affiliation = _affiliation(lines, out, author_lines, affiliations, first_markers, title, body, page_heights)
    return out


def _family(font: str) -> str:
    return re.split(r"[-,+]", font.lower(), maxsplit=1)[0]


def _is_heading_text(text: str, ln: Line | None = None, body: BodyStyle | None = None) -> bool:
    """A section heading: a known role word, or a number before words set off by weight or size (a street
    number or a postcode before an address is set like the address)."""
    if len(text.split()) <= 3 and role_from_heading(text) is not None:
        return True
    number = parse_numbering(text)[0]
    if number is None or number.kind not in ("arabic", "roman") or len(text) >= 80:
        return False
    return ln is None or body is None or ln.bold or ln.size > body.size * 1.05


def _add_affiliation(affiliations: list[Affiliation], ln: Line) -> None:
    for n, (marks, part) in enumerate(names.affiliation_segments(ln)):
        prev = affiliations[-1] if affiliations else None
        if n == 0 and not marks and prev is not None and prev.line is not ln and names.stacked(prev.line, ln) and part:
            prev.text = names.join_address([prev.text + ("," if prev.line.text.rstrip().endswith(",") else ""), part])
            prev.line = ln
        else:
            affiliations.append(Affiliation(marks, part, ln))


def _in_advisor_block(lines: Sequence[Line], i: int) -> bool:
    """The line or the lines stacked right above it name a supervisor ("Научный руководитель:", "指導")."""
    k = i
    for _ in range(3):
        if names.has_advisor_role(lines[k].text):
            return True
        if k == 0 or not names.stacked(lines[k - 1], lines[k], slack=1.5):
            return False
        k -= 1
    return False


def _continued_author_lines(lines: Sequence[Line], author_lines: list[int], out: Authors) -> None:
    """An author line that wraps below, read out of order (a side-bar abstract came between them)."""
    last = lines[author_lines[-1]]
    for j, ln in enumerate(lines):
        if ln.page != last.page or j in out.used or not names.stacked(last, ln) or not _same_style(ln, last):
            continue
        found = names.read_author_line(ln, continued=True)
        if found.names and not found.rest:
            out.names.extend(found.names)
            out.used.add(j)
            author_lines.append(j)
            last = ln


def _authors_below_title(lines: Sequence[Line], title: Title, out: Authors, author_lines: list[int]) -> None:
    """The author line printed right under the title but read after something else (a side bar beside the
    title block comes first in reading order): the nearest lines below the title that are names."""
    if not title.indices:
        return
    last = lines[title.indices[-1]]
    below = sorted(
        (
            i
            for i, o in enumerate(lines)
            if o.page == last.page
            and i not in title.indices
            and 0 <= o.y0 - last.y1 <= 3 * last.size
            and o.x0 < last.x1
            and last.x0 < o.x1
        ),
        key=lambda i: lines[i].y0,
    )
    for i in below[:3]:
        found = names.read_author_line(lines[i])
        if found.names and not found.rest:
            out.names = found.names
            out.used.add(i)
            author_lines.append(i)
            _continued_author_lines(lines, author_lines, out)
            return


def _authors_above_title(lines: Sequence[Line], title: Title, out: Authors, author_lines: list[int]) -> None:
    """Some journals and reports print the author line above the title: the nearest line above it that
    is names and nothing else."""
    if not title.indices:
        return
    top = lines[title.indices[0]]
    above = [
        i
        for i in range(max(0, title.indices[0] - 6), title.indices[0])
        if lines[i].page == top.page and 0 <= top.y0 - lines[i].y1 <= 3 * top.size
    ]
    for i in sorted(above, key=lambda i: -lines[i].y1):
        found = names.read_author_line(lines[i])
        if found.names and not found.rest:
            out.names = found.names
            out.used.add(i)
            author_lines.append(i)
            return


def _author_on_title_page(lines: Sequence[Line], title: Title, body: BodyStyle, out: Authors) -> None:
    """A thesis title page: the author's name alone on a line, above or below the title, not a supervisor.

    Only on a page of short lines (a title page): on a paper's first page a lone name-shaped line is
    more likely a heading or a label than its author."""
    page = [i for i, ln in enumerate(lines) if ln.page == title.page]
    if sum(1 for i in page if _is_prose(lines[i].text)) > _TITLE_PAGE_PROSE:
        return
    found_at: list[tuple[int, str]] = []
    for i in page:
        ln = lines[i]
        text = ln.text.strip()
        if i in title.indices or ln.size < body.size * 0.95 or _is_heading_text(text, ln, body) or _KICKER.match(text):
            continue
        found = names.read_author_line(ln)
        if len(found.names) == 1 and not found.rest and not _in_advisor_block(lines, i):
            found_at.append((i, found.names[0]))
    if not found_at:
        return
    # "by" / "submitted by" / "vorgelegt von" on the line above names the author; else the first name
    by = [(i, name) for i, name in found_at if i > 0 and _BY_LABEL.search(lines[i - 1].text.strip())]
    i, name = (by or found_at)[0]
    out.names = [name]
    out.used.add(i)


# The words before the author's name on a thesis title page, in the languages theses are written in.
_BY_LABEL = re.compile(
    r"(?:^|\b(?:submitted|presented|written|prepared)\s+)by$|^(?:vorgelegt |eingereicht )?von$|^(?:présentée? )?par$"
    r"|^(?:presentada |apresentada )?por$|^(?:автор|выполнил(?:а)?|исполнитель)\s*:?$|^(?:作者|著者|氏名)\s*[:：]?$",
    re.I,
)


_TITLE_PAGE_PROSE = 3  # a thesis title page's degree statement may wrap over a few lines


def _affiliation(
    lines: Sequence[Line],
    out: Authors,
    author_lines: list[int],
    affiliations: list[Affiliation],
    first_markers: str,
    title: Title,
    body: BodyStyle,
    page_heights: Mapping[int, float],
) -> str | None:
    """The first author's affiliation: under their name in a grid, after the names, in a footnote, in an
    "is with" sentence, in a thesis title page's institution block, in the bios after the references."""
    first_author = out.names[0]
    found = None
    if author_lines and _in_grid(lines, author_lines[0]):
        found = _column_block(lines, author_lines[0])
    found = found or names.first_affiliation(affiliations, first_markers)
    page_lines = [ln for ln in lines if ln.page == title.page]
    height = page_heights.get(title.page, 792.0)
    found = found or names.affiliation_in_footnotes(page_lines, body.size, first_markers, height)
    found = found or names.affiliation_in_sentence(join_lines([ln.text for ln in page_lines]), first_author)
    found = found or _institution_block(lines, title, out)
    if not found:
        later = [ln.text for ln in lines if ln.page > title.page]
        found = names.affiliation_in_sentence(join_lines(later[-3000:]), first_author)
    return names.tidy_affiliation(found, first_author) or None if found else None


def _in_grid(lines: Sequence[Line], i: int) -> bool:
    """The first author's line shares its baseline with another author's (ACM, IEEE author blocks)."""
    ln = lines[i]
    return any(
        j != i and o.page == ln.page and abs(o.y0 - ln.y0) < 2 and (o.x0 > ln.x1 or o.x1 < ln.x0)
        for j, o in enumerate(lines[max(0, i - 4) : i + 5], start=max(0, i - 4))
        if names.read_author_line(o).names
    )


def _column_block(lines: Sequence[Line], i: int) -> str | None:
    """The address lines stacked under a name in an author grid, until the e-mail or the next name."""
    head = lines[i]
    centre_lo, centre_hi = head.x0 - 10, head.x1 + 10
    below = sorted(
        (
            o
            for o in lines
            if o.page == head.page and o.y0 > head.y0 + 1 and centre_lo <= (o.x0 + o.x1) / 2 <= centre_hi
        ),
        key=lambda o: o.y0,
    )
    parts: list[str] = []
    last = head
    for o in below:
        if o.y0 - last.y1 > 1.5 * max(o.size, last.size):
            break
        if "@" in o.text or (_same_style(o, head) and names.read_author_line(o).names):
            break  # the e-mail, or the next author's name in this column
        parts.append(o.text.strip())
        last = o
    text = names.join_address(parts)
    return text if parts and any(ch.isalpha() for ch in text) else None


def _institution_block(lines: Sequence[Line], title: Title, out: Authors) -> str | None:
    """On a title page without a marked affiliation (theses, reports): the first block of stacked lines
    above the abstract that names an institution and no supervisor."""
    page = [i for i, ln in enumerate(lines) if ln.page == title.page]
    blocks: list[list[int]] = []
    for i in page:
        ln = lines[i]
        if ln.text.strip() and (_ABSTRACT_LABEL.match(ln.text.strip()) or len(ln.text.split()) >= 12):
            break
        if i in title.indices or i in out.used:
            continue
        prev = lines[blocks[-1][-1]] if blocks else None
        if prev is not None and names.stacked(prev, ln, slack=0.6) and abs(prev.size - ln.size) < 0.5:
            blocks[-1].append(i)
        else:
            blocks.append([i])
    for block in blocks:
        texts = [lines[i].text.strip() for i in block]
        joined = names.join_address(texts)
        if names.is_paragraph(joined, len(block)):
            continue
        if any(names.is_affiliation(t) for t in texts) and not any(names.has_advisor_role(t) for t in texts):
            return joined
    return None


def _labelled_authors(lines: Sequence[Line], zone: Sequence[int], out: Authors) -> bool:
    """An "Authors:" / "作者：" line lists the names outright (LangGPT-style exports)."""
    for k, i in enumerate(zone):
        if names.author_label_names(lines[i].text) is None:
            continue
        text = lines[i].text
        for j in zone[k + 1 : k + 4]:
            nxt = lines[j].text.strip()
            if not text.rstrip().endswith(",") and not re.match(r"^[A-Z][a-z]+ [A-Z]", nxt):
                break
            if ":" in nxt or "：" in nxt or len(nxt.split()) > 20:
                break
            text += " " + nxt
            out.used.add(j)
        out.names = names.author_label_names(text) or []
        out.used.add(i)
        return bool(out.names)
    return False


@dataclass(slots=True)
class FrontMatter:
    """What the first page says about the paper."""

    authors: list[str] = field(default_factory=list)
    affiliation: str | None = None
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # front-matter line indices consumed (not body text)
    abstract_page: int | None = None  # where the abstract's first line is printed, when read from lines


def extract_front_matter(
    lines: Sequence[Line],
    title: Title,
    authors: Authors,
    front_end: int,
    body: BodyStyle,
    *,
    abstract_from_heading: str = "",
) -> FrontMatter:
    """The abstract and keywords from the lines before the first section heading, with the authors found."""
    fm = FrontMatter(authors=authors.names, affiliation=authors.affiliation, used=set(authors.used))
    start = (max(title.indices) + 1) if title.indices else 0
    zone = [i for i in range(start, min(front_end, len(lines))) if title.page <= lines[i].page <= title.page + 1]
    fm.abstract, fm.keywords = _abstract_and_keywords(lines, zone, body, abstract_from_heading, fm)
    return fm


# --- abstract and keywords -----------------------------------------------------------------------

# Run-in labels of structured abstracts (medicine, biology, management): the truth and the reader keep
# the text after them. Several languages; "Aims/hypothesis" and "Conclusions/interpretation" are two.
_STRUCTURED_WORD = (
    r"(?:background|backgrounds|context|introduction|aims?|hypothes[ie]s|objectives?|purpose|goals?|motivation|"
    r"methods?|methodology|design|setting|participants|patients|materials|approach|results?|findings|"
    r"conclusions?|interpretation|significance|implications|discussion|summary|"
    r"hintergrund|ziele?|methoden|ergebnisse|schlussfolgerung(?:en)?|contexto|objetivos?|métodos|resultados|"
    r"conclusiones|conclusões|objectifs?|méthodes|résultats|цель|методы|результаты|выводы|заключение)"
)
_STRUCTURED_LABEL = re.compile(
    rf"^\s*{_STRUCTURED_WORD}(?:\s*(?:/|and|&)\s*{_STRUCTURED_WORD})?(?P<sep>\s*[:.—–-]\s*|\s+)(?=\S)", re.I
)


def _drop_run_in_label(text: str) -> str:
    """ "Background: The pathogenesis ..." / "Aims/hypothesis  The ATP-sensitive ..." -> the text after the
    label (structured abstracts); a label set off by space alone needs a capital after it."""
    m = _STRUCTURED_LABEL.match(text)
    if not m or (not m.group("sep").strip() and not text[m.end()].isupper()):
        return text
    return text[m.end() :]


def _abstract_and_keywords(
    lines: Sequence[Line], zone: Sequence[int], body: BodyStyle, from_heading: str, fm: FrontMatter
) -> tuple[str, list[str]]:
    """The abstract (after its label, else the first prose paragraph after the authors) and keyword line.

    The first abstract printed wins: a run-in "Resumen /" before an "Abstract" heading is the paper's own."""
    keywords: list[str] = []
    for k, i in enumerate(zone):
        kw = _KEYWORDS_LABEL.match(lines[i].text.strip())
        if kw:
            keywords = _keywords(kw.group(2), lines, zone[k + 1 :], lines[i])
            fm.used.add(i)
            break
    labelled = next((k for k, i in enumerate(zone) if _ABSTRACT_LABEL.match(lines[i].text.strip())), None)
    if from_heading and labelled is None:
        return _tidy(_drop_run_in_label(from_heading)), keywords
    collected: list[str] = []
    beside: Line | None = None  # a label on its own line: its column, when another column runs beside it
    if labelled is not None:
        i = zone[labelled]
        m = _ABSTRACT_LABEL.match(lines[i].text.strip())
        rest = m.group(2).strip() if m else ""
        fm.used.add(i)
        if rest:
            collected.append(rest)
            fm.abstract_page = lines[i].page
        todo = zone[labelled + 1 :]
        if not rest:
            # a label on its own line heads the text below it, in its column (Elsevier prints the article
            # info beside the abstract: its lines come between in reading order)
            label = lines[i]
            below = [j for j in todo if lines[j].x0 < label.x1 and label.x0 - 30 < lines[j].x1]
            if below and below[0] != todo[0]:
                todo, beside = below, lines[below[0]]
        style = lines[todo[0]] if todo and not rest else lines[i]
    else:
        start = next(
            (
                k
                for k, i in enumerate(zone)
                if i not in fm.used
                and _is_prose(lines[i].text)
                and not _STOP_LABEL.match(lines[i].text)
                and not _KEYWORDS_LABEL.match(lines[i].text)
                and _paragraph_length(lines, zone[k:]) >= 150
            ),
            None,
        )
        if start is None:
            return "", keywords
        todo = zone[start:]
        style = lines[todo[0]]
    for i in todo:
        ln = lines[i]
        text = ln.text.strip()
        if beside is not None and not (ln.x0 < beside.x1 and beside.x0 < ln.x1):
            continue  # the other column (article info, keywords) beside the abstract
        if _STOP_LABEL.match(text) or _KEYWORDS_LABEL.match(text):
            break
        if not collected:
            text = _without_ornament(ln, text)
        set_apart = (ln.bold and not body.bold) or ln.size > style.size + 0.5
        if parse_numbering(text)[0] is not None and len(text) < 80 and set_apart:
            break
        if abs(ln.size - style.size) > 0.7 or (ln.page != style.page and ln.gap_above > 100):
            break
        if not collected:
            fm.abstract_page = ln.page
        collected.append(text)
        fm.used.add(i)
    if not collected and from_heading:
        fm.abstract_page = None
        return _tidy(_drop_run_in_label(from_heading)), keywords
    return _tidy(_drop_run_in_label(join_lines(collected))), keywords


# Symbol fonts whose letters print ornaments: a magazine's side-bar abstract opens with a ZapfDingbats
# square that the text layer gives as the letter 'I' (aimag), a list with a 'l' for its bullet.
_ORNAMENT_FONT = re.compile(r"dingbat|wingding|webding", re.I)


def _without_ornament(ln: Line, text: str) -> str:
    """The line's text without an ornament glyph printed before it in a symbol font."""
    spans = [sp for sp in ln.spans or () if sp.text.strip()]
    if spans and _ORNAMENT_FONT.search(spans[0].font) and len(spans[0].text.strip()) <= 2 and len(spans) > 1:
        lead = spans[0].text.strip()
        if text.startswith(lead):
            return text[len(lead) :].lstrip()
    return text


def _paragraph_length(lines: Sequence[Line], indices: Sequence[int]) -> int:
    first = lines[indices[0]]
    total = 0
    for i in indices:
        ln = lines[i]
        if abs(ln.size - first.size) > 0.7 or (total and ln.gap_above > first.size):
            break
        total += len(ln.text) + 2 * len(HAN_CHAR.findall(ln.text))  # a Chinese character says more than a letter
    return total


def _keywords(first: str, lines: Sequence[Line], rest: Sequence[int], label_line: Line) -> list[str]:
    text = first
    for i in rest[:4]:
        ln = lines[i]
        if ln.gap_above > label_line.size or abs(ln.size - label_line.size) > 0.7 or _KEYWORDS_LABEL.match(ln.text):
            break
        if _STOP_LABEL.match(ln.text) or len(text) > 400:
            break
        text = join_lines([text, ln.text])
    parts = re.split(r"\s*[;,，；·•]\s*|\s+—\s+", text)
    return [p.strip(" .;") for p in parts if 1 < len(p.strip(" .;")) <= 80][:12]


def _tidy(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()
