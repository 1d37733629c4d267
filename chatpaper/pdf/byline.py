"""The byline: where on the title page a paper's authors and the first author's affiliation are printed (a row
or a grid under the title, a line above it, a thesis title page's lone name, footnotes, an institution block).

Pure module working on arranged `Line`s (spans are kept on the first pages for author markers). Names and
affiliations are read line by line in `authors`; this module decides where on the page they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from chatpaper.pdf import authors as names
from chatpaper.pdf.authors import Affiliation, Authors
from chatpaper.pdf.headings import parse_numbering, role_from_heading
from chatpaper.pdf.labels import ABSTRACT_LABEL, KEYWORDS_LABEL, STOP_LABEL, is_prose
from chatpaper.pdf.lines import Line
from chatpaper.pdf.text import join_lines
from chatpaper.pdf.title import KICKER, Title, same_style
from chatpaper.pdf.typeset import BodyStyle

# bioRxiv and journal submissions print these above or among the authors; they are labels, not names
_RUNNING_TITLE = re.compile(r"^\s*(?:running (?:title|head)|short title|running header)\s*[:：.]", re.I)
_LINE_NUMBER = re.compile(r"\d{1,4}")  # review copies number every line in the margin


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
        if KEYWORDS_LABEL.match(text) or _RUNNING_TITLE.match(text):
            if out.names:
                break
            out.used.add(i)  # key words or a running title printed above the authors (bioRxiv)
            continue
        if ABSTRACT_LABEL.match(text) or is_prose(ln.text):
            break
        if ln.page > page and out.names:
            break
        if STOP_LABEL.match(text) or names.is_email_line(text):
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
        if ln.page != last.page or j in out.used or not names.stacked(last, ln) or not same_style(ln, last):
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
    if sum(1 for i in page if is_prose(lines[i].text)) > _TITLE_PAGE_PROSE:
        return
    found_at: list[tuple[int, str]] = []
    for i in page:
        ln = lines[i]
        text = ln.text.strip()
        if i in title.indices or ln.size < body.size * 0.95 or _is_heading_text(text, ln, body) or KICKER.match(text):
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
        if "@" in o.text or (same_style(o, head) and names.read_author_line(o).names):
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
        if ln.text.strip() and (ABSTRACT_LABEL.match(ln.text.strip()) or len(ln.text.split()) >= 12):
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
