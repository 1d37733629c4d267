"""The heading vocabulary: how section numbers are printed and which words name a section's role.

Pure module, no layout: `sections` uses it to tell headings from text and to give sections their roles,
`title` and `byline` to keep section headings out of the title and the authors, `labels` for the abstract's
words. Each rule here has one owner; others import it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from chatpaper.models import SectionRole
from chatpaper.scripts import CYRILLIC, HAN, KANA

# --- numbering -----------------------------------------------------------------------------------

_AFTER_ARTICLE = {
    "study", "case", "closer", "brief", "simple", "new", "novel", "unified", "unifying", "general", "note",
    "survey", "look", "framework", "theoretical", "practical", "comparison", "comparative", "primer", "formal",
    "probabilistic", "single", "better", "deeper", "critical", "systematic", "large", "small", "tale",
    "bayesian", "toy", "motivating", "running", "worked", "first", "second", "final", "generic", "modular",
    "scalable", "taxonomy", "roadmap", "perspective", "recipe", "baseline", "benchmark", "dataset", "model",
}  # fmt: skip
_ROMAN = re.compile(r"^(?=[IVXLC])M{0,3}(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
# Words that number an appendix ("Appendix A", "Anhang B", "Приложение В", "付録A") or a chapter or section
# ("Chapter 3", "Kapitel 2", "Глава 1."), in the languages of `_ROLE_WORDS`
_APPENDIX_WORDS = (
    "appendix", "annex", "anhang", "annexe", "apéndice", "apêndice", "anexo", "appendice", "приложение", "付録", "附录",
)  # fmt: skip
_CHAPTER_WORDS = ("chapter", "section", "kapitel", "abschnitt", "chapitre", "capítulo", "capitolo", "глава", "раздел")
_NUMBER_WORDS = tuple(w for w in _APPENDIX_WORDS + _CHAPTER_WORDS if w.isalpha() and w.isascii())
_CAPITAL = "A-ZА-ЯЁ"  # section letters: Latin, or Cyrillic in Russian appendices ("Приложение Б", "В.2.")
_NUMBERING = re.compile(
    r"^(?P<num>"
    rf"(?:{'|'.join(_APPENDIX_WORDS + _CHAPTER_WORDS)})(?:\s+|(?=(?-i:[{_CAPITAL}0-9])))"
    rf"(?-i:[{_CAPITAL}]|\d{{1,3}})(?:\.\d+)*[.:]?"  # Appendix A, Chapter 3, AppendixA.
    r"|\d{1,2}(?:\.\d{1,2}){0,4}\.?"  # 1  1.  2.1  3.2.1
    r"|[IVXLC]{1,6}\.(?:\d{1,2}\.?)*"  # I.  IV.  II.1
    rf"|(?-i:[{_CAPITAL}])\.(?:\d{{1,2}}\.?)*"  # A.  B.2
    rf"|(?-i:[{_CAPITAL}])(?:\.\d{{1,2}})+\.?"  # A.1
    r"|[A-Z](?=\s+\S)"  # A Title (appendix style, checked by the caller)
    r"|[一二三四五六七八九十]{1,3}[、.．]"  # 一、
    r"|[（(][一二三四五六七八九十]{1,3}[）)]"  # （一）
    r"|第[一二三四五六七八九十\d]{1,3}[章节節部分]"  # 第一章, 第1節
    r")\s*(?P<rest>.*)$",
    re.I,
)
_WORD_LABEL = re.compile(rf"^(?P<word>{'|'.join(_APPENDIX_WORDS + _CHAPTER_WORDS)})\s*(?P<tail>.*)$", re.I)


@dataclass(frozen=True, slots=True)
class Numbering:
    label: str  # as printed, e.g. "2.1", "IV.", "A."
    kind: str  # arabic, roman, letter, appendix, zh
    depth: int
    first: int  # value of the first component, for sequence checks


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
    worded = _WORD_LABEL.match(label)
    if worded:
        kind = "appendix" if worded.group("word").lower() in _APPENDIX_WORDS else "arabic"
        tail = worded.group("tail").strip(".: ")
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
        if not label.endswith(".") and len(rest) <= 3 and text.strip()[len(label) : len(label) + 1].isalnum():
            return None, text.strip()  # "2D", "5DOF": a term, not a number glued to a heading
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
        return Numbering(label, "letter", len([p for p in parts if p]), _value(parts[0])), rest
    return None, text.strip()


_CYRILLIC_LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ"  # the order Russian appendices are lettered in


def _value(token: str) -> int:
    if token.isdigit():
        return int(token)
    if len(token) == 1 and token.isalpha():
        upper = token.upper()
        return ord(upper) - 64 if upper.isascii() else _CYRILLIC_LETTERS.find(upper) + 1
    return 0


def _roman_value(token: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(token, [*token[1:], ""], strict=True):
        v = values[a]
        total += -v if b and values[b] > v else v
    return total


_CJK_START = re.compile(f"[{HAN}{KANA}]")


def _starts_cjk(text: str) -> bool:
    """Whether `text` starts with a Chinese character or Japanese kana (scripts without word spaces)."""
    return _CJK_START.match(text) is not None


def strip_numbering(heading: str) -> str:
    """The heading's words without its number ("3.2 Results" -> "Results")."""
    number, rest = parse_numbering(heading)
    return rest if number else heading.strip()


# --- heading words -> roles ----------------------------------------------------------------------

# The words that name an abstract, as its heading or as its run-in label ("Resumo. O sucesso ..."), in every
# language the reader supports; `labels` builds the front matter's abstract label from these.
ABSTRACT_WORDS = (
    "abstract", "summary", "摘要", "摘 要", "概要", "要旨", "要約",
    "zusammenfassung", "kurzfassung", "résumé", "resumen", "resumo", "sommario", "riassunto",
    "аннотация", "реферат", "резюме",
)  # fmt: skip
# An abstract's label in languages whose headings the reader does not read (a second abstract in Dutch, Swedish,
# Polish, Czech, Turkish, or a Japanese or Korean one): a label the front matter knows, never a section role
# (`role_from_heading` compares no Hangul).
ABSTRACT_LABEL_ONLY_WORDS = (
    "samenvatting",
    "sammanfattning",
    "streszczenie",
    "abstrakt",
    "özet",
    "抄録",
    "초록",
    "요약",
)

# The words that name a section's role, in every language the reader supports (English, Chinese, Japanese,
# German, French, Spanish, Portuguese, Italian, Russian). Latin and Cyrillic keys match whole words, case and
# accents aside; Chinese and Japanese keys match anywhere in the heading. Listed in order of precedence for
# one place in a heading (a key listed earlier wins there).
_ROLE_WORDS: list[tuple[SectionRole, tuple[str, ...]]] = [
    (
        "references",
        (
            "references", "bibliography", "literature cited", "works cited", "reference list",
            "参考文献", "引用文献",
            "literatur", "literaturverzeichnis", "quellenverzeichnis",
            "références", "bibliographie", "références bibliographiques",
            "referencias", "bibliografía", "referencias bibliográficas",
            "referências", "bibliografia", "referências bibliográficas",
            "riferimenti bibliografici",
            "литература", "список литературы", "список использованных источников", "список источников",
            "библиографический список", "библиография",
        ),
    ),
    ("abstract", ABSTRACT_WORDS),
    (
        "appendix",
        (
            "appendix", "appendices", "supplementary material", "supplemental material", "supplementary", "附录",
            "付録", "anhang", "annexe", "annexes", "apéndice", "apéndices", "anexo", "anexos", "apêndice",
            "apêndices", "appendice", "приложение", "приложения",
        ),
    ),
    (
        "related_work",
        (
            "related work", "related works", "related literature", "prior work", "previous work",
            "literature review", "literature survey", "state of the art", "relation to prior",
            "相关工作", "相关研究", "研究现状", "文献综述", "関連研究",
            "verwandte arbeiten", "stand der technik", "stand der forschung", "literaturüberblick",
            "travaux connexes", "travaux antérieurs", "état de l'art", "état de l’art",
            "trabajos relacionados", "trabajo relacionado", "estado del arte",
            "trabalhos relacionados", "trabalho relacionado", "estado da arte", "revisão da literatura",
            "lavori correlati", "stato dell'arte",
            "обзор литературы", "связанные работы", "обзор существующих", "современное состояние",
        ),
    ),
    (
        "introduction",
        (
            "introduction", "motivation", "overview", "引言", "介绍", "绪论", "简介", "前言", "导言",
            "はじめに", "序論", "緒言", "序章", "緒論",
            "einleitung", "einführung", "introducción", "introdução", "introduzione", "введение",
        ),
    ),
    (
        "background",
        (
            "background", "preliminaries", "preliminary", "problem formulation", "problem statement",
            "problem definition", "problem setup", "problem setting", "task definition", "notation", "definitions",
            "theory", "theoretical framework", "背景", "预备知识", "问题定义", "问题描述", "基础知识", "理論", "準備",
            "grundlagen", "hintergrund", "préliminaires", "contexte", "antecedentes", "marco teórico",
            "preliminares", "fundamentação teórica", "referencial teórico", "fundamentos",
            "постановка задачи", "основные понятия", "предварительные сведения",
        ),
    ),
    (
        "conclusion",
        (
            "conclusion", "conclusions", "concluding", "summary and outlook", "future work", "outlook",
            "结论", "总结", "结语", "展望", "結論", "結言", "まとめ", "おわりに",
            "fazit", "schlussfolgerungen", "schlussfolgerung", "ausblick", "schluss",
            "conclusión", "conclusiones", "conclusão", "conclusões", "considerações finais", "conclusioni",
            "заключение", "выводы",
        ),
    ),
    (
        "discussion",
        (
            "discussion", "limitations", "limitation", "ablation", "ablations", "error analysis", "讨论", "局限",
            "考察", "議論", "diskussion", "discusión", "discussão", "discussione", "обсуждение",
        ),
    ),
    (
        "results",
        (
            "results", "result", "findings", "main results", "performance", "结果", "实验结果", "結果",
            "ergebnisse", "résultats", "resultados", "risultati", "результаты",
        ),
    ),
    (
        "experiments",
        (
            "experiment", "experiments", "experimental", "evaluation", "evaluations", "empirical", "benchmark",
            "setup", "datasets", "data and methods", "case study", "case studies", "user study", "usability study",
            "实验", "评估", "评价", "案例研究", "実験", "評価",
            "experimente", "experimenteller teil", "evaluierung", "auswertung", "expériences", "expérimentations",
            "évaluation", "experimentos", "evaluación", "avaliação", "esperimenti", "valutazione",
            "эксперименты", "эксперимент", "экспериментальная часть", "вычислительный эксперимент",
        ),
    ),
    (
        "method",
        (
            "method", "methods", "methodology", "approach", "approaches", "proposed", "our model", "model",
            "framework", "architecture", "algorithm", "system design", "design", "implementation",
            "materials and methods", "model description", "technique",
            "方法", "模型", "框架", "算法", "系统设计", "设计", "手法", "提案手法",
            "methode", "methoden", "methodik", "verfahren", "ansatz", "méthode", "méthodes", "méthodologie",
            "approche", "método", "métodos", "metodología", "metodologia", "abordagem", "metodo", "metodi",
            "метод", "методы", "методология", "алгоритм", "модель",
        ),
    ),
]  # fmt: skip
# Words of end-matter headings (thanks, funding, who did what, ethics, what may be shared): a heading that
# mentions one names a known kind of section (see `is_end_matter_section` for the sections summaries skip).
_END_MATTER = (
    "acknowledgment", "acknowledgement", "acknowledgments", "acknowledgements", "funding", "author contributions",
    "contributions", "ethics", "ethical", "broader impact", "societal impact", "limitations", "competing interests",
    "conflict of interest", "conflicts of interest", "data availability", "code availability", "reproducibility",
    "declaration", "notes", "endnotes",
    "致谢", "伦理", "声明", "謝辞",
    "danksagung", "remerciements", "agradecimientos", "agradecimentos", "ringraziamenti", "благодарности",
)  # fmt: skip


_SPACED = re.compile(r"\b(?:[A-Za-z] ){3,}[A-Za-z]\b")


def unspace_letters(text: str) -> str:
    """Letter-spaced labels read as words: "A B S T R A C T" -> "ABSTRACT"."""
    return _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text) if "  " in text or _SPACED.search(text) else text


_NOT_WORD = re.compile(f"[^a-zß{CYRILLIC}{KANA}{HAN}]+")


def _fold(text: str) -> str:
    """Lower case without accents ("Introdução" -> "introducao"), as headings and keys are compared."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> str:
    return " " + _NOT_WORD.sub(" ", _fold(unspace_letters(text))).strip() + " "


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
    """One regex for the keys of spaced scripts (whole words: " key" + `latin_end`) and one for Chinese and
    Japanese ones (anywhere)."""
    keys = list(keys)
    latin = "|".join(re.escape(k) for k in keys if not _starts_cjk(k))
    cjk = "|".join(re.escape(k) for k in keys if _starts_cjk(k))
    return re.compile(f" (?P<key>{latin}){latin_end}"), re.compile(f"(?P<key>{cjk})")


_ROLE_OF_KEY: dict[str, tuple[int, SectionRole]] = {}
for _rank, (_role, _keys) in enumerate(_ROLE_WORDS):
    for _key in _keys:
        _ROLE_OF_KEY.setdefault(_words(_key).strip(), (_rank, _role))
_LATIN_ROLE_KEYS, _CJK_ROLE_KEYS = _key_patterns(_ROLE_OF_KEY, " ")
_LATIN_END_MATTER, _CJK_END_MATTER = _key_patterns([_words(k).strip() for k in _END_MATTER], "")
_ABSTRACT_WORDS = frozenset(_words(k).strip() for k in _ROLE_WORDS[1][1])


@functools.lru_cache(maxsize=4096)
def is_end_matter(heading: str) -> bool:
    words = _words(strip_numbering(heading))
    return bool(_LATIN_END_MATTER.search(words) or _CJK_END_MATTER.search(words))


# Boxes journals print beside or after the abstract, before the paper's first section: summaries for
# readers in a hurry, not sections (Cell's In Brief and Graphical Abstract, Elsevier's Highlights, PNAS's
# Significance, PLOS's Author summary). Whole headings only: "Significance of the results" is a section.
_FRONT_MATTER_BOXES = frozenset(
    _words(k).strip()
    for k in (
        "in brief", "graphical abstract", "highlights", "research highlights", "significance",
        "significance statement", "key points", "etoc blurb", "etoc", "author summary", "plain language summary",
        "lay summary", "research in context", "one sentence summary", "editor's summary", "teaser",
        "visual abstract", "video abstract", "研究亮点", "要点", "zusammenfassung in kürze", "points clés",
    )
)  # fmt: skip


def is_front_matter_box(heading: str) -> bool:
    """Whether `heading` names a summary box printed before the first section (In Brief, Highlights ...)."""
    return _words(strip_numbering(unspace_letters(heading))).strip() in _FRONT_MATTER_BOXES


# The titles of a printed table of contents, and of the lists of figures, tables and abbreviations theses
# print with it: pages of entries pointing elsewhere, not sections of the paper.
_CONTENTS_TITLES = frozenset(
    _words(k).strip()
    for k in (
        "contents", "table of contents", "目录", "目 录", "目次", "inhaltsverzeichnis", "inhalt", "table des matières",
        "sommaire", "índice", "indice", "sumário", "contenido", "содержание", "оглавление",
    )
)  # fmt: skip
_LIST_TITLES = frozenset(
    _words(k).strip()
    for k in (
        "list of figures", "list of tables", "list of illustrations", "list of abbreviations", "list of symbols",
        "插图清单", "附表清单", "插图目录", "表格目录", "图目录", "表目录", "図目次", "表目次", "abbildungsverzeichnis",
        "tabellenverzeichnis", "abkürzungsverzeichnis", "liste des figures", "liste des tableaux", "lista de figuras",
        "lista de tabelas", "lista de tablas", "список иллюстраций", "список рисунков", "список таблиц",
    )
)  # fmt: skip


def names_contents(heading: str) -> bool:
    """Whether `heading` titles a printed table of contents ("Contents", "目次", "Оглавление")."""
    return _words(unspace_letters(heading)).strip() in _CONTENTS_TITLES


def names_a_list(heading: str) -> bool:
    """Whether `heading` titles a list of figures, tables or abbreviations ("List of Figures", "插图清单")."""
    return _words(unspace_letters(heading)).strip() in _LIST_TITLES


def is_references_heading(heading: str) -> bool:
    return role_from_heading(heading) == "references" and len(strip_numbering(heading).split()) <= 4


def is_abstract_heading(heading: str) -> bool:
    return _words(strip_numbering(unspace_letters(heading))).strip() in _ABSTRACT_WORDS


@functools.lru_cache(maxsize=4096)
def is_known_heading(words: str) -> bool:
    return bool(role_from_heading(words) or is_end_matter(words))


# --- sections a summary does not read, and roles by word stems --------------------------------------

_LEADING_NUMBER = r"^(?:[\dIVX]+(?:\.\d+)*\.?\s*)?"
# End matter: statements about the paper (thanks, money, who did what, ethics, what may be shared, the
# venue's checklists) rather than its research; summaries and prompts leave these sections out (role
# "end_matter"). A heading must be one of these as a whole (numbering aside), so that "Funding models for
# science" or "Limitations of the study" stay sections about the research; a bare "Limitations" is the
# statement ACL venues ask for after the conclusion; a bare "Notes" the endnotes, "Notes on the data" a section.
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
            # a bare "Notes" after the body is the endnotes: pointers and sources keyed to superscripts in the
            # text ("1. See ldc.upenn.edu."), which say nothing read apart from it
            r"(?:end)?notes",
            # the publishers' back matter after the conclusion (BMC, Springer Nature, MDPI, Taylor & Francis):
            # consent and review-board statements, author details, licences, and the glossary of abbreviations
            r"consent for publication|(?:informed )?consent statement|institutional review board statement",
            r"disclosure statement|publisher['’]?s note|peer review information|reporting summary",
            r"author (?:details|information)|additional information|rights and permissions|about this article",
            r"open access|(?:list of )?abbreviations",
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
_STEMS: tuple[tuple[str, SectionRole], ...] = (
    (r"introduction|motivation|引言|介绍|绪论", "introduction"),
    (r"related work|prior work|previous work|literature|研究现状|相关工作", "related_work"),
    (r"background|preliminar|problem (?:statement|formulation|setting)|背景|预备知识", "background"),
    (r"experiment|evaluation|results?\b|benchmark|empirical|实验|评估|结果", "experiments"),
    (r"conclu|summary|future work|结论|总结|展望", "conclusion"),
    (r"discussion|讨论", "discussion"),
    (r"method|approach|framework|architecture|algorithm|model|design|方法|框架|模型|设计", "method"),
)
_ROLE_STEMS = tuple((re.compile(pattern, re.IGNORECASE), role) for pattern, role in _STEMS)


def role_from_heading_stems(heading: str) -> SectionRole | None:
    """The role a word stem in `heading` suggests (see `_ROLE_STEMS`), or None."""
    flat = _flat(heading)
    return next((role for pattern, role in _ROLE_STEMS if pattern.search(flat)), None)
