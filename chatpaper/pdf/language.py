"""The language a paper is written in: the script of its text, then, for Latin script, its function words.

Returns an ISO 639-1 code: zh, ja, ko, ru, or one of en, de, fr, es, pt, it (en when the words do not say).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from chatpaper.pdf.lines import Line
from chatpaper.scripts import CYRILLIC, HAN_CHAR, HANGUL, KANA

# Enough text to tell a language by (a few pages); a thesis is not read twice over for it.
SAMPLE_CHARS = 60_000
# A Chinese character carries about as much as a word of four to eight letters: text with this many Latin
# letters per Chinese character or fewer is Chinese (or Japanese) with English terms in it.
LETTERS_PER_HAN = 8
# Japanese writes its grammar in kana beside the kanji (about a third of the characters); Chinese text has
# next to none.
KANA_SHARE_JA = 0.1
# Cyrillic letters outnumbering this share of the Latin ones: Russian with formulas, code and English references.
CYRILLIC_SHARE_RU = 0.5
# Function words the Latin-script languages use in every sentence; a few are shared, the sum tells them apart.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of is that with this are we which from by be was were been has have not",
        "de": "der die das und ist nicht mit von den dem ein eine einer wird werden sich auch für auf zu bei",
        "fr": "le les des et est une du dans pour qui sur au aux ce cette sont pas avec ou leur",
        "es": "el los las y en del por una con para es se al lo como más sus este esta entre",
        "pt": "o os as e em do da dos das uma para com não é ao na no pelo pela são entre",
        "it": "il di che è per un una del della sono nel con gli alla dei delle questo anche",
    }.items()
}
# Evidence below this many function words is no evidence: a title and a few captions.
MIN_FUNCTION_WORDS = 20

_KANA = re.compile(f"[{KANA}]")
_HANGUL = re.compile(f"[{HANGUL}]")
_CYRILLIC = re.compile(f"[{CYRILLIC}]")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ]+")


def detect_language(lines: Sequence[Line]) -> str:
    """The paper's language from its text's scripts and, for Latin script, its most used function words."""
    parts: list[str] = []
    size = 0
    for ln in lines:
        parts.append(ln.text)
        size += len(ln.text)
        if size >= SAMPLE_CHARS:
            break
    sample = "\n".join(parts)
    latin = len(_LATIN.findall(sample))
    han = len(HAN_CHAR.findall(sample))
    kana = len(_KANA.findall(sample))
    if (han + kana) * LETTERS_PER_HAN >= latin and han + kana:
        return "ja" if kana >= KANA_SHARE_JA * (han + kana) else "zh"
    if len(_HANGUL.findall(sample)) * LETTERS_PER_HAN // 2 >= latin > 0 or (latin == 0 and _HANGUL.search(sample)):
        return "ko"
    if len(_CYRILLIC.findall(sample)) >= CYRILLIC_SHARE_RU * latin and _CYRILLIC.search(sample):
        return "ru"
    words = Counter(_LATIN_WORD.findall(sample.lower()))
    votes = {lang: sum(words[w] for w in function) for lang, function in _FUNCTION_WORDS.items()}
    best = max(votes, key=lambda lang: votes[lang])
    return best if votes[best] >= MIN_FUNCTION_WORDS else "en"
