"""The abstract and the keywords: after their labels, or the first prose paragraph after the authors.

Pure module working on arranged `Line`s, after `title` and `byline` have taken the title and the authors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from chatpaper.pdf.authors import Authors
from chatpaper.pdf.headings import parse_numbering
from chatpaper.pdf.labels import ABSTRACT_LABEL, KEYWORDS_LABEL, STOP_LABEL, is_prose
from chatpaper.pdf.lines import Line
from chatpaper.pdf.text import join_lines
from chatpaper.pdf.title import Title
from chatpaper.pdf.typeset import BodyStyle
from chatpaper.scripts import HAN_CHAR


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
        kw = KEYWORDS_LABEL.match(lines[i].text.strip())
        if kw:
            keywords = _keywords(kw.group(2), lines, zone[k + 1 :], lines[i])
            fm.used.add(i)
            break
    labelled = next((k for k, i in enumerate(zone) if ABSTRACT_LABEL.match(lines[i].text.strip())), None)
    if from_heading and labelled is None:
        return _tidy(_drop_run_in_label(from_heading)), keywords
    collected: list[str] = []
    beside: Line | None = None  # a label on its own line: its column, when another column runs beside it
    if labelled is not None:
        i = zone[labelled]
        m = ABSTRACT_LABEL.match(lines[i].text.strip())
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
                and is_prose(lines[i].text)
                and not STOP_LABEL.match(lines[i].text)
                and not KEYWORDS_LABEL.match(lines[i].text)
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
        if STOP_LABEL.match(text) or KEYWORDS_LABEL.match(text):
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
        if ln.gap_above > label_line.size or abs(ln.size - label_line.size) > 0.7 or KEYWORDS_LABEL.match(ln.text):
            break
        if STOP_LABEL.match(ln.text) or len(text) > 400:
            break
        text = join_lines([text, ln.text])
    parts = re.split(r"\s*[;,，；·•]\s*|\s+—\s+", text)
    return [p.strip(" .;") for p in parts if 1 < len(p.strip(" .;")) <= 80][:12]


def _tidy(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()
