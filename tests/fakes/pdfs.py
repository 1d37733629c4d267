"""PDF pages built with PyMuPDF in a test: paragraphs of plain prose in the house styles a test needs."""

from __future__ import annotations

import pymupdf

PROSE = (
    "Reading research papers takes time, and most readers only need the problem, the method and the main "
    "result. Earlier tools summarised abstracts only, which misses the evidence behind the claims. "
)


def write_block(
    page: pymupdf.Page, y: float, text: str, *, x: float = 60, width: float = 480, size: float = 10
) -> float:
    """Left-aligned paragraph; returns the y below it."""
    font = pymupdf.Font("tiro")
    words, line = text.split(), ""
    for word in words:
        trial = f"{line} {word}".strip()
        if font.text_length(trial, size) > width:
            page.insert_text((x, y), line, fontname="tiro", fontsize=size)
            y += size * 1.3
            line = word
        else:
            line = trial
    if line:
        page.insert_text((x, y), line, fontname="tiro", fontsize=size)
        y += size * 1.3
    return y + 4
