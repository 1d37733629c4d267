"""Pages set in dvips bitmap fonts are read from their glyphs: words, lines, sizes and the characters the
fonts' encodings lose (chatpaper/pdf/glyphs.py and the reader's glyph path)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chatpaper.pdf import read_paper
from chatpaper.pdf.glyphs import FontSizes, Frame, Run, build_lines, font_repair, main_direction
from tests.fakes.dvips_pdf import TextLine, write_dvips_pdf

BODY = (
    "Bitmap fonts were the usual way to print mathematics before outline fonts were free, and many "
    "archives still hold papers set in them. Their text layer breaks words at every kern. "
)


def dvips_paper() -> list[TextLine]:
    lines = [
        TextLine(150, 100, "A Unified Theory of Bitmap Fonts", "title"),
        TextLine(200, 130, "Debra Hirschberg and Daniel Lelewer"),
        TextLine(72, 180, "Abstract", "head"),
    ]
    y = 200.0
    for heading in ("", "1 Introduction", "2 Efficient Methods", "3 Conclusions"):
        if heading:
            lines.append(TextLine(72, y + 10, heading, "head"))
            y += 30
        for text in textwrap.wrap(BODY * 2, 80):
            lines.append(TextLine(72, y, text))
            y += 13
    return lines


@pytest.mark.parametrize("naming", ["codes", "chars"])
@pytest.mark.parametrize("sideways", [False, True], ids=["upright", "sideways-sheet"])
def test_a_dvips_bitmap_font_paper_reads_like_any_other(tmp_path: Path, naming: str, sideways: bool) -> None:
    pdf = write_dvips_pdf(tmp_path / "dvips.pdf", [dvips_paper()], naming=naming, sideways=sideways)
    paper = read_paper(pdf)
    assert paper.title == "A Unified Theory of Bitmap Fonts"  # the 'fi' ligature at its TeX code
    assert paper.authors == ["Debra Hirschberg", "Daniel Lelewer"]  # 'Hirsc' + 'hberg' around a kern
    assert paper.abstract.startswith("Bitmap fonts were the usual way to print mathematics before outline fonts")
    assert [s.heading for s in paper.sections] == ["1 Introduction", "2 Efficient Methods", "3 Conclusions"]
    assert "Their text layer breaks words at every kern." in " ".join(paper.sections[0].text.split())


# --- the pure parts ---------------------------------------------------------------------------------


def run(text: str, x0: float, x1: float, base: float = 100.0, size: float = 10.0, font: str = "T2") -> Run:
    return Run(text, font, 0, 0, size, x0, x1, base, 0)


def texts(runs: list[Run]) -> list[str]:
    return ["".join(s["text"] for s in raw["spans"]) for _, raw in build_lines(runs)]


def test_words_from_gaps_between_runs_kerns_join_and_gutters_split() -> None:
    runs = [
        run("Lelew", 10, 40),
        run("er", 39.8, 50),  # a kern: -0.02 em
        run("and", 53.5, 70),  # a word space: 0.35 em
        run("Right", 300, 330),  # across a column gutter
        run("column", 333.4, 370),
    ]
    assert texts(runs) == ["Lelewer and", "Right column"]


def test_rows_by_baseline_a_raised_mark_is_its_own_row_a_subscript_is_not() -> None:
    runs = [run("x", 10, 15), run("i", 15, 18, base=101.5, size=7), run("1", 18, 21, base=96, size=7)]
    assert texts(runs) == ["1", "xi"]


def test_sizes_from_ink_heights_x_height_first() -> None:
    sizes = FontSizes()
    assert sizes.size("T2") is None
    sizes.add("T2", "Data", 8.3)  # a capital: 0.69 em of 12 pt
    assert sizes.size("T2") == 12.0
    for word in ("some", "are", "new"):
        sizes.add("T2", word, 5.28)  # x-height letters only: 0.44 em of 12 pt
    assert sizes.size("T2") == 12.0
    sizes.add("T2", "...", 1.0)  # no letters: tells nothing
    assert sizes.size("T2") == 12.0


def test_repairs_for_fonts_naming_glyphs_by_code() -> None:
    repair = font_repair({0: "68", 1: "11", 2: "12", 3: "0", 4: "101"}, {}, {})
    assert repair.chars == {"\x0b": "ff", "\x0c": "fi", "\x00": "Γ"}


def test_repairs_for_fonts_naming_glyphs_by_character() -> None:
    names = {12: "\x0c", 49: "1", 57: "9", 48: "0", 65: "A", 97: "a"}
    repair = font_repair(names, {65: "A", 97: "a"}, {})
    assert repair.chars == {"\x0c": "fi", "\x01": "1", "\t": "9"}


def test_repairs_for_a_ghostscript_map_sending_letters_to_control_characters() -> None:
    one = font_repair({}, {0x63: "\r", 0x0E: "Æ", 0x5D: "℄"}, {})
    assert one.blanks == {0x63: "c"} and one.blank(4.4, None) == "c"
    assert one.chars == {"Æ": "ffi", "℄": "]"}
    two = font_repair({}, {0x63: "\r", 0x40: "\b"}, {0x63: 44.4, 0x40: 77.8, 0x65: 44.4})
    assert two.blank(4.44, 0.1) == "c" and two.blank(7.78, 0.1) == "@"
    assert two.blank(4.44, None) is None  # no other glyph to scale by: left as printed
    # a symbol font may mean its symbols: without a broken map they stay
    assert font_repair({}, {0x5D: "℄"}, {}).chars == {}


def test_main_direction_and_the_sideways_frame() -> None:
    assert main_direction({(1.0, 0.0): 10, (0.0, -1.0): 900}) == (0.0, -1.0)
    assert main_direction({(1.0, 0.0): 500, (0.0, 1.0): 500}) == (1.0, 0.0)
    frame = Frame.along((0.0, -1.0), 792.0, 612.0)  # text running up a landscape sheet
    assert (frame.width, frame.height) == (612.0, 792.0)
    assert frame.point(100.0, 500.0) == (112.0, 100.0)  # 500 up from the bottom edge, 100 from the left
