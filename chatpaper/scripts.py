"""Writing systems as Unicode ranges, defined once for every layer that tells scripts apart.

The reader (line joins, capitals, headings, language), the sentence splitter and the token estimate
each need a different set: they compose these named ranges (regex character-class bodies) instead of
keeping copies of their own.
"""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs: Chinese hanzi, Japanese kanji (ext. A, compatibility)
KANA = "\u3040-\u30ff"  # Japanese hiragana and katakana
HANGUL = "\uac00-\ud7af"  # Korean syllables
CJK_PUNCTUATION = "\u3000-\u303f"  # ideographic space and punctuation: 、。「」
FULLWIDTH = "\uff00-\uffef"  # full-width Latin letters, digits and punctuation: （），：
CYRILLIC = "\u0400-\u04ff"

# Letters of the scripts that have no capitals (a line mixing them with a capital is not set in capitals).
CJK_LETTERS = KANA + HAN + HANGUL
# Characters set full width: a line break between two of them is no word space, and each is about one token.
WIDE = CJK_PUNCTUATION + KANA + HAN + HANGUL + FULLWIDTH

HAN_CHAR = re.compile(f"[{HAN}]")
# Letters of the scripts written without spaces between words (Chinese, Japanese); Korean spaces its words.
UNSPACED_LETTER_CHAR = re.compile(f"[{KANA}{HAN}]")
CJK_LETTER_CHAR = re.compile(f"[{CJK_LETTERS}]")
_WIDE_CHAR = re.compile(f"[{WIDE}]")


def is_han(ch: str) -> bool:
    """Whether `ch` (one character) is a Chinese character."""
    return bool(ch) and HAN_CHAR.match(ch) is not None


def is_wide(ch: str) -> bool:
    """Whether `ch` (one character) is set full width (see `WIDE`)."""
    return bool(ch) and _WIDE_CHAR.match(ch) is not None
