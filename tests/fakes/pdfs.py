"""PDF pages built with PyMuPDF in a test: paragraphs of plain prose in the house styles a test needs."""

from __future__ import annotations

import pymupdf

PROSE = (
    "Reading research papers takes time, and most readers only need the problem, the method and the main "
    "result. Earlier tools summarised abstracts only, which misses the evidence behind the claims. "
)


def write_block(
    page: pymupdf.Page,
    y: float,
    text: str,
    *,
    x: float = 60,
    width: float = 480,
    size: float = 10,
    font: str = "tiro",
) -> float:
    """Left-aligned paragraph in `font` (a Base-14 face, or a CJK one measured as "cjk"); returns the y below it."""
    measure = pymupdf.Font(font) if font in ("tiro", "tibo", "tiit", "helv", "hebo") else pymupdf.Font("cjk")
    words, line = text.split(), ""
    for word in words:
        trial = f"{line} {word}".strip()
        if measure.text_length(trial, size) > width:
            page.insert_text((x, y), line, fontname=font, fontsize=size)
            y += size * 1.3
            line = word
        else:
            line = trial
    if line:
        page.insert_text((x, y), line, fontname=font, fontsize=size)
        y += size * 1.3
    return y + 4


def japanese_heads_page(doc: pymupdf.Document, heads: list[tuple[str, str]]) -> None:
    """A Japanese paper's page as theses set it: an 18-pt title, then each head's label ("1", "付録A") in a box
    of its own beside its 14-pt title, each followed by a paragraph."""
    page = doc.new_page(width=595, height=842)
    page.insert_text((88, 80), "庭のハチを数える", fontname="japan", fontsize=18)
    y = 130.0
    for label, title in heads:
        numeral = label.isdigit()
        page.insert_text((88, y + 4), label, fontname="tibo" if numeral else "japan", fontsize=14)
        page.insert_text((113 if numeral else 88 + 14 * len(label) + 12, y), title, fontname="japan", fontsize=14)
        y = write_block(page, y + 24, PROSE * 2)
