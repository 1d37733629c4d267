"""Front matter: title, authors, first author's affiliation, abstract, keywords.

Pure module working on arranged `Line`s (spans are kept on the first pages for author markers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from chatpaper.pdf.headings import parse_numbering, role_from_heading, unspace_letters
from chatpaper.pdf.layout import Line, Span, join_lines
from chatpaper.pdf.sections import BodyStyle
from chatpaper.scripts import HAN, HAN_CHAR

# --- title ---------------------------------------------------------------------------------------

_VENUE = re.compile(
    r"\b(journal|proceedings|conference|transactions|volume|vol\.|issue|workshop|symposium|preprint|arxiv|"
    r"doi|issn|isbn|copyright|published|accepted|received|submitted|under review|elsevier|springer|"
    r"research article|original article|review article|open access|license|licence|creative commons)\b"
    r"|©|https?://|www\.|@",
    re.I,
)
_ABSTRACT_RE = re.compile(r"^\s*(abstract|summary|摘\s*要)\b\s*[:.：—–-]?\s*(.*)$", re.I | re.S)
_KEYWORDS_RE = re.compile(
    r"^\s*(key\s*-?\s*words?(?: and phrases)?|additional key words and phrases|index terms|关键词|关键字)"
    r"\s*[:：.—–-]?\s*(.*)$",
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
    r"^\s*(ccs concepts|acm reference format|acm classification|msc|pacs|jel|mathematics subject|"
    r"subjects?:|doi:|citation:|received|accepted|published)",
    re.I,
)


@dataclass(slots=True)
class Title:
    text: str
    indices: list[int]  # line indices in reading order


def find_title(lines: Sequence[Line], body: BodyStyle, page_height: float) -> Title:
    """The paper's title on page 1: the most prominent text block near the top, with its wrapped lines."""
    first = [i for i, ln in enumerate(lines) if ln.page == lines[0].page] if lines else []
    cands = []
    for i in first:
        ln = lines[i]
        text = ln.text.strip()
        letters = sum(ch.isalpha() for ch in text)
        if letters < 2 or ln.y0 > page_height * 0.6:
            continue
        if _VENUE.search(text) or (_ABSTRACT_LABEL.match(text) and len(text) < 20):
            continue
        short = len(text.split()) <= 3 and len(HAN_CHAR.findall(text)) <= 6
        number = parse_numbering(text)[0]
        if (number is not None and number.kind in ("arabic", "roman")) or (short and role_from_heading(text)):
            continue  # "1 Introduction", "Contents": a section heading, not the title
        if ln.size < body.size * 0.9:
            continue
        words = len(text.split()) + len(HAN_CHAR.findall(text)) // 2
        shape = 1.0 if words >= 3 else 0.7 if words == 2 else 0.5
        position = 1.0 - 0.25 * (ln.y0 / page_height)
        cands.append((ln.size * shape * position, i))
    if not cands:
        return Title("", [])
    _, best = max(cands, key=lambda c: (c[0], -c[1]))
    if lines[best].size < body.size * 1.15:
        # nothing stands out (an OCR layer, a plain preprint): the first real text block on the page
        best = min(i for _, i in cands)
    group = _title_group(lines, best, body)
    text = join_lines([lines[i].text for i in group])
    text = re.sub(r"\s*([：，。；！？、（）])\s*", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip().rstrip("*∗†‡§¶").strip()
    return Title(text, group)


def _title_group(lines: Sequence[Line], best: int, body: BodyStyle) -> list[int]:
    """The best line plus the lines the title wraps onto (same style, or another large size just above/below)."""
    core = lines[best]
    group = [best]

    def fits(ln: Line, near: Line) -> bool:
        if ln.page != core.page or _VENUE.search(ln.text):
            return False
        gap = max(ln.y0 - near.y1, near.y0 - ln.y1)
        if gap > 1.2 * max(ln.size, near.size) or abs(ln.x0 - near.x0) > 300:
            return False
        same = abs(ln.size - core.size) <= max(0.25, core.size * 0.02) and ln.bold == core.bold
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


# --- authors and affiliation ---------------------------------------------------------------------

_MARKER = re.compile(r"^[\s\d,;*∗†‡§¶♦♣♠♥⋆☯#✉✝⊥⊤♮♯‖|¹²³⁴⁵⁶⁷⁸⁹⁰'’`\"″a-f]{1,8}$")
_SYMBOL = re.compile(r"[*∗†‡§¶♦♣♠♥⋆☯#✉✝⊥⊤♮♯‖¹²³⁴⁵⁶⁷⁸⁹⁰]")
_AFFILIATION_WORDS = re.compile(
    r"\b(universit\w*|institut\w*|college|school|department|dept\.?|laborator\w*|labs?|research|center|centre|"
    r"academy|academia|inc\.?|corp\.?|corporation|ltd\.?|llc|gmbh|company|hospital|clinic|foundation|faculty|"
    r"division|polytechnic|politecnico|ecole|école|eth|epfl|mit|cnrs|inria|google|microsoft|meta|facebook|"
    r"amazon|nvidia|ibm|intel|bytedance|alibaba|tencent|baidu|huawei|deepmind|openai|anthropic|"
    r"usa|china|germany|france|japan|korea|canada|uk|italy|spain|netherlands|switzerland|"
    r"ministry|government|agency|program(me)?|group|sciences?|engineering|biology|physics|chemistry|"
    r"mathematics|medicine|informatics|computing|statistics|economics|psychology|ecology|humanities)\b|大学|研究院|研究所|实验室|学院|公司|中心",
    re.I,
)
_NAME_TOKEN = re.compile(
    r"^(?:[A-Z\u00c0-\u024f][\w\u00c0-\u024f'’\-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*|van|von|der|den|de|del|della|"
    r"di|da|du|dos|das|la|le|bin|binti|al|el|ibn|y|e|zu|ten|ter|st\.?)$"
)
_AUTHOR_LABEL = re.compile(r"^\s*(?:authors?|作者|by)\s*[:：]\s*(.+)$", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|，|、|；|\band\b|&|\s{3,})\s*")


@dataclass(slots=True)
class FrontMatter:
    """What the first page says about the paper."""

    authors: list[str] = field(default_factory=list)
    affiliation: str | None = None
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # front-matter line indices consumed (not body text)


def _pieces(line: Line) -> list[tuple[str, str]]:
    """A line cut at author markers and wide gaps: (text, markers that follow it)."""
    spans: list[Span] = line.spans or []
    if not spans:
        return [(line.text, "")]
    out: list[tuple[str, str]] = []
    text, markers = "", ""
    prev: Span | None = None
    main = line.size
    for sp in spans:
        t = sp.text
        if not t.strip():
            if prev is not None and text:
                text += " "
            prev = sp if prev is None else prev
            continue
        small = sp.size < main * 0.85 or sp.superscript
        is_marker = (small and _MARKER.match(t.strip()) is not None) or (
            _SYMBOL.fullmatch(t.strip()) is not None and len(t.strip()) <= 3
        )
        is_marker = is_marker or (small and bool(re.fullmatch(r"[\d,\s*∗†‡§¶]+", t.strip())))
        gap = sp.x0 - prev.x1 if prev is not None else 0.0
        if is_marker:
            markers += t.strip()
            prev = sp
            continue
        if (markers or gap > 0.8 * main) and text.strip():
            out.append((text.strip(), markers))
            text, markers = "", ""
        elif markers and not text.strip():
            # markers before any text: they label what follows (an affiliation "1 University of ...")
            out.append(("", markers))
            markers = ""
        text += t
        prev = sp
    if text.strip() or markers:
        out.append((text.strip(), markers))
    return out


_EMAIL = re.compile(r"\{[^}]*\}\s*@\S+|\S+@\S+")
_NAMEISH = re.compile(r"[A-Z][a-z\u00e0-\u024f]+\.? [A-Z]")


def _clean_name(text: str) -> str:
    text = _EMAIL.sub(" ", text)
    text = re.sub(r"\([^)]*\)?|\[[^\]]*\]?", " ", text)  # "(alice@x.org)", "[corresponding]"
    text = _SYMBOL.sub("", text)
    text = re.sub(r"(?<=[A-Za-z\u00c0-\u024f.])\d+(?:,\d+)*\b", "", text)  # glued affiliation numbers
    text = re.sub(r"\b\d+\b", "", text)
    text = re.sub(r"[()\[\]{}'’\"″`]+$", "", text.strip())
    text = re.sub(r"\s+", " ", text).strip(" ,;:.-")
    if text.endswith(" ."):
        text = text[:-2]
    return text


# A Chinese name: two to four characters, a transcribed foreign name with its middle dot
_HAN_NAME = re.compile(f"[{HAN}]{{2,4}}(?:·[{HAN}]{{1,6}})?")


def _is_name(text: str) -> bool:
    if _HAN_NAME.fullmatch(text):
        return not _AFFILIATION_WORDS.search(text)
    tokens = text.split()
    if not 2 <= len(tokens) <= 5:
        return False
    if _AFFILIATION_WORDS.search(text) or any(ch.isdigit() for ch in text):
        return False
    if not all(_NAME_TOKEN.match(t) for t in tokens):
        return False
    capitals = [t for t in tokens if t[0].isupper()]
    if text.isupper():
        return len(tokens) <= 4  # "TAL AUGUST" (ACM prints names in capitals)
    return len(capitals) >= 2


def _is_affiliation(text: str) -> bool:
    return bool(_AFFILIATION_WORDS.search(text)) and "@" not in text


def _is_prose(ln: Line, body: BodyStyle) -> bool:
    if len(HAN_CHAR.findall(ln.text)) >= 20:
        return True
    words = ln.text.split()
    if len(words) < 7:
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower >= len(words) * 0.45


@dataclass(slots=True)
class _Affiliation:
    markers: str
    text: str
    line: Line


def extract_front_matter(
    lines: Sequence[Line],
    title: Title,
    front_end: int,
    body: BodyStyle,
    *,
    abstract_from_heading: str = "",
) -> FrontMatter:
    """Authors, first affiliation, abstract and keywords from the lines before the first section heading."""
    fm = FrontMatter()
    start = (max(title.indices) + 1) if title.indices else 0
    first_page = lines[0].page if lines else 1
    zone = [i for i in range(start, min(front_end, len(lines))) if lines[i].page <= first_page + 1]
    labelled = _labelled_authors(lines, zone, fm)
    affiliations: list[_Affiliation] = []
    first_markers = ""
    author_size = 0.0
    for i in zone:
        if labelled:
            break
        ln = lines[i]
        text = ln.text.strip()
        if _ABSTRACT_LABEL.match(text) or _KEYWORDS_LABEL.match(text) or _is_prose(ln, body):
            break
        if _STOP_LABEL.match(text) or ("@" in text and not _NAMEISH.search(_EMAIL.sub(" ", text))):
            fm.used.add(i)  # e-mail lines (a name with its address is still parsed below)
            continue
        names, rest, markers = _split_author_line(ln)
        same_size = not author_size or 0.75 <= ln.size / author_size <= 1.33
        last = affiliations[-1].line if affiliations else None
        # the next line of an affiliation block, set like it (not a new author's name)
        stacked = (
            last is not None
            and last is not ln
            and ln.y0 > last.y0 + 0.5 * last.height
            and ln.y0 - last.y1 < ln.size
            and abs(ln.size - last.size) < 0.3
            and ln.size < author_size - 0.3
        )
        if names and same_size and not stacked:
            if not fm.authors:
                first_markers = markers
                author_size = ln.size
            fm.authors.extend(names)
            fm.used.add(i)
            if rest and _is_affiliation(rest):
                affiliations.append(_Affiliation("", rest, ln))
        elif fm.authors and (_is_affiliation(text) or _starts_with_marker(ln) or stacked):
            fm.used.add(i)
            for n, (marks, part) in enumerate(_affiliation_segments(ln)):
                prev = affiliations[-1] if affiliations else None
                below = (
                    prev is not None
                    and prev.line is not ln
                    and ln.y0 > prev.line.y0 + 0.5 * prev.line.height
                    and ln.y0 - prev.line.y1 < ln.size
                )
                if n == 0 and not marks and prev is not None and below and part:
                    prev.text = prev.text.rstrip(" ,;") + ", " + part if prev.text else part
                    prev.line = ln
                else:
                    affiliations.append(_Affiliation(marks, part, ln))
        elif fm.authors and len(text) > 80:
            break
    fm.authors = _dedupe(fm.authors)
    fm.affiliation = _first_affiliation(affiliations, first_markers)
    if fm.affiliation is None and fm.authors:
        fm.affiliation = _affiliation_from_footnote(lines, fm.authors[0], first_page)
    fm.abstract, fm.keywords = _abstract_and_keywords(lines, zone, body, abstract_from_heading, fm)
    return fm


def _split_author_line(ln: Line) -> tuple[list[str], str, str]:
    """Leading author names on a line, what follows them (an affiliation) and the first name's markers."""
    names: list[str] = []
    rest: list[str] = []
    first_markers = ""
    for piece, markers in _pieces(ln):
        parts = [p for p in _SPLIT.split(piece) if p and p.strip()]
        for n, part in enumerate(parts):
            name = _clean_name(part)
            if not rest and _is_name(name):
                names.append(name)
                if len(names) == 1 and n == len(parts) - 1:
                    first_markers = markers
            elif names or rest:
                rest.append(part.strip(" ,;"))
            else:
                return [], "", ""  # the line does not start with a name
    return names, ", ".join(r for r in rest if r), first_markers


def _labelled_authors(lines: Sequence[Line], zone: Sequence[int], fm: FrontMatter) -> bool:
    """An "Authors:" / "作者：" line lists the names outright (LangGPT-style exports)."""
    for k, i in enumerate(zone):
        m = _AUTHOR_LABEL.match(lines[i].text)
        if not m:
            continue
        text = m.group(1)
        for j in zone[k + 1 : k + 4]:
            nxt = lines[j].text.strip()
            if not text.rstrip().endswith(",") and not re.match(r"^[A-Z][a-z]+ [A-Z]", nxt):
                break
            if ":" in nxt or "：" in nxt or len(nxt.split()) > 20:
                break
            text += " " + nxt
            fm.used.add(j)
        names = [_clean_name(p) for p in _SPLIT.split(text)]
        fm.authors = [n for n in names if n and (_is_name(n) or re.fullmatch(f"[{HAN}]{{2,4}}", n))]
        fm.used.add(i)
        return bool(fm.authors)
    return False


def _starts_with_marker(ln: Line) -> bool:
    pieces = _pieces(ln)
    return bool(pieces) and pieces[0][0] == "" and bool(pieces[0][1])


def _affiliation_segments(ln: Line) -> list[tuple[str, str]]:
    """Affiliation text on one line, cut where a marker (1, †, ⋆ ...) starts the next affiliation."""
    segments: list[tuple[str, str]] = []
    pending = ""
    for text, markers in _pieces(ln):
        if text == "" and markers:
            pending += markers
            continue
        for part in re.split(r"\s{3,}", text):
            if not part.strip():
                continue
            lead = re.match(r"^\s*([\d*∗†‡§¶♦♣♠♥⋆☯#]{1,3})\s*(?=[A-Z\u00c0-\u024f])", part)
            if lead and not pending:
                pending = lead.group(1)
                part = part[lead.end() :]
            segments.append((pending, part.strip(" ,;")))
            pending = ""
        if markers:
            pending = markers  # markers after a piece label the next one
    return segments


def _first_affiliation(affiliations: list[_Affiliation], first_markers: str) -> str | None:
    entries = [(a.markers, a.text.strip(" ,;")) for a in affiliations if a.text.strip(" ,;")]
    if not entries:
        return None
    wanted = [ch for ch in first_markers if ch not in "*∗, "]
    if wanted:
        key = wanted[0]
        for markers, text in entries:
            if markers and markers.lstrip("*∗")[:1] == key:
                return text
    return entries[0][1]


def _affiliation_from_footnote(lines: Sequence[Line], first_author: str, page: int) -> str | None:
    """IEEE style: "A. Author and B. Author are with The University ..., City (e-mail: ...)"."""
    surname = first_author.split()[-1]
    text = join_lines([ln.text for ln in lines if ln.page == page])
    for m in re.finditer(r"(?:is|are)\s+(?:now\s+)?with\s+(.+?)\s*(?:\(e-?mail|\.\s|;|$)", text):
        before = text[max(0, m.start() - 300) : m.start()]
        if surname.lower() in before.lower():
            return m.group(1).strip(" ,")
    return None


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        key = n.lower()
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out


# --- abstract and keywords -----------------------------------------------------------------------


def _abstract_and_keywords(
    lines: Sequence[Line], zone: Sequence[int], body: BodyStyle, from_heading: str, fm: FrontMatter
) -> tuple[str, list[str]]:
    """The abstract (after its label, else the first prose paragraph after the authors) and keyword line."""
    keywords: list[str] = []
    for k, i in enumerate(zone):
        kw = _KEYWORDS_LABEL.match(lines[i].text.strip())
        if kw:
            keywords = _keywords(kw.group(2), lines, zone[k + 1 :], lines[i])
            fm.used.add(i)
            break
    if from_heading:
        return _tidy(from_heading), keywords
    labelled = next((k for k, i in enumerate(zone) if _ABSTRACT_LABEL.match(lines[i].text.strip())), None)
    collected: list[str] = []
    if labelled is not None:
        i = zone[labelled]
        rest = _ABSTRACT_LABEL.match(lines[i].text.strip()).group(2).strip()
        fm.used.add(i)
        if rest:
            collected.append(rest)
        todo = zone[labelled + 1 :]
        style = lines[todo[0]] if todo and not rest else lines[i]
    else:
        start = next(
            (
                k
                for k, i in enumerate(zone)
                if i not in fm.used
                and _is_prose(lines[i], body)
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
        if _STOP_LABEL.match(text) or _KEYWORDS_LABEL.match(text):
            break
        if parse_numbering(text)[0] is not None and len(text) < 80 and (ln.bold or ln.size > style.size + 0.5):
            break
        if abs(ln.size - style.size) > 0.7 or (ln.page != style.page and ln.gap_above > 100):
            break
        collected.append(text)
        fm.used.add(i)
    return _tidy(join_lines(collected)), keywords


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
