"""The language a paper is written in, from the scripts of its text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatpaper.pdf.layout import Line
from chatpaper.scripts import HAN_CHAR

_LATIN = re.compile(r"[A-Za-z]")


def detect_language(lines: Sequence[Line]) -> str:
    """ "zh" when Chinese characters make up a real share of the text, else "en"."""
    sample = "".join(ln.text for ln in lines[: min(len(lines), 600)])
    cjk = len(HAN_CHAR.findall(sample))
    latin = len(_LATIN.findall(sample))
    return "zh" if cjk and cjk * 4 >= latin * 0.5 else "en"
