"""Front-matter labels and prose: the words that open an abstract or a keyword line, the lines that end the
front matter, and running text told apart from labels, names and titles.

Pure module: `title`, `byline` and `abstract` read the first pages' lines with these.
"""

from __future__ import annotations

import re

from chatpaper.pdf import authors as names
from chatpaper.pdf.headings import ABSTRACT_LABEL_ONLY_WORDS, ABSTRACT_WORDS, unspace_letters
from chatpaper.scripts import HAN_CHAR, is_wide


def _label_word(word: str) -> str:
    """A label word as a regex: letters as printed; a CJK word also letter-spaced ("摘 要", "초 록")."""
    if word.isascii() or not is_wide(word[0]):
        return re.escape(word)
    return r"\s*".join(re.escape(ch) for ch in word if not ch.isspace())


_ABSTRACT_RE = re.compile(
    # the label in the languages papers print it in, run in ("Resumo. O sucesso...") or on its own line
    rf"^\s*({'|'.join(dict.fromkeys(map(_label_word, ABSTRACT_WORDS + ABSTRACT_LABEL_ONLY_WORDS)))})"
    r"\b\s*[:.：—–/-]?\s*(.*)$",
    re.I | re.S,
)
_KEYWORDS_RE = re.compile(
    r"^\s*(key\s*-?\s*words?(?: and phrases)?|additional key words and phrases|index terms|palavras?[- ]chaves?|"
    r"palabras clave|mots[- ]clés|schlüsselwörter|schlagwörter|ключевые слова|关键词|关键字|キーワード)"
    r"\s*[:：.—–/-]?\s*(.*)$",
    re.I,
)


class Label:
    """A label regex tried on the text as printed and with letter-spacing removed ("A B S T R A C T")."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def match(self, text: str) -> re.Match[str] | None:
        return self.pattern.match(text) or self.pattern.match(unspace_letters(text))


ABSTRACT_LABEL = Label(_ABSTRACT_RE)
KEYWORDS_LABEL = Label(_KEYWORDS_RE)
# Lines that end the front matter: classification schemes, citation formats, dates of the editorial process
STOP_LABEL = re.compile(
    r"^\W*(ccs concepts|acm reference format|acm classification|msc|pacs|jel|mathematics subject|"
    r"subjects?:|doi:|citation:|received|accepted|published)",
    re.I,
)


def is_prose(text: str) -> bool:
    """Running text: many words, many of them lower-case (or a long run of Chinese that is a sentence, not
    a list of institutions)."""
    if len(HAN_CHAR.findall(text)) >= 20:
        return "。" in text or not names.names_institution(text)
    words = text.split()
    if len(words) < 7:
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower >= len(words) * 0.45
