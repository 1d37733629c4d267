"""Word gaps come from where the glyphs are printed, whatever the text layer's spaces say."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from chatpaper.pdf import read_paper

TIMES = pymupdf.Font("tiro")


def draw_words(ops: list[str], x: float, y: float, text: str, size: float, *, mid_word: int = 0) -> None:
    """Every word its own text object after a space glyph of a 0.0002-pt, upside-down font at the word's
    start, as Elsevier's 2017 PDFs draw them; `mid_word` puts one more such space inside the word that many
    letters in (after an accent) without moving the pen."""
    for k, word in enumerate(text.split()):
        if k:
            ops.append(f"BT /F1 1 Tf .0002 0 0 -.0002 {x:.2f} {y:.2f} Tm ( ) Tj ET")
            x += 0.25 * size
        if mid_word and len(word) > mid_word:
            head, tail = word[:mid_word], word[mid_word:]
            ops.append(f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td ({head}) Tj ET")
            x += TIMES.text_length(head, size)
            ops.append(f"BT /F1 1 Tf .0002 0 0 -.0002 {x:.2f} {y:.2f} Tm ( ) Tj ET")
            word = tail
        ops.append(f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td ({word}) Tj ET")
        x += TIMES.text_length(word, size)


def test_zero_size_spaces_before_words_are_word_gaps_and_inside_words_are_not(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    ops: list[str] = []
    draw_words(ops, 60, 760, "A comparative analysis of Chikungunya and Zika transmission", 16)
    draw_words(ops, 60, 700, "1. Introduction", 12)
    y = 680.0
    for _ in range(12):
        draw_words(ops, 60, y, "The recent global dissemination of these diseases fostered public concern", 10)
        y -= 13
    draw_words(ops, 60, y - 20, "2. Methods", 12)
    y -= 40
    for _ in range(12):
        draw_words(ops, 60, y, "Epidemics in French Polynesia were reported by surveillance systems", 10, mid_word=5)
        y -= 13
    contents = doc.get_new_xref()
    doc.update_object(contents, "<<>>")
    doc.update_stream(contents, "\n".join(ops).encode(), new=True)
    doc.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
    times = "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>"
    doc.xref_set_key(page.xref, "Resources", f"<< /Font << /F1 {times} >> >>")
    path = tmp_path / "spaces.pdf"
    doc.save(path)
    paper = read_paper(path)
    assert paper.title == "A comparative analysis of Chikungunya and Zika transmission"
    assert [s.heading for s in paper.sections] == ["1. Introduction", "2. Methods"]
    assert paper.sections[0].text.startswith("The recent global dissemination of these diseases fostered public")
    # a space glyph drawn where the pen does not move joins nothing apart
    assert paper.sections[1].text.startswith("Epidemics in French Polynesia were reported by surveillance systems")
