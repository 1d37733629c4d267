"""Whether a PDF's text can be read, and whether what the reader made of it reads like a paper.

Run on every paper: a text layer of junk (fonts whose codes map to the wrong characters, words in
fragments) or one with neither a title nor a body makes the paper fail with its reason, before any LLM
call, instead of becoming a report of junk. Pure module: it looks at the reader's pages and `Paper`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from chatpaper.models import Paper
from chatpaper.pdf.lines import Page
from chatpaper.scripts import CJK_LETTER_CHAR

# A page with fewer printed characters than this (a stamp, a page number) ...
SCAN_TEXT_CHARS = 30
# ... and images over at least this share of it is a scan: its text is in the image.
SCAN_IMAGE_COVER = 0.5
# More U+FFFD than this share of the characters: fonts without any Unicode mapping.
UNMAPPED_SHARE = 0.5

# Junk (control characters, U+FFFD, private-use and unassigned code points) above this share of the
# printed characters: the text layer is garbage. Real papers stay under 1% (the corpus: 0.8% at most, from
# symbol fonts in equations).
JUNK_SHARE = 0.2
# Letters standing alone that are no words, above this share of the words: the words are in fragments
# (a text layer split at every kern, 'T rees'). Real papers stay under a quarter (the corpus: 20% at most,
# an equation-heavy two-page note with a poor OCR layer).
FRAGMENT_SHARE = 0.4
_WORDS_TO_JUDGE = 200  # fewer words than this say too little either way
# Vowels among Latin letters: 34-46% in English, French, German, Spanish, Portuguese (the corpus);
# a font whose codes map to the wrong letters lands far outside.
VOWEL_SHARE = (0.2, 0.6)
_LATIN_TO_JUDGE = 2000
# A body: at least this much text outside the title, the references and the front matter.
BODY_CHARS = 500

_ONE_LETTER_WORDS = frozenset("aAiIoOeEyYuUàÀéÉиИвВсСкКуУоОаАяЯ")
_VOWELS = frozenset("aeiouyAEIOUYáéíóúýàèìòùâêîôûäëïöüÿãõåæœøÁÉÍÓÚÝÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÃÕÅÆŒØ")
_LETTERS = re.compile(r"[^\W\d_]+")


def is_scanned(page: Page) -> bool:
    """A page whose text is only in its image (next to no printed characters, mostly covered by images)."""
    chars = sum(len(ln.text.strip()) for ln in page.lines)
    return chars < SCAN_TEXT_CHARS and page.image_cover >= SCAN_IMAGE_COVER


def lacks_text_layer(pages: Sequence[Page]) -> bool:
    """No text at all, text in fonts without a Unicode mapping, or scans with at most a stamp of text."""
    chars = [sum(len(ln.text.strip()) for ln in page.lines) for page in pages]
    if sum(chars) == 0:
        return True
    unknown = sum(ln.text.count("\ufffd") for page in pages for ln in page.lines)
    if unknown > UNMAPPED_SHARE * sum(chars):
        return True
    return all(c < SCAN_TEXT_CHARS for c in chars) and any(page.image_cover >= SCAN_IMAGE_COVER for page in pages)


def unreadable(paper: Paper, fallback_title: bool) -> str | None:
    """Why the paper's text cannot be trusted ('mostly garbage', ...), or None when it reads like a paper.

    `fallback_title` says the title is not printed text but the document information's or the file name.
    """
    body = [s.text for s in paper.sections if s.role != "references"]
    text = " ".join([paper.title, paper.abstract, *body])
    printed = [ch for ch in text if not ch.isspace()]
    if printed:
        junk = sum(1 for ch in printed if _is_junk(ch))
        if junk > JUNK_SHARE * len(printed):
            return f"mostly garbage: {junk * 100 // len(printed)}% of its characters are control or unmapped codes"
    words = [w for w in _LETTERS.findall(text) if not CJK_LETTER_CHAR.search(w)]
    if len(words) >= _WORDS_TO_JUDGE:
        loose = sum(1 for w in words if len(w) == 1 and w not in _ONE_LETTER_WORDS)
        if loose > FRAGMENT_SHARE * len(words):
            return f"words in fragments: {loose * 100 // len(words)}% of them are single letters"
    latin = [ch for ch in printed if ch.isalpha() and ord(ch) < 0x250]
    if len(latin) >= _LATIN_TO_JUDGE and len(latin) * 2 > sum(ch.isalpha() for ch in printed):
        vowels = sum(1 for ch in latin if ch in _VOWELS)
        low, high = VOWEL_SHARE
        if not low <= vowels / len(latin) <= high:
            return f"the letters are not words ({vowels * 100 // len(latin)}% vowels): its fonts map to the wrong ones"
    if not _credible_title(paper.title, fallback_title) and sum(len(t) for t in [paper.abstract, *body]) < BODY_CHARS:
        return "no title and no body text found"
    return None


def _is_junk(ch: str) -> bool:
    if ch == "\ufffd":
        return True
    return unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")


def _credible_title(title: str, fallback: bool) -> bool:
    """A title printed on the paper: two words (or four CJK characters), no junk, not in fragments."""
    if fallback or any(_is_junk(ch) for ch in title):
        return False
    if len(CJK_LETTER_CHAR.findall(title)) >= 4:
        return True
    words = _LETTERS.findall(title)
    long_words = [w for w in words if len(w) >= 2]
    loose = [w for w in words if len(w) == 1 and w not in _ONE_LETTER_WORDS]
    return len(long_words) >= 2 and len(loose) * 3 <= len(words)
