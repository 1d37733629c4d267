"""The heading vocabulary: how section numbers are printed and which words name a section's role.

Pure module, no layout: `sections` uses it to tell headings from text and to give sections their roles,
`metadata` to keep section headings out of the title. Each rule here has one owner; others import it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from chatpaper.models import SectionRole
from chatpaper.scripts import HAN, is_han

# --- numbering -----------------------------------------------------------------------------------

_AFTER_ARTICLE = {
    "study", "case", "closer", "brief", "simple", "new", "novel", "unified", "unifying", "general", "note",
    "survey", "look", "framework", "theoretical", "practical", "comparison", "comparative", "primer", "formal",
    "probabilistic", "single", "better", "deeper", "critical", "systematic", "large", "small", "tale",
    "bayesian", "toy", "motivating", "running", "worked", "first", "second", "final", "generic", "modular",
    "scalable", "taxonomy", "roadmap", "perspective", "recipe", "baseline", "benchmark", "dataset", "model",
}  # fmt: skip
_ROMAN = re.compile(r"^(?=[IVXLC])M{0,3}(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
_NUMBERING = re.compile(
    r"^(?P<num>"
    r"(?:appendix|annex|chapter|section)\s+[A-Z0-9]+(?:\.\d+)*[.:]?"  # Appendix A, Chapter 3
    r"|\d{1,2}(?:\.\d{1,2}){0,4}\.?"  # 1  1.  2.1  3.2.1
    r"|[IVXLC]{1,6}\.(?:\d{1,2}\.?)*"  # I.  IV.  II.1
    r"|[A-Z]\.(?:\d{1,2}\.?)*"  # A.  B.2
    r"|[A-Z](?:\.\d{1,2})+\.?"  # A.1
    r"|[A-Z](?=\s+\S)"  # A Title (appendix style, checked by the caller)
    r"|[一二三四五六七八九十]{1,3}[、.．]"  # 一、
    r"|[（(][一二三四五六七八九十]{1,3}[）)]"  # （一）
    r"|第[一二三四五六七八九十\d]{1,3}[章节部分]"  # 第一章
    r")\s*(?P<rest>.*)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Numbering:
    label: str  # as printed, e.g. "2.1", "IV.", "A."
    kind: str  # arabic, roman, letter, appendix, zh
    depth: int
    first: int  # value of the first component, for sequence checks


_NUMBER_WORDS = ("appendix", "annex", "chapter", "section")


@functools.lru_cache(maxsize=16384)
def parse_numbering(text: str) -> tuple[Numbering | None, str]:
    """Split a heading into its number (if any) and its words."""
    head = text.lstrip()[:1]
    if "a" <= head <= "z" and not text.lstrip()[:8].lower().startswith(_NUMBER_WORDS):
        return None, text.strip()  # a line of prose: only "appendix A" may start in lower case (asked per line)
    m = _NUMBERING.match(text.strip())
    if not m or not m.group("rest").strip():
        return None, text.strip()
    label = m.group("num").strip()
    rest = m.group("rest").strip()
    low = label.lower()
    if low.startswith(("appendix", "annex", "chapter", "section")):
        head, _, tail = label.partition(" ")
        kind = "appendix" if head.lower() in ("appendix", "annex") else "arabic"
        tail = tail.strip(".: ")
        return Numbering(label, kind, tail.count(".") + 1, _value(tail.split(".")[0])), rest
    if label[0] in "一二三四五六七八九十":
        return Numbering(label, "zh", 1, "一二三四五六七八九十".find(label[0]) + 1), rest
    if label[0] in "（(":
        return Numbering(label, "zh", 2, 0), rest
    if label.startswith("第"):
        return Numbering(label, "zh", 1, 0), rest
    core = label.rstrip(".")
    parts = core.split(".")
    if parts[0].isdigit():
        if not rest[:1].isalpha() and not _starts_cjk(rest) and rest[:1] not in "\"“'‘(":
            return None, text.strip()  # "2 × 3", "10 %": not a section number
        if int(parts[0]) == 0 or int(parts[0]) > 30 or (rest[:1].islower() and not re.match(r"[a-z]+[A-Z]", rest)):
            return None, text.strip()  # "0.7 points", "40 papers", "12 participants were": numbers in prose
        return Numbering(label, "arabic", len(parts), int(parts[0])), rest
    # "C." and "D." are far more often sub-section letters than Roman 100 and 500
    if _ROMAN.match(parts[0]) and parts[0] not in ("C", "D", "L", "M") and (label.endswith(".") or len(parts) > 1):
        return Numbering(label, "roman", len([p for p in parts if p]), _roman_value(parts[0])), rest
    if len(parts[0]) == 1 and parts[0].isupper():
        # "A Title" without a dot is only a label when the next word is capitalised (appendix style),
        # and "A Study of ..." is an article
        if not label.endswith(".") and len(parts) == 1:
            if not rest[:1].isupper() and not rest[:1].isdigit():
                return None, text.strip()
            if label in ("A", "I") and rest.split()[0].lower() in _AFTER_ARTICLE:
                return None, text.strip()
        return Numbering(label, "letter", len([p for p in parts if p]), ord(parts[0]) - 64), rest
    return None, text.strip()


def _value(token: str) -> int:
    if token.isdigit():
        return int(token)
    if len(token) == 1 and token.isalpha():
        return ord(token.upper()) - 64
    return 0


def _roman_value(token: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(token, [*token[1:], ""], strict=True):
        v = values[a]
        total += -v if b and values[b] > v else v
    return total


def _starts_cjk(text: str) -> bool:
    return bool(text) and is_han(text[0])


def strip_numbering(heading: str) -> str:
    """The heading's words without its number ("3.2 Results" -> "Results")."""
    number, rest = parse_numbering(heading)
    return rest if number else heading.strip()


# --- heading words -> roles ----------------------------------------------------------------------

_ROLE_WORDS: list[tuple[SectionRole, tuple[str, ...]]] = [
    ("references", ("references", "bibliography", "literature cited", "works cited", "参考文献", "引用文献")),
    ("abstract", ("abstract", "summary", "摘要", "摘 要")),
    (
        "appendix",
        ("appendix", "appendices", "supplementary material", "supplemental material", "supplementary", "附录"),
    ),
    (
        "related_work",
        (
            "related work",
            "related works",
            "related literature",
            "prior work",
            "previous work",
            "literature review",
            "literature survey",
            "state of the art",
            "relation to prior",
            "相关工作",
            "相关研究",
            "研究现状",
            "文献综述",
        ),
    ),
    ("introduction", ("introduction", "motivation", "overview", "引言", "介绍", "绪论", "简介", "前言", "导言")),
    (
        "background",
        (
            "background",
            "preliminaries",
            "preliminary",
            "problem formulation",
            "problem statement",
            "problem definition",
            "problem setup",
            "problem setting",
            "task definition",
            "notation",
            "definitions",
            "theory",
            "theoretical framework",
            "背景",
            "预备知识",
            "问题定义",
            "问题描述",
            "基础知识",
        ),
    ),
    (
        "conclusion",
        (
            "conclusion",
            "conclusions",
            "concluding",
            "summary and outlook",
            "future work",
            "outlook",
            "结论",
            "总结",
            "结语",
            "展望",
        ),
    ),
    (
        "discussion",
        ("discussion", "limitations", "limitation", "ablation", "ablations", "error analysis", "讨论", "局限"),
    ),
    (
        "results",
        ("results", "result", "findings", "main results", "performance", "结果", "实验结果"),
    ),
    (
        "experiments",
        (
            "experiment",
            "experiments",
            "experimental",
            "evaluation",
            "evaluations",
            "empirical",
            "benchmark",
            "setup",
            "datasets",
            "data and methods",
            "case study",
            "case studies",
            "user study",
            "usability study",
            "实验",
            "评估",
            "评价",
            "案例研究",
        ),
    ),
    (
        "method",
        (
            "method",
            "methods",
            "methodology",
            "approach",
            "approaches",
            "proposed",
            "our model",
            "model",
            "framework",
            "architecture",
            "algorithm",
            "system design",
            "design",
            "implementation",
            "materials and methods",
            "model description",
            "technique",
            "方法",
            "模型",
            "框架",
            "算法",
            "系统设计",
            "设计",
        ),
    ),
]
_END_MATTER = (
    "acknowledgment",
    "acknowledgement",
    "acknowledgments",
    "acknowledgements",
    "funding",
    "author contributions",
    "contributions",
    "ethics",
    "ethical",
    "broader impact",
    "societal impact",
    "limitations",
    "competing interests",
    "conflict of interest",
    "conflicts of interest",
    "data availability",
    "code availability",
    "reproducibility",
    "declaration",
    "致谢",
    "伦理",
    "声明",
)


_SPACED = re.compile(r"\b(?:[A-Za-z] ){3,}[A-Za-z]\b")


def unspace_letters(text: str) -> str:
    """Letter-spaced labels read as words: "A B S T R A C T" -> "ABSTRACT"."""
    return _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text) if "  " in text or _SPACED.search(text) else text


_NOT_WORD = re.compile(f"[^a-z{HAN}]+")


def _words(text: str) -> str:
    return " " + _NOT_WORD.sub(" ", unspace_letters(text).lower()).strip() + " "


@functools.lru_cache(maxsize=4096)
def role_from_heading(heading: str) -> SectionRole | None:
    """The canonical role a heading's words name, or None when they name none."""
    number, rest = parse_numbering(unspace_letters(heading))
    if number is not None and number.kind == "appendix":
        return "appendix"
    words = _words(rest)
    if words.strip() in ("acknowledgment", "acknowledgments", "acknowledgement", "acknowledgements"):
        return "other"
    # the first role word printed wins: "Experiments and Results" is experiments, "Discussion & Future Work"
    # is discussion; at one place the role listed first (the alternatives are in `_ROLE_WORDS` order, and a
    # regex tries them in order at the leftmost place any of them fits)
    best: tuple[int, int, SectionRole] | None = None
    for pattern in (_LATIN_ROLE_KEYS, _CJK_ROLE_KEYS):
        m = pattern.search(words)
        if m:
            rank, role = _ROLE_OF_KEY[m.group("key")]
            if best is None or (m.start(), rank) < best[:2]:
                best = (m.start(), rank, role)
    return best[2] if best else None


def _key_patterns(keys: Iterable[str], latin_end: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One regex for the Latin keys (whole words: " key" + `latin_end`) and one for the Chinese ones."""
    keys = list(keys)
    latin = "|".join(re.escape(k) for k in keys if not _starts_cjk(k))
    chinese = "|".join(re.escape(k) for k in keys if _starts_cjk(k))
    return re.compile(f" (?P<key>{latin}){latin_end}"), re.compile(f"(?P<key>{chinese})")


_ROLE_OF_KEY: dict[str, tuple[int, SectionRole]] = {}
for _rank, (_role, _keys) in enumerate(_ROLE_WORDS):
    for _key in _keys:
        _ROLE_OF_KEY.setdefault(_key, (_rank, _role))
_LATIN_ROLE_KEYS, _CJK_ROLE_KEYS = _key_patterns(_ROLE_OF_KEY, " ")
_LATIN_END_MATTER, _CJK_END_MATTER = _key_patterns(_END_MATTER, "")


@functools.lru_cache(maxsize=4096)
def is_end_matter(heading: str) -> bool:
    words = _words(strip_numbering(heading))
    return bool(_LATIN_END_MATTER.search(words) or _CJK_END_MATTER.search(words))


def is_references_heading(heading: str) -> bool:
    return role_from_heading(heading) == "references" and len(strip_numbering(heading).split()) <= 4


def is_abstract_heading(heading: str) -> bool:
    w = _words(strip_numbering(unspace_letters(heading))).strip()
    return w in ("abstract", "summary", "摘要", "摘 要")


@functools.lru_cache(maxsize=4096)
def is_known_heading(words: str) -> bool:
    return bool(role_from_heading(words) or is_end_matter(words))


# --- sections a summary does not read, and roles by word stems --------------------------------------

_LEADING_NUMBER = r"^(?:[\dIVX]+(?:\.\d+)*\.?\s*)?"
# End matter: statements about the paper (thanks, money, who did what, ethics, what may be shared, the
# venue's checklists) rather than its research; summaries and prompts leave these sections out (role
# "end_matter"). A heading must be one of these as a whole (numbering aside), so that "Funding models for
# science" or "Limitations of the study" stay sections about the research; a bare "Limitations" is the
# statement ACL venues ask for after the conclusion.
_END_MATTER_SECTION = re.compile(
    _LEADING_NUMBER
    + "(?:"
    + "|".join(
        (
            r"acknowledge?ments?\b.*",  # "Acknowledgments and Disclosure of Funding"
            r"funding(?: information| statement| sources?)?|sources? of funding|financial (?:support|disclosures?)",
            r"(?:authors?['’]?s?\s?)?contributions? statement|authors?['’]?s?\s?contributions?",
            r"credit author(?:ship)?.*",
            r"conflicts? of interests?.*|competing (?:financial )?interests?.*|declarations?\b.*",
            r"ethic.*|broader impacts?\b.*|societal impacts?\b.*|inclusion and diversity",
            r"limitations?",
            r"(?:data|code|software|materials?|resource)(?: and (?:code|data|materials?))? availability\b.*",
            r"availability of (?:data|code|materials?)\b.*|reproducibility statement",
            r"(?:neurips |paper )*checklist\b.*",
            r"致谢|謝辞",
        )
    )
    + r")[\s:.]*$",
    re.IGNORECASE,
)
# Supplementary material printed as a section is an appendix wherever it stands.
_SUPPLEMENT_SECTION = re.compile(
    _LEADING_NUMBER + r"(?:supporting information|supplement(?:ary|al)\b.*)\s*$", re.IGNORECASE
)
_HAN_GAP = re.compile(f"(?<=[{HAN}])\\s+(?=[{HAN}])")


def _flat(heading: str) -> str:
    """The heading on one line: whitespace runs as one space, none between Chinese characters."""
    return _HAN_GAP.sub("", " ".join(heading.split()))


def is_end_matter_section(heading: str) -> bool:
    """Whether a section under `heading` is end matter a summary does not read (Acknowledgments, Funding,
    Ethics statement, Limitations, Data availability ...)."""
    return _END_MATTER_SECTION.match(_flat(heading)) is not None


def is_supplement_section(heading: str) -> bool:
    """Whether `heading` announces supplementary material (Supporting information, Supplementary data)."""
    return _SUPPLEMENT_SECTION.match(_flat(heading)) is not None


# Word stems anywhere in a heading, for the sections neither their words (`role_from_heading`) nor their
# place (`sections._fill_roles`) name: "Modelling choices" reads as method, "Summary" as the conclusion.
# The first pattern that fits wins.
_ROLE_STEMS: tuple[tuple[re.Pattern[str], SectionRole], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), role)
    for pattern, role in (
        (r"introduction|motivation|引言|介绍|绪论", "introduction"),
        (r"related work|prior work|previous work|literature|研究现状|相关工作", "related_work"),
        (r"background|preliminar|problem (?:statement|formulation|setting)|背景|预备知识", "background"),
        (r"experiment|evaluation|results?\b|benchmark|empirical|实验|评估|结果", "experiments"),
        (r"conclu|summary|future work|结论|总结|展望", "conclusion"),
        (r"discussion|讨论", "discussion"),
        (r"method|approach|framework|architecture|algorithm|model|design|方法|框架|模型|设计", "method"),
    )
)


def role_from_heading_stems(heading: str) -> SectionRole | None:
    """The role a word stem in `heading` suggests (see `_ROLE_STEMS`), or None."""
    flat = _flat(heading)
    return next((role for pattern, role in _ROLE_STEMS if pattern.search(flat)), None)
