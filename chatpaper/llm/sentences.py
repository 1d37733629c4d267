"""Sentences from PDF text: splitting, junk filtering and term extraction, for English and Chinese.

Text that comes out of a PDF is full of things a naive `split(". ")` breaks on: abbreviations
("et al.", "Fig. 3", "e.g."), decimals ("92.3%"), citations after the full stop ("... work.[12] We"),
glued-on footnote markers and Chinese punctuation without spaces. It also carries debris that is
not prose at all: captions, table rows, equations, e-mail lines and copyright notices. The
extractive backend quotes sentences verbatim, so everything here keeps the original characters and
only normalizes whitespace.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from chatpaper.captions import FIGURE_WORDS, FLOAT_WORDS
from chatpaper.scripts import HAN, HAN_CHAR


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`, for word lists written as prose blocks."""
    return frozenset(text.split())


# Tokens that end in a full stop without ending a sentence (lower-cased, without the final dot).
ABBREVIATIONS = word_set(
    """
    al e.g i.e cf vs viz fig figs eq eqs eqn eqns sec secs sect tab tabs ref refs ch chap app appx alg
    def thm prop lem cor no nos vol vols pp p ed eds dr mr mrs ms prof st jr sr inc ltd co corp dept univ
    approx resp incl w.r.t wrt a.k.a u.s ph.d b.sc m.sc jan feb mar apr jun jul aug sep sept oct nov dec
    ca est fn nr art para op cit ibid
    """
)

_CJK_PAIR_GAP = re.compile(f"(?<=[{HAN}，。！？；：、（）“”])\\s+(?=[{HAN}，。！？；：、（）“”])")
_SPACE = re.compile(r"\s+")
_PARAGRAPH = re.compile(r"\n\s*\n")

# A Latin sentence end: terminal punctuation, closing quotes/brackets, optionally a citation or a
# footnote number glued on, then whitespace and something that can start a sentence.
_LATIN_END = re.compile(
    r"(?P<stop>[.!?])(?P<tail>[\"'”’)\]]*(?:\[[\d,;\s–\-]+\])?(?:(?<=[a-z]\.)\d{1,2})?)\s+"
    rf"(?=[\"“‘(\[]?[A-Z{HAN}])"
)
# A Chinese sentence end needs no following space.
_CJK_END = re.compile(r"[。！？；](?:[”’」』）)\]]*)")
_ENUMERATOR = re.compile(r"^(?:\(?\d{1,2}\)|\d{1,2}\.|\([a-z]\)|[•▪●◦-])\s+(?=[A-Z])")
# A run-in paragraph heading that the sentence itself then repeats, or that a dash sets off
# ("Paraphrase Generation - Traditionally ...").
_RUN_IN_HEADING = re.compile(
    r"^((?:[A-Z][\w-]*\s+){0,3}[A-Z][\w-]*)\s+(?=\1\b)|^(?:[A-Z][\w-]*\s+){0,4}[A-Z][\w-]*\s+[-–—]\s+(?=[A-Z])"
)
_LABEL = re.compile(
    r"^(?:abstract|summary|index terms|keywords?|摘\s*要|关键词)\s*(?:[—–\-:.：]\s*|\s+(?=[A-Z]))",
    re.IGNORECASE,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MATH = re.compile(r"[=<>+±×÷∑∏∫∂∇∈∉⊂⊆∀∃≤≥≈≠∝→←↦^_{}|\\∞√]")
_GREEK = re.compile(r"[α-ωΑ-Ω]")
_CAPTION = re.compile(
    # "Figure 3: ...", "Table 2. ...", "Table 3 OCR model comparison" but not "Table 1 lists ..." (prose). The label
    # words are the reader's (chatpaper.captions); a sentence may also start with a plural ("Figs. 3 and 4:",
    # "Tables 2-3.") or an equation's label.
    rf"^(?:\d{{1,3}}\s+)?(?i:{FIGURE_WORDS}|{FLOAT_WORDS}|fig(?:ure)?s\.?|tab(?:le)?s?\.?|eq(?:uation)?\.?)"
    r"\s*[\dIVX]+[a-z]?(?:\s*[.:|：]|\s+[A-Z]|$)"
)
_TERMINATED = re.compile(r"(?:[.!?。！？；][\"'”’)\]]*(?:\[[^\]]*\])?|(?<=[a-z)\]]\.)\d{1,2})$")
_HEADING_END = re.compile(r"[.,;:!?，。；：、\-–]$")
_NUMBERED_HEADING = re.compile(rf"^(?:\d{{1,2}}(?:\.\d{{1,2}})*\.?|[IVX]{{1,4}}\.|[A-H]\.)\s+[A-Z{HAN}]")
_HEADING_SMALL_WORDS = word_set("a an and as at by for from in of on or the to vs with")
_NUMBER_TOKEN = re.compile(r"[(\[]?[-+]?\d+(?:[.,]\d+)*%?[)\],;:.]*")
# A word as prose prints it: letters/digits with inner hyphens, apostrophes, dots or slashes, and
# opening/closing punctuation; anything else ("2qvv^", "v{x,", "/)") is math or OCR garble.
_CLEAN_TOKEN = re.compile(r"[(\[\"“‘'§]*[\w’'\-–—/.%&+@]+[)\]\"”’'.,;:!?%*†‡]*")
# A footnote marker run into the next word ("1Apache", "5license"), but not "3D" or "2nd".
_MARKER_GLUED = re.compile(r"\d+(?!st\b|nd\b|rd\b|th\b)[A-Za-z]{3,}")
# A sentence that opens with the tail of a citation, cut from the sentence before ("(2004); Zhao ...").
_CITATION_TAIL = re.compile(r"^\([^()]{0,80}\)\s*[,;.]")
_BULLET = re.compile(r"[•▪●◦■□➢✓]")
# Sentences about the paper's layout, not its content.
_ROADMAP = re.compile(
    r"\b(?:sections?|chapters?|appendix) \d+(?:\.\d+)* (?:describes?|presents?|contains?|discusses|introduces?|"
    r"concludes?|reports?|gives?|outlines?|details?|provides?|shows?)\b|\b(?:rest|remainder) of (?:this|the) "
    r"(?:paper|article|work|letter)\b|\bis organi[sz]ed as follows\b|本文的?(?:其余|剩余)部分",
    re.IGNORECASE,
)
# Openers that carry on from the sentence before ("Second, ...", "Furthermore, ...", "Lastly we ...", "此外，"):
# quoted on its own such a sentence points at nothing, and dropping the word would leave "in contrast to ..."
# or "we present ..." without the contrast or list it belongs to.
_CONNECTIVE = re.compile(
    r"^[\"“‘(]?(?:(?:(?:first|second|third|fourth|fifth)(?:ly)?|then|finally|lastly|also|furthermore|moreover|"
    r"additionally|besides|likewise|similarly|thus|hence|therefore|consequently|accordingly|nevertheless|"
    r"nonetheless|meanwhile|instead|otherwise)(?![\w\-'’])"
    r"|(?:in addition|as a result|in contrast|by contrast|on the other hand|on the contrary|in particular|"
    r"for this reason|to this end|in turn|at the same time|as such|in other words|that is)\s*,)"
    r"|^(?:此外|另外|其次|再次|再者|最后|同时|因此|所以|而且|并且|首先|第[一二三四五]|总之|于是|由此)",
    re.IGNORECASE,
)
_INLINE_CAPTION = re.compile(r"\b(?:Figure|Fig\.|Table|Tab\.)\s*\d+[a-z]?\s*:")
_GLUED = re.compile(r"[A-Za-z]{28,}")
# Front-matter and back-matter boilerplate that is never a summary sentence.
_BOILERPLATE = re.compile(
    r"[\w.+-]+@[\w-]+\.[a-z]{2,}|\barxiv:\s*\d|\bdoi(?:\.org/|\s*:?\s*10\.)|copyright|©|\(c\)\s*\d{4}|"
    r"all rights reserved|licen[cs]ed? under|creative commons|"
    r"permission to make|manuscript received|corresponding author|this work was supported|supported in part by|"
    r"equal contribution|contributed equally|proceedings of|^preprint\b|under review|"
    r"accepted (?:for|at|to)|submitted to|date of publication|digital object identifier|index terms|"
    r"^keywords?\b|^ccs concepts|^acm reference format|^additional key words|work done (?:while|during)|"
    r"authorized licensed use|personal use is permitted|downloaded on|restrictions apply|recommended for publication|"
    r"supplementary (?:downloadable )?material|通讯作者|基金项目|收稿日期",
    re.IGNORECASE,
)


def normalize_space(text: str) -> str:
    """Collapse whitespace to single spaces, and drop it between two Chinese characters (line wraps)."""
    return _CJK_PAIR_GAP.sub("", _SPACE.sub(" ", text)).strip()


def is_cjk(text: str) -> bool:
    """Whether `text` is mostly Chinese (or Japanese) characters rather than Latin words."""
    cjk = len(HAN_CHAR.findall(text))
    return cjk > 0 and cjk >= len(_WORD.findall(text))


def length_units(text: str) -> float:
    """Length in word-like units: Latin words plus about two Chinese characters per word."""
    return len(_WORD.findall(text)) + len(re.findall(r"\d+(?:[.,]\d+)*", text)) + len(HAN_CHAR.findall(text)) / 2


def split_sentences(text: str) -> list[str]:
    """Split PDF text into sentences, keeping each sentence's characters as printed.

    Blank lines and heading lines end a sentence; other line breaks are wraps.
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(_drop_heading_lines(text)):
        flat = normalize_space(paragraph)
        if flat:
            sentences.extend(_split_flat(flat))
    return sentences


def _drop_heading_lines(text: str) -> str:
    """Text with lines that look like (sub)section headings turned into paragraph breaks.

    Without this a heading left in a section's text ("2.1 Datasets", "I. INTRODUCTION") would be glued
    to the front of the next sentence.
    """
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    previous = ""
    for i, line in enumerate(lines):
        stripped = line.strip()
        after_break = not previous or bool(_TERMINATED.search(previous))
        if stripped and i + 1 < len(lines) and _is_heading_line(stripped, after_break=after_break):
            out.append("")
            previous = ""
            continue
        out.append(line)
        if stripped:
            previous = stripped
    return "\n".join(out)


def _is_heading_line(line: str, *, after_break: bool) -> bool:
    if len(line) > 80 or _HEADING_END.search(line):
        return False
    if _NUMBERED_HEADING.match(line):
        return len(line.split()) <= 12
    words = _WORD.findall(line)
    if not after_break or not words or len(line.split()) > 6 or len(words) < len(line.split()) / 2:
        return False
    return all(w[0].isupper() or w.lower() in _HEADING_SMALL_WORDS for w in words)


def _split_flat(text: str) -> Iterator[str]:
    cuts = sorted(set(_cjk_cuts(text)) | set(_latin_cuts(text)))
    start = 0
    for cut in cuts:
        piece = text[start:cut].strip()
        if piece:
            yield piece
        start = cut
    rest = text[start:].strip()
    if rest:
        yield rest


def _cjk_cuts(text: str) -> Iterator[int]:
    for m in _CJK_END.finditer(text):
        # "；" separates citations inside brackets ("[Achiam 等人，2023；Schulman 等人，2023]").
        if text[m.start()] == "；" and _inside_brackets(text, m.start()):
            continue
        yield m.end()


def _inside_brackets(text: str, at: int, reach: int = 120) -> bool:
    """Whether `at` lies inside a bracket opened within the last `reach` characters and not yet closed."""
    window = text[max(0, at - reach) : at]
    opened = max(window.rfind(c) for c in "[(（【")
    return opened >= 0 and not any(c in window[opened:] for c in "])）】")


def _latin_cuts(text: str) -> Iterator[int]:
    for m in _LATIN_END.finditer(text):
        if m.group("stop") == "." and not m.group("tail") and _is_abbreviation(text, m.start()):
            continue
        yield m.end("tail")


# Words that start sentences but never follow an initial in a name.
_SENTENCE_STARTERS = word_set(
    """
    An The This That These Those It Its We Our In On At For To From By With As If When While Since Although
    However Thus Hence Therefore Moreover Furthermore Finally First Second Third Here There Then Such Both
    Each All Most Many Some No Not One Two Unlike Despite After Before Because Note See Table Figure Fig
    """
)


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` closes an abbreviation or an initial rather than a sentence."""
    # Only the last few characters: searching the whole prefix each time would be quadratic.
    word = re.split(r"[\s(\[]", text[max(0, dot - 24) : dot])[-1].lower()
    if not word:
        return False
    if word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS:
        return True
    # A lone capital is an initial ("J. Smith", "Andrew G. Barto"); also "U.S."-style dotted letters.
    # But "... for finite N. The ..." ends a sentence: names do not go on with a function word.
    if re.fullmatch(r"[a-z]|(?:[a-z]\.)+[a-z]", word):
        following = re.match(r"\s*[\"“‘(]?([A-Za-z]+)", text[dot + 1 : dot + 24])
        if following and following.group(1) in _SENTENCE_STARTERS:
            return False
        # "... as we show in Section V. Real ...": a numbered part, not an initial.
        return not re.search(
            r"\b(?:section|sec|part|chapter|appendix|table|figure|fig|step|phase)\s*$",
            text[max(0, dot - 24) : dot - len(word)],
            re.IGNORECASE,
        )
    # A list number after a colon ("two parts: 1. Open-source ...") opens an item, not a sentence.
    before = text[max(0, dot - len(word) - 3) : dot - len(word)].rstrip()
    return bool(re.fullmatch(r"\d{1,2}", word)) and (not before or before[-1] in ":;")


def strip_label(sentence: str) -> str:
    """A sentence without a leading run-in label ("Abstract—", "摘要：", "LLM Agents LLM Agents combine ...")
    or list number ("1.", "(2)")."""
    sentence = _ENUMERATOR.sub("", _LABEL.sub("", sentence, count=1), count=1)
    return _RUN_IN_HEADING.sub("", sentence, count=1).strip()


# Reasons that make a sentence a poor quote but still prose: a fallback may use it when a paper
# has nothing better (an abstract-only paper, a fragmentary OCR layer).
SOFT_REASONS = frozenset({"short", "fragment", "title-case", "unterminated", "has-url", "roadmap", "dangling"})


def junk_reason(sentence: str) -> str | None:
    """Why `sentence` is not prose worth quoting, or None if it is (see `SOFT_REASONS`)."""
    units = length_units(sentence)
    cjk = is_cjk(sentence)
    without_urls = _URL.sub(" ", sentence)
    if units < 3 or length_units(without_urls) < 3:
        return "tiny"
    if units > 75:
        return "long"
    if _BOILERPLATE.search(sentence):
        return "boilerplate"
    if _CAPTION.match(sentence) or _INLINE_CAPTION.search(sentence):
        return "caption"
    visible = [c for c in without_urls if not c.isspace()]
    letters = sum(c.isalpha() for c in visible)
    if not visible or letters / len(visible) < 0.72:
        return "symbols"
    if len(_MATH.findall(without_urls)) + len(_GREEK.findall(without_urls)) > max(2, len(visible) // 60):
        return "math"
    if _GLUED.search(without_urls):
        return "glued"
    tokens = without_urls.split()
    if not cjk and tokens:
        if sum(_NUMBER_TOKEN.fullmatch(t) is not None for t in tokens) > 0.3 * len(tokens):
            return "table"
        unclean = sum(_CLEAN_TOKEN.fullmatch(t) is None or _MARKER_GLUED.match(t) is not None for t in tokens)
        if unclean > 0.12 * len(tokens):
            return "garbled"
    if sentence.count(":") > 2 or _BULLET.search(sentence):
        return "table"
    # Soft reasons from here on.
    if units < 5 or length_units(without_urls) < 5:
        return "short"
    if _ROADMAP.search(sentence):
        return "roadmap"
    if without_urls != sentence:
        return "has-url"
    if _CONNECTIVE.match(sentence):
        return "dangling"
    if not cjk:
        if sentence.lstrip('"“‘([')[:1].islower() or _CITATION_TAIL.match(sentence):
            return "fragment"
        # Headings and table headers run into the text; names alone do not make a sentence title case
        # while it still has its lower-case function words.
        words = _WORD.findall(sentence)
        capitalized = sum(w[0].isupper() for w in words)
        if len(words) >= 4 and capitalized > 0.6 * len(words) and sum(w in STOP_WORDS for w in words) < 3:
            return "title-case"
    if not _TERMINATED.search(sentence):
        return "unterminated"
    return None


# --- terms, for TF-IDF centrality and keywords ----------------------------------------------------

STOP_WORDS = word_set(
    """
    a about above across after again against all almost along already also although always am among an and
    another any anyone anything are around as at be became because become been before being below between both
    but by can cannot could did do does doing done down during each either else enough especially even ever
    every few for from further get gets given gives go had has have having he her here hers him his how however
    i if in into is it its itself just least less let like made make makes many may me might more most much
    must my neither never no nor not now of off often on once one only onto or other others otherwise our ours
    out over own per perhaps put rather same see seem seems several she should since so some such than that
    the their theirs them then there therefore these they this those though through thus to together too
    toward towards under until up upon us very via was we well were what whatever when where whether which
    while who whom whose why will with within without would yet you your
    """
)

# Words every paper uses; never keywords, and of little weight for centrality.
GENERIC_WORDS = word_set(
    """
    able according achieve achieved achieves across addition additional address al allow allows alternative
    analysis apply applied approach approaches article aspect assume available based best better case cases
    certain chapter compare compared comparison consider considered consist contain contains current data
    define defined demonstrate demonstrated denote described describe design designed detail details
    different difference directly discuss discussed due easily effect effective efficient end et evaluate
    evaluated example examples existing experiment experimental experiments explore fact field figure
    find finding findings first focus following follows form found four framework future general given good
    high higher however important improve improved include included includes including increase independent
    information instance introduce introduced investigate issue issues item key known large larger last
    later lead leads level like likely limited low lower main mainly major makes mean means measure
    method methods model models moreover need needed new next note novel number numbers observe observed
    obtain obtained order original overall paper papers part particular performance performed point possible
    potential present presented previous previously problem problems proposed propose provide provided
    provides purpose range recent related report reported represent require required research respectively
    result results second section sections set sets show showed shown shows significant significantly
    similar simple single small specific state studied studies study suggest support table task tasks term
    terms third three time times total two type types typically use used useful uses using usually value
    values various version way ways whole work works yield yields year years system systems train training
    trained open source document documents action actions critical real world input output multiple
    many several often
    """
)


def stem(word: str) -> str:
    """A crude English stem: lower-case, without a plural ending, so "tasks" and "task" count together."""
    word = word.lower().strip("'’-")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


def terms(text: str) -> Iterable[str]:
    """Content terms of `text` for similarity: stemmed Latin words and Chinese character bigrams."""
    for word in _WORD.findall(text):
        low = word.lower()
        if len(low) > 2 and low not in STOP_WORDS:
            yield stem(low)
    for run in re.findall(f"[{HAN}]+", text):
        for i in range(len(run) - 1):
            yield run[i : i + 2]


def tfidf_vector(text: str, idf: dict[str, float]) -> dict[str, float]:
    """A length-normalized TF-IDF vector of `text` (sublinear term frequency)."""
    counts = Counter(terms(text))
    vector = {t: (1 + math.log(n)) * idf.get(t, 1.0) for t, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two normalized sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())
