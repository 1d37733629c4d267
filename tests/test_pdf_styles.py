"""House styles the corpus does not cover, built in tmp_path: the reader must not depend on one template."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from chatpaper.pdf import read_paper
from tests.fakes.pdfs import PROSE, write_block


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


def _story_pdf(path: Path, head: str, body: str, columns: int) -> None:
    """Lay out HTML with PyMuPDF's Story engine: another typesetter than the examples' own."""
    writer = pymupdf.DocumentWriter(str(path))
    page_box = pymupdf.paper_rect("letter")
    header, text = pymupdf.Story(html=head), pymupdf.Story(html=body)
    first, more = True, True
    while more:
        device = writer.begin_page(page_box)
        top = 60.0
        if first:
            _, filled = header.place(pymupdf.Rect(60, 50, 552, 220))
            header.draw(device)
            top, first = filled[3] + 15, False
        boxes = [(60, 552)] if columns == 1 else [(60, 296), (316, 552)]
        for x0, x1 in boxes:
            more, _ = text.place(pymupdf.Rect(x0, top, x1, 740))
            text.draw(device)
            if not more:
                break
        writer.end_page()
    writer.close()


def test_html_typeset_two_column_paper_with_unnumbered_headings(tmp_path: Path) -> None:
    head = (
        '<h1 style="font-size:18px;text-align:center">Sparse Attention for Genomic Sequences</h1>'
        '<p style="text-align:center;font-size:11px">Lena Fischer, Omar Haddad and Sofia Lindgren</p>'
        '<p style="text-align:center;font-size:9px;font-style:italic">'
        "Department of Biology, University of Uppsala, Sweden</p>"
    )
    body = (
        '<p style="font-size:9px"><b>Abstract.</b> Genomic sequences are long and existing transformers cannot '
        "read them whole. We propose a sparse attention pattern aligned with known motif spacing.</p>"
        + "".join(
            f"<h3>{name}</h3><p>{sentence * 12}</p>"
            for name, sentence in (
                ("Introduction", "Regulatory elements can act over long genomic distances. "),
                ("Results", "Our model reached an AUC of 0.91, compared with 0.87 for the baseline. "),
                ("Discussion", "Sparse attention aligned with biology makes long contexts affordable. "),
                ("Methods", "We trained on 1.2 million sequences of 32 kilobases each. "),
            )
        )
        + "<h3>References</h3><p>1. Vaswani, A. et al. Attention is all you need. NeurIPS (2017).</p>"
    )
    path = tmp_path / "nature-like.pdf"
    _story_pdf(path, head, body, columns=2)
    paper = read_paper(path)
    assert paper.title == "Sparse Attention for Genomic Sequences"
    assert paper.authors == ["Lena Fischer", "Omar Haddad", "Sofia Lindgren"]
    assert paper.first_author_affiliation == "Department of Biology, University of Uppsala, Sweden"
    assert paper.abstract.startswith("Genomic sequences are long")
    assert [(s.heading, s.role) for s in paper.sections] == [
        ("Introduction", "introduction"),
        ("Results", "results"),
        ("Discussion", "discussion"),
        ("Methods", "method"),
        ("References", "references"),
    ]


def test_captions_without_punctuation_after_the_number_are_kept_apart(tmp_path: Path) -> None:
    """ "Table 1 Comparison ..." with a bold label, or in small print, is a caption; "Table 1 shows ..." in the
    body font is a sentence of the text."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Fast Reading of Research Papers", fontname="tibo", fontsize=16)
    page.insert_text((60, 104), "Alice Smith", fontname="tiro", fontsize=11)
    page.insert_text((60, 140), "Abstract", fontname="tibo", fontsize=10)
    y = write_block(page, 156, PROSE * 2)
    page.insert_text((60, y + 10), "1 Introduction", fontname="tibo", fontsize=12)
    y = write_block(page, y + 28, PROSE * 2)
    label = "Table 1"
    page.insert_text((60, y + 8), label, fontname="tibo", fontsize=10)
    rest = " Comparison of three readers on the test papers"
    page.insert_text((60 + pymupdf.Font("tibo").text_length(label, 10), y + 8), rest, fontname="tiro", fontsize=10)
    y = write_block(page, y + 28, "Table 1 shows that the fast reader wins on every paper we tried. " + PROSE)
    y = write_block(page, y + 8, "Figure 2 Overview of the reading pipeline from the PDF to the summary", size=8)
    y = write_block(page, y + 8, PROSE * 2)
    page.insert_text((60, y + 10), "2 Method", fontname="tibo", fontsize=12)
    write_block(page, y + 28, PROSE * 2)
    path = tmp_path / "captions.pdf"
    doc.save(path)
    doc.close()

    paper = read_paper(path)
    assert paper.captions == [
        "Table 1 Comparison of three readers on the test papers",
        "Figure 2 Overview of the reading pipeline from the PDF to the summary",
    ]
    intro = paper.sections[0].text
    assert "Table 1 shows that the fast reader wins" in intro
    assert "Comparison of three readers" not in intro and "Overview of the reading pipeline" not in intro


def write_justified(page: pymupdf.Page, y: float, text: str, *, x: float = 60, width: float = 480) -> float:
    """A paragraph set flush on both sides, each word placed on its own: its word gaps are as wide as
    MuPDF makes separate pieces of (as in AAAI's two-column papers)."""
    font, size = pymupdf.Font("tiro"), 10
    rows: list[list[str]] = [[]]
    for word in text.split():
        if rows[-1] and font.text_length(" ".join([*rows[-1], word]), size) + 9 * len(rows[-1]) > width:
            rows.append([])
        rows[-1].append(word)
    for k, words in enumerate(rows):
        last = k == len(rows) - 1
        gap = 2.5 if last else (width - sum(font.text_length(w, size) for w in words)) / (len(words) - 1)
        at = x
        for word in words:
            page.insert_text((at, y), word, fontname="tiro", fontsize=size)
            at += font.text_length(word, size) + gap
        y += size * 1.3
    return y + 4


def test_justified_prose_with_wide_word_gaps_is_text_and_a_table_beside_it_is_not(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Fast Reading of Research Papers", fontname="tibo", fontsize=16)
    page.insert_text((60, 104), "Alice Smith", fontname="tiro", fontsize=11)
    page.insert_text((60, 140), "1 Introduction", fontname="tibo", fontsize=12)
    hurry = (
        "the quick way to read a paper is to look at the figures and the tables first, and then at the words "
        "of the text that the authors wrote for a reader in a hurry. "
    )
    y = write_justified(page, 160, hurry * 2) + 10
    for row in (("Reader", "Pages", "Seconds"), ("Fast", "120", "2.5"), ("Slow", "120", "60.1"), ("Medium", "90", "7")):
        for k, cell in enumerate(row):
            page.insert_text((60 + k * 110, y), cell, fontname="tiro", fontsize=10)
        y += 13
    write_justified(page, y + 10, PROSE * 2)
    path = tmp_path / "justified.pdf"
    doc.save(path)
    doc.close()

    text = " ".join(read_paper(path).sections[0].text.split())
    assert text.startswith(" ".join(hurry.split() * 2))
    assert text.endswith(" ".join(PROSE.split() * 2))
    assert "Seconds" not in text and "60.1" not in text  # the table stays out of the text
