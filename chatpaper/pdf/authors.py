"""Author lines and the first author's affiliation, as printed under a paper's title.

Pure module working on arranged `Line`s (spans are kept on the first pages, for the small marks after
names). A name is told by its shape in any script ("J.-C. Girard", "А.Д. Никифорова", "丹羽英人"),
never by a list of known names; affiliations by institution words in several languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from chatpaper.pdf.headings import is_end_matter, role_from_heading
from chatpaper.pdf.lines import Line, Span
from chatpaper.pdf.text import join_lines
from chatpaper.scripts import HAN, HANGUL

# --- vocabularies --------------------------------------------------------------------------------

# Kinds of institution, in the languages papers are written in: "University of ...", "Institut für ...".
_INSTITUTION = (
    r"universit\w*|univ\.|institut\w*|istituto|college|colegio|school|escuela|escola|école|ecole|scuola|"
    r"department\w*|departament\w*|dipartimento|dept\.?|depto\.?|faculty|facult\w*|fakult\w*|laborator\w*|"
    r"laboratoire|labs?|research|center|centre|centro|zentrum|campus|graduate|academy|academia|akademie|"
    r"hospital|hôpital|klinik\w*|clinic\w*|foundation|division|polytechnic|politecnico|polytechnique|ministry|"
    r"government|agency|университет\w*|институт\w*|факультет\w*|кафедр\w*|лаборатор\w*|академи\w*|"
    r"учреждени\w*|центр\w*|отдел\w*|школ\w*"
)
_INSTITUTION_CJK = r"大学|大學|研究院|研究所|研究科|实验室|研究室|学院|学部|専攻|中心|センター|대학교|연구소"
_INSTITUTION_WORDS = re.compile(rf"\b(?:{_INSTITUTION})\b|{_INSTITUTION_CJK}", re.I)
# Everything an affiliation may name besides the kind of institution: companies, countries, fields. The
# acronyms and company names are matched as printed ("MIT", "Meta"; German "mit" and "meta-analysis" are
# no affiliation). A text with one of these words is an affiliation (or a company), never a person's name.
_AFFILIATION_WORDS = re.compile(
    rf"\b(?:{_INSTITUTION}|inc\.?|corp\.?|corporation|ltd\.?|llc|gmbh|company|technolog\w*|robotics|systems|"
    r"solutions|software|analytics|therapeutics|pharma\w*|biosciences|consulting|usa|china|germany|france|japan|"
    r"korea|canada|italy|spain|netherlands|switzerland|program(?:me)?|group|sciences?|engineering|biology|"
    r"physics|chemistry|mathematics|medicine|informatics|computing|statistics|economics|psychology|ecology|"
    r"humanities)\b"
    r"|\b(?-i:UK|ETH|EPFL|MIT|CNRS|INRIA|INSERM|CONICET|CSIC|Google|Microsoft|Meta|Facebook|Amazon|NVIDIA|Nvidia|"
    r"IBM|Intel|ByteDance|Alibaba|Tencent|Baidu|Huawei|DeepMind|OpenAI|Anthropic)\b"
    rf"|{_INSTITUTION_CJK}|公司",
    re.I,
)
# Roles printed beside a name on thesis title pages and in front matter: the supervisor and the
# examiners are not authors, and a block carrying one of these labels is not the author's affiliation.
_ADVISOR_ROLE = re.compile(
    r"\b(?:supervis\w*|advis[oe]r\w*|co-?advis\w*|promot[oe]r\w*|referee|examiner|betreuer\w*|gutachter\w*|"
    r"orientador\w*|orientadora|directeur|directrice|director|directora|relatore|relatrice|"
    r"руководител\w*|консультант\w*|оппонент\w*)\b|指導|指导|导师|教授|准教授|助教|講師",
    re.I,
)
# Words of name-shaped lines that are never names: the profile boxes of a repository cover ("SEE PROFILE",
# should the cover not be told from the paper), a running head's "Jindal et al.", notes and box labels set
# like the names ("Corresponding Author", "Equal Contribution", "Key Points", "In Brief").
_NEVER_IN_NAMES = re.compile(
    r"\b(?:see profile|publications?|citations?|reads|profile|permalink|et al|authors?|corresponding|"
    r"correspondence|contributed|contributions?|equally|editors?|reviewers?|affiliations?|e-?mail|addresses|"
    r"key points|highlights|in brief|graphical|significance|summary|open access|data availability)\b",
    re.I,
)

# Degrees, credentials and honorifics printed around names in medicine and on theses ("Jane Roe, MD, PhD",
# "Prof. Dr. Hans Weber"): not names and not separators between them. As printed: "Ma" is a surname.
_DEGREE = re.compile(
    r"^(?:MD|M\.D|PhD|Ph\.\s?D|DPhil|D\.Phil|MSc|M\.Sc|MS|M\.S|BSc|B\.Sc|BS|MA|M\.A|BA|B\.A|MPH|M\.P\.H|DrPH|RN|"
    r"MBBS|MBChB|MBA|DSc|DVM|PharmD|MPhil|FRCP|FRCS|FRCPC|FRACP|FACS|FACP|MRCP|FMedSci|Jr|Sr)\.?$"
)
# Society grades printed after names in IEEE (and OSA, SPIE) journals: "Jane Roe, Senior Member, IEEE".
_MEMBERSHIP = re.compile(
    r"^(?:(?:student|senior|life|graduate student|associate)\s+)?(?:member|fellow)(?:\s+(?:ieee|acm|osa|spie))?$"
    r"|^(?:ieee|acm|osa|spie|aaai)$",
    re.I,
)
_HONORIFIC = re.compile(r"^(?:(?:Prof|Dr|Mr|Mrs|Ms|Professor)\.?\s+|(?:Dott|Ing|Dipl|Dr)\.(?:-Ing\.)?\s+)+")
_MARKER = re.compile(r"^[\s\d,;*∗†‡§¶♦♣♠♥⋆☯#✉✝⊥⊤♮♯‖|¹²³⁴⁵⁶⁷⁸⁹⁰'’`\"″()\ufffda-h]{1,8}$")
_SYMBOL = re.compile(r"[*∗†‡§¶♦♣♠♥⋆☯#✉✝⊥⊤♮♯‖¹²³⁴⁵⁶⁷⁸⁹⁰\ufffd]")
# Name separators: commas, semicolons, middle dots (Springer), "and"/"&" in several languages, wide gaps.
_SPLIT = re.compile(r"\s*(?:,|;|，|、|；|·|•|∙|⋅|\|\s|(?i:\band\b)|&|\s(?:und|et|и)\s|\s{3,})\s*")
# "y" and "e" join the last two names in Spanish and Portuguese, but are also name particles
# ("Ortega y Gasset"): a part is cut at them only when both halves are names.
_SOFT_AND = re.compile(r"\s+(?:y|e)\s+")
# lower-case particles inside names ("Ivo H. M. van Stokkum", "Ortega y Gasset")
_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "dei", "degli", "di", "da", "du", "dos", "das", "la", "le",
    "bin", "binti", "al", "el", "ibn", "y", "e", "zu", "ten", "ter", "st", "st.", "af", "av", "mac", "mc",
})  # fmt: skip
_AUTHOR_LABEL = re.compile(r"^\s*(?:authors?|作者|авторы?|autor(?:es|as)?|auteurs?|by)\s*[:：]\s*(.+)$", re.I)
_EMAIL = re.compile(r"\{[^}]*\}\s*@\S+|\S+@\S+")
_NAMEISH = re.compile(r"[^\W\d_][^\W\d_]+\.? [^\W\d_]")
# Chinese and Japanese names: two to four characters, or family and given name with a space between
_HAN_NAME = re.compile(f"(?:[{HAN}]{{2,4}}|[{HAN}]{{1,3}} [{HAN}]{{1,3}})(?:·[{HAN}]{{1,6}})?")
_HANGUL_NAME = re.compile(f"[{HANGUL}]{{2,4}}")  # Korean names: two to four syllables
# "J.Smith", "Yu.A.Ivanov": initials glued to what follows
_GLUED_INITIAL = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")
_NUMBER_INSIDE = re.compile(r"(?:^|[^\W\d_]\s+)\d+\s+[^\W\d_]")
# Capitalised function words of titles and subtitles ("The Case for ...", "Attention Is All You Need"):
# never part of a name. Words that are also surnames or given names somewhere ("An", "In", "Do", "You",
# "Can") are not listed; name particles ("De", "Van", "La") neither.
_TITLE_WORDS = frozenset({
    "The", "Of", "For", "And", "With", "From", "Via", "Towards", "Toward", "Using", "Is", "Are", "What", "How",
    "Why", "When", "Where", "Into", "Through", "Beyond", "Versus", "Vs", "Our", "Its", "Their", "Does", "Not",
    "Without", "Under", "Over",
})  # fmt: skip
_PARTICLE_PREFIX = re.compile(r"^(?:d|l|dell|dall|o)['’][^\W\d_]{2,}|^(?:al|el|ben|bin|abu|ibn)-[^\W\d_]{2,}")
_INITIALS = re.compile(r"^[^\W\d_]{1,2}\.(?:-?[^\W\d_]{1,2}\.)*$")
_WORD = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?$")


# --- names ---------------------------------------------------------------------------------------


def clean_name(text: str) -> str:
    """A name without e-mail, bracketed notes, footnote symbols and glued affiliation numbers."""
    text = _EMAIL.sub(" ", text)
    text = re.sub(r"https?://\S+|orcid\.org/\S+|\biD\b|[\ue000-\uf8ff]", " ", text)  # ORCID links and icons
    text = re.sub(r"\([^)]*\)?|\[[^\]]*\]?", " ", text)  # "(alice@x.org)", "[corresponding]"
    text = _SYMBOL.sub("", text)
    text = re.sub(r"(?<=[^\W\d_.])\d+(?:,\d+)*\b", "", text)  # glued affiliation numbers "Bantle1,2"
    text = re.sub(r"\b\d+\b", "", text)
    text = re.sub(r"[()\[\]{}'’\"″`]+$", "", text.strip())
    text = re.sub(r"\s+", " ", text).strip(" ,;:.-")
    if text.endswith(" ."):
        text = text[:-2]
    return _HONORIFIC.sub("", text)


def _name_tokens(text: str) -> list[str]:
    return _GLUED_INITIAL.sub(". ", text).split()


def _is_token(token: str) -> bool:
    if token.lower() in _PARTICLES and token.islower():
        return True
    if token in _TITLE_WORDS:
        return False
    if _PARTICLE_PREFIX.match(token):
        return True  # "d'Amico", "al-Farabi"
    if not token[0].isupper():
        return False
    return bool(_INITIALS.match(token) or _WORD.match(token))


def is_name(text: str) -> bool:
    """A person's name as printed: 2-6 capitalised words or initials, in any alphabet; or a CJK name."""
    if _HAN_NAME.fullmatch(text) or _HANGUL_NAME.fullmatch(text):
        # two to four characters may as well be a heading: 緒言, 引言, 结论 are no names
        named_section = role_from_heading(text) is not None or is_end_matter(text)
        return not _AFFILIATION_WORDS.search(text) and not _ADVISOR_ROLE.search(text) and not named_section
    if any(ch.isdigit() for ch in text) or _AFFILIATION_WORDS.search(text) or _NEVER_IN_NAMES.search(text):
        return False
    tokens = _name_tokens(text)
    if not 2 <= len(tokens) <= 6 or not all(_is_token(t) for t in tokens):
        return False
    words = [t for t in tokens if not _INITIALS.match(t) and t.lower() not in _PARTICLES]
    if not words or not tokens[0][0].isupper() or tokens[0] == "A":
        return False  # "A Case Study": a subtitle's article, not an initial (those carry a period)
    if text.isupper():
        return len(tokens) <= 4  # "TAL AUGUST" (ACM prints names in capitals)
    return len([t for t in tokens if t[0].isupper() or _PARTICLE_PREFIX.match(t)]) >= 2


def has_initials(name: str) -> bool:
    """ "В.П. Смирнов", "J. Smith": a name with initials (no title line is shaped like that)."""
    return any(_INITIALS.match(t) for t in _name_tokens(name))


def _is_mononym(text: str) -> bool:
    """One capitalised word that may be a whole name ("Mausam"): only trusted between other names."""
    return (
        bool(re.fullmatch(r"[^\W\d_][^\W\d_'’\-]{2,}", text))
        and text[0].isupper()
        and not text.isupper()
        and not _AFFILIATION_WORDS.search(text)
    )


# --- markers -------------------------------------------------------------------------------------


def pieces(line: Line) -> list[tuple[str, str]]:
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


def starts_with_marker(line: Line) -> bool:
    parts = pieces(line)
    return bool(parts) and parts[0][0] == "" and bool(parts[0][1])


# --- author lines --------------------------------------------------------------------------------


@dataclass(slots=True)
class AuthorLine:
    """The names a line starts with, what follows them (an affiliation) and the first name's markers."""

    names: list[str]
    rest: str = ""
    first_markers: str = ""


def _split_names(part: str) -> list[str] | None:
    """A separator-free part as names: one name, or two joined by a soft "y"/"e"; None if it is not names."""
    if _NUMBER_INSIDE.search(part):
        return None  # "Received 27 December", "38330 Montbonnot": a date or an address, not a name
    name = clean_name(part)
    if not name:
        return []
    halves = [clean_name(h) for h in _SOFT_AND.split(part)]
    if len(halves) == 2 and all(is_name(h) for h in halves):
        return halves  # "Pablo Ortega y Marta Ruiz"; "José Ortega y Gasset" stays one name
    return [name] if is_name(name) else None


def read_author_line(line: Line, *, continued: bool = False) -> AuthorLine:
    """Names at the start of a line; a part that is only markers ("Bantle1,2,3" gives "2" and "3") is skipped.

    A one-word name ("Mausam") counts between other names: two full names on the line, or the line
    `continued` an author line above it."""
    found = AuthorLine([])
    rest: list[str] = []
    mononyms: list[tuple[int, str]] = []  # (position in names, text): kept when names stand around them
    for k, (piece, markers) in enumerate(pieces(line)):
        if k == 0:
            piece = re.sub(r"^(?:by|By|BY)\s+(?=[^\W\d_])", "", piece)  # "by Jane Roe" on a title page
        parts = [
            p
            for p in _SPLIT.split(piece)
            if p and p.strip() and not _DEGREE.match(p.strip(" .,;")) and not _MEMBERSHIP.match(p.strip(" .,;"))
        ]
        for n, part in enumerate(parts):
            names = None if rest else _split_names(part)
            if names is None and not rest and _is_mononym(clean_name(part)) and (found.names or continued):
                mononyms.append((len(found.names), clean_name(part)))
                found.names.append(clean_name(part))
                continue
            if names is None:
                if found.names or rest:
                    rest.append(part.strip(" ,;"))
                    continue
                return AuthorLine([])  # the line does not start with a name
            if names and not found.names and n == len(parts) - 1:
                found.first_markers = markers
            found.names.extend(names)
    full = len(found.names) - len(mononyms)
    if mononyms and (full < 1 or (full < 2 and not continued)):
        found.names = [n for k, n in enumerate(found.names) if all(k != m for m, _ in mononyms)]
    found.rest = ", ".join(r for r in rest if r)
    return found


def author_label_names(text: str) -> list[str] | None:
    """ "Authors: A, B and C" / "作者：..." as names, or None when the line has no such label."""
    m = _AUTHOR_LABEL.match(text)
    if not m:
        return None
    return [n for n in (clean_name(p) for p in _SPLIT.split(m.group(1))) if n and is_name(n)]


def join_address(texts: Sequence[str]) -> str:
    """Printed lines of one affiliation as one: a line going on in lower case continues the phrase
    ("Section" / "of Endocrinology"), a line after a comma or a capitalised one is the next part."""
    out = ""
    for raw in texts:
        text = raw.strip(" ;")
        if not text.strip(" ,"):
            continue
        if not out:
            out = text
        elif out.endswith((",", "-")) or text[:1].islower() or _open_bracket(out):
            out = join_lines([out, text])  # "... имени первого" / "Президента России ...»" inside «»
        else:
            out = out.rstrip(" ,") + ", " + text
    return out.strip(" ,;")


def _open_bracket(text: str) -> bool:
    """A quotation or bracket opened and not closed: the name inside it goes on on the next line."""
    return any(text.count(a) > text.count(b) for a, b in ("«»", "()", "“”", "„“", "（）"))


def is_affiliation(text: str) -> bool:
    return bool(_AFFILIATION_WORDS.search(text)) and "@" not in text


def names_institution(text: str) -> bool:
    """The text names a kind of institution (a university, a department, a laboratory)."""
    return bool(_INSTITUTION_WORDS.search(text))


def has_advisor_role(text: str) -> bool:
    return bool(_ADVISOR_ROLE.search(text))


def is_email_line(text: str) -> bool:
    """An e-mail line (a name printed with its address is still an author line)."""
    return "@" in text and not _NAMEISH.search(_EMAIL.sub(" ", text))


# --- affiliations --------------------------------------------------------------------------------


@dataclass(slots=True)
class Affiliation:
    markers: str
    text: str
    line: Line


@dataclass(slots=True)
class Authors:
    """The author list and what was read to find it."""

    names: list[str] = field(default_factory=list)
    affiliation: str | None = None
    used: set[int] = field(default_factory=set)  # line indices that are front matter, not body text


def affiliation_segments(line: Line) -> list[tuple[str, str]]:
    """Affiliation text on one line, cut where a marker (1, †, ⋆ ...) starts the next affiliation."""
    segments: list[tuple[str, str]] = []
    pending = ""
    for text, markers in pieces(line):
        if text == "" and markers:
            pending += markers
            continue
        # entries cut by wide gaps, or by semicolons before a number ("（1. 清华大学，北京；2. 北京大学）")
        for part in re.split(r"\s{3,}|[;；]\s*(?=\d{1,2}[.．)]?\s*[^\W\d_])", text.strip("（）() ")):
            if not part.strip():
                continue
            lead = re.match(r"^\s*([\d*∗†‡§¶♦♣♠♥⋆☯#]{1,3}|[a-h](?=\s))[.．)]?\s*(?=[^\W\d_])", part)
            if lead and not pending:
                pending = lead.group(1)
                part = part[lead.end() :]
            segments.append((pending, part.strip(" ,;")))
            pending = ""
        if markers:
            pending = markers  # markers after a piece label the next one
    return segments


def first_affiliation(affiliations: Sequence[Affiliation], first_markers: str) -> str | None:
    """The affiliation labelled with the first author's marker, else the first one printed."""
    entries = [(a.markers, a.text.strip(" ,;")) for a in affiliations if a.text.strip(" ,;")]
    if not entries:
        return None
    key = marker_key(first_markers)
    if key:
        for markers, text in entries:
            if markers and markers.lstrip("*∗,")[:1] == key:
                return text
    return entries[0][1]


def marker_key(markers: str) -> str:
    """The mark that points to an affiliation (a digit or letter; '*' marks the corresponding author)."""
    wanted = [ch for ch in markers if ch not in "*∗,;() "]
    return wanted[0] if wanted else ""


def tidy_affiliation(text: str, author: str) -> str:
    """An affiliation without the e-mail, phone, web address and the author's own name and position printed in it."""
    surname = author.split()[-1].lower() if author.split() else ""
    text = re.sub(r"\s*(?:https?://|www\.)\S+", "", text)  # a group's web page printed under its address
    parts = [p.strip() for p in re.split(r"[,;；]\s*", text.strip("（）() "))]
    keep = []
    for part in parts:
        low = part.lower()
        if "@" in part or re.match(r"^(?:e[-–]?mail|tel|phone|fax|тел)\b", low):
            continue
        if surname and len(surname) > 1 and surname in low and not _AFFILIATION_WORDS.search(part):
            continue  # "Никифорова Анна Дмитриевна – студент": the author and her position
        keep.append(part)
    return ", ".join(p for p in keep if p).strip(" ,;")


def stacked(upper: Line, lower: Line, *, slack: float = 1.0) -> bool:
    """`lower` is the next printed line of the same block as `upper` (same page, just below, overlapping)."""
    return (
        lower.page == upper.page
        and lower.y0 > upper.y0 + 0.5 * (upper.y1 - upper.y0)
        and lower.y0 - upper.y1 < slack * max(lower.size, upper.size)
        and lower.x0 < upper.x1
        and upper.x0 < lower.x1
    )


def affiliation_in_footnotes(page_lines: Sequence[Line], body_size: float, markers: str, height: float) -> str | None:
    """The first author's affiliation printed as a footnote on the title page (amsart, Springer, Science).

    A footnote is small print in the lower part of the page; the one starting with the first author's
    marker wins, else the first unmarked one with institution words (all authors share it)."""
    notes = [ln for ln in page_lines if ln.size <= body_size * 0.95 and ln.y0 > height * 0.4]
    notes.sort(key=lambda ln: (ln.x0 > page_lines[0].x0 + 200 if page_lines else False, ln.y0, ln.x0))
    key = marker_key(markers)
    entries: list[tuple[str, list[Line]]] = []
    for ln in notes:
        segs = affiliation_segments(ln)
        mark = segs[0][0] if segs else ""
        last = entries[-1][1][-1] if entries else None
        if not mark and last is not None and stacked(last, ln, slack=0.8) and abs(ln.size - last.size) < 0.3:
            entries[-1][1].append(ln)
            continue
        entries.append((mark, [ln]))
    texts = []
    for mark, group in entries:
        text = join_address([", ".join(t for _, t in affiliation_segments(ln)) + _trailing_comma(ln) for ln in group])
        text = re.sub(r",\s*,", ",", re.sub(r"\s+", " ", text)).strip(" ,;")
        if is_affiliation(text) and not is_paragraph(text, len(group)):
            texts.append((mark, text))
    if key:
        for mark, text in texts:
            if mark.lstrip("*∗,")[:1] == key:
                return text
    return next((text for mark, text in texts if not mark), None)


_ADDRESS_LINES = 6  # a university, faculty, department and postal address fill five lines at most
_ADDRESS_CHARS = 400


def is_paragraph(text: str, lines: int) -> bool:
    """Too long for an institution's name and address: a paragraph (a side-bar abstract, a note)."""
    return lines > _ADDRESS_LINES or len(text) > _ADDRESS_CHARS


def affiliation_in_sentence(text: str, author: str) -> str | None:
    """IEEE footnotes and magazine bios: "A. Author ... is with The University ..." / "... is a scientist at X"."""
    surname = author.split()[-1] if author.split() else ""
    if not surname:
        return None
    pattern = (
        r"\b(?:is|are)\s+(?:now\s+|currently\s+)?(?:(?:an?|the)\s+[^.;]{0,80}?\s+)?(?:with|at)\s+(?:the\s+)?"
        r"(.+?)\s*(?:\(e-?mail|\.\s|\.$|;|$)"
    )
    for m in re.finditer(pattern, text):
        before = text[max(0, m.start() - 300) : m.start()]
        found = m.group(1).strip(" ,")
        if surname.lower() in before.lower() and is_affiliation(found) and len(found) < 200:
            return found
    return None


def _trailing_comma(line: Line) -> str:
    return "," if line.text.rstrip().endswith(",") else ""


def dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        key = n.lower()
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out
