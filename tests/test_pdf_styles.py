"""House styles the corpus does not cover, built in tmp_path: the reader must not depend on one template."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from chatpaper.pdf import read_paper

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


def test_journal_style_letter_spaced_labels_letter_markers_and_coloured_headings(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text(
        (60, 80), "Fast Reading of Research Papers with Structured Summaries", fontname="tibo", fontsize=16
    )
    x = 60.0
    for name, mark in (("Alice Smith", "a,*"), (", Bob Jones", "b")):
        page.insert_text((x, 108), name, fontname="tiro", fontsize=11)
        x += pymupdf.Font("tiro").text_length(name, 11)
        page.insert_text((x, 104), mark, fontname="tiro", fontsize=7)
        x += pymupdf.Font("tiro").text_length(mark, 7) + 2
    page.insert_text((60, 126), "a", fontname="tiit", fontsize=6)
    page.insert_text(
        (64, 129), "Department of Informatics, Harbour University, Oslo, Norway", fontname="tiit", fontsize=8
    )
    page.insert_text((60, 139), "b", fontname="tiit", fontsize=6)
    page.insert_text((64, 142), "Lakeside Research Lab, Geneva, Switzerland", fontname="tiit", fontsize=8)
    page.insert_text((60, 175), "A B S T R A C T", fontname="tibo", fontsize=9)
    y = write_block(page, 192, PROSE * 3, size=9)
    page.insert_text((60, y + 4), "Keywords: summarisation; scholarly documents; reading", fontname="tiro", fontsize=9)
    y += 34
    blue = (0.1, 0.2, 0.7)
    for number, title in enumerate(("Introduction", "Related work", "Method", "Results", "Conclusions"), 1):
        if y > 700:
            page = doc.new_page(width=595, height=842)
            y = 80
        # headings at body size and weight, set apart only by colour
        page.insert_text((60, y), f"{number}. {title}", fontname="tiro", fontsize=10, color=blue)
        y = write_block(page, y + 16, PROSE * 4)
    path = tmp_path / "journal.pdf"
    doc.save(path)
    doc.close()

    paper = read_paper(path)
    assert paper.title == "Fast Reading of Research Papers with Structured Summaries"
    assert paper.authors == ["Alice Smith", "Bob Jones"]
    assert paper.first_author_affiliation == "Department of Informatics, Harbour University, Oslo, Norway"
    assert paper.abstract.startswith("Reading research papers takes time")
    assert paper.keywords == ["summarisation", "scholarly documents", "reading"]
    assert [s.heading for s in paper.sections] == [
        "1. Introduction",
        "2. Related work",
        "3. Method",
        "4. Results",
        "5. Conclusions",
    ]
    assert [s.role for s in paper.sections] == ["introduction", "related_work", "method", "results", "conclusion"]


def test_names_with_addresses_on_the_same_line_and_sans_headings(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), "Structured Reading for Everyone", fontname="hebo", fontsize=18)
    page.insert_text(
        (72, 118), "Carla Mendes (carla@uni.example), Tariq Aziz (tariq@lab.example)", fontname="tiro", fontsize=10
    )
    page.insert_text((72, 150), "Abstract", fontname="tibo", fontsize=10)
    y = write_block(page, 166, PROSE * 2, x=72, width=468)
    for number, title in enumerate(("Introduction", "Approach", "Evaluation"), 1):
        # headings in a sans font at the body's size, not bold
        page.insert_text((72, y + 10), f"{number} {title}", fontname="helv", fontsize=10)
        y = write_block(page, y + 26, PROSE * 3, x=72, width=468)
    path = tmp_path / "sans.pdf"
    doc.save(path)
    doc.close()

    paper = read_paper(path)
    assert paper.authors == ["Carla Mendes", "Tariq Aziz"]
    assert [s.heading for s in paper.sections] == ["1 Introduction", "2 Approach", "3 Evaluation"]
    assert [s.role for s in paper.sections] == ["introduction", "method", "experiments"]


def test_letter_without_headings_is_one_unnamed_section(tmp_path: Path) -> None:
    """Short letters print no section headings: the body must still reach the summarizer."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), "A Brief Note on Reading Speed", fontname="tibo", fontsize=16)
    page.insert_text((72, 114), "Dana Whitfield", fontname="tiro", fontsize=11)
    page.insert_text((72, 128), "Institute of Reading Science, Leeds, UK", fontname="tiit", fontsize=9)
    y = write_block(page, 160, "We report a small study of how fast people read papers. " * 4, x=90, width=430, size=9)
    write_block(page, y + 10, PROSE * 6, x=72, width=468)
    path = tmp_path / "letter.pdf"
    doc.save(path)
    doc.close()

    paper = read_paper(path)
    assert paper.abstract.startswith("We report a small study")
    assert len(paper.sections) == 1 and paper.sections[0].heading == ""
    assert paper.sections[0].text.startswith("Reading research papers takes time")
