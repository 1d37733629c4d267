"""Tables as data: the rows the layout marks as table cells, read back as caption, header and rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatpaper.pdf import read_paper
from chatpaper.pdf.lines import Line
from chatpaper.pdf.tables import find_tables


def line(text: str, x0: float, y0: float, *, page: int = 1, col: int = 0, tabular: bool = True, cells=()) -> Line:
    width = 5.0 * len(text)
    return Line(page, x0, y0, x0 + width, y0 + 9, text, 9.0, "Times", False, False, False, 0, col=col,
                tabular=tabular, cell_starts=tuple(cells))  # fmt: skip


def grid(rows: list[list[str]], *, top: float = 100, left: float = 60, col: int = 0, page: int = 1) -> list[Line]:
    """One Line per cell, as PyMuPDF gives cells apart by wide gaps."""
    out = []
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            out.append(line(text, left + 70 * c, top + 12 * r, page=page, col=col))
    return out


RESULTS = [["Model", "BLEU", "F1"], ["Baseline", "31.2", "80.1"], ["Ours", "35.7", "84.9"]]


def test_rows_of_cells_with_their_caption_below_and_the_header_row() -> None:
    lines = [line("Some prose before the table.", 60, 60, tabular=False), *grid(RESULTS)]
    lines.append(line("Table 2: Results on the test set.", 60, 140, tabular=False))
    (table,) = find_tables(lines, [(0, "4 Experiments")], [((len(lines) - 1, len(lines)), lines[-1].text)])
    assert table.label == "Table 2" and table.caption == "Table 2: Results on the test set."
    assert table.header == ["Model", "BLEU", "F1"]
    assert table.rows == [["Baseline", "31.2", "80.1"], ["Ours", "35.7", "84.9"]]
    assert (table.page, table.section) == (1, "4 Experiments")
    assert table.as_text() == (
        "Table 2: Results on the test set.\nModel | BLEU | F1\nBaseline | 31.2 | 80.1\nOurs | 35.7 | 84.9"
    )


def test_cells_merged_into_one_line_are_split_where_the_wide_gaps_were() -> None:
    merged = line("GPT2 Medium GPT2 Large", 60, 100, cells=[12])  # two cells, each of two words
    rows = [merged, line("Fine Tuning", 60, 112), line("354,823,168 774,030,080", 200, 112, cells=[12])]
    rows += [line("LoRA", 60, 124), line("786,432 1,474,560", 200, 124, cells=[8])]
    (table,) = find_tables(rows, [], [])
    assert table.header == ["GPT2 Medium", "GPT2 Large"]
    assert table.rows == [["Fine Tuning", "354,823,168", "774,030,080"], ["LoRA", "786,432", "1,474,560"]]


def test_a_caption_above_the_table_counts_and_each_caption_is_used_once() -> None:
    caption = line("Table 1: Dataset sizes.", 60, 80, tabular=False)
    first = grid([["Set", "Train", "Test"], ["A", "10", "2"], ["B", "20", "4"]], top=100)
    far = grid([["Set", "Train", "Test"], ["C", "30", "6"], ["D", "40", "8"]], top=400)
    lines = [caption, *first, line("Prose between the two tables, long enough.", 60, 200, tabular=False), *far]
    one, two = find_tables(lines, [], [((0, 1), caption.text)])
    assert one.caption == "Table 1: Dataset sizes." and two.caption == ""  # too far from the caption


def test_a_table_across_both_columns_is_put_back_together_row_by_row() -> None:
    left = grid([["Copy", "100.0", "0.00"], ["LoRA", "92.9", "40.9"], ["Ours", "87.9", "50.3"]], col=1, left=60)
    right = grid([["14.98", "100.0"], ["37.89", "92.03"], ["42.40", "90.04"]], col=2, left=320)
    (table,) = find_tables([*left, *right], [], [])
    assert table.rows[0] == ["Copy", "100.0", "0.00", "14.98", "100.0"]
    assert table.rows[2] == ["Ours", "87.9", "50.3", "42.40", "90.04"]


@pytest.mark.parametrize(
    "rows",
    [
        [["x", "=", "y + 1,"], ["G′ = 0,", "G′′ = |G|,", "(2.12)"], ["a", "=", "b"]],  # a display formula
        [["alpha", "beta"], ["gamma", "delta"], ["eta", "theta"]],  # a grid of words: a list set in columns
        [["12", "15"], ["20", "25"]],  # two rows of axis ticks
    ],
)
def test_grids_without_a_caption_that_are_no_tables_are_left_out(rows: list[list[str]]) -> None:
    assert find_tables(grid(rows), [], []) == []


# --- real papers ------------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_a_results_table_of_a_corpus_paper_as_text(corpus_dir: Path) -> None:
    paper = read_paper(corpus_dir / "pdfs" / "2202.00535v1.pdf")
    tables = {t.label: t for t in paper.tables}
    assert set(tables) >= {"Table 2", "Table 3", "Table 4", "Table 5", "Table 6", "Table 7", "Table 8"}
    prior = tables["Table 6"]
    assert prior.as_text().splitlines()[1:] == [
        "Method | Self-BLEU | BLEU | iBLEU",
        "DiPS | 32.45 | 18.47 | 3.19",
        "SOW/REAP | 24.19 | 12.64 | 1.59",
        "LBoW | 29.00 | 16.17 | 2.62",
        "SEPARATOR | 14.84 | 14.70 | 5.84",
        "RAPT | 31.78 | 34.09 | 14.33",
        "NC-RAPT (High) | 19.55 | 29.88 | 15.05",
    ]
    assert prior.caption.startswith("Table 6: Comparison with prior work on QQP 140K.")
    assert (prior.page, prior.section) == (6, "Experimental Results")
    # the page-wide Table 4, cut in two by the column finder, comes back whole: 13 cells a row
    wide = tables["Table 4"]
    assert ["RAPT", "87.88", "50.27", "31.78", "34.09", "14.33", "42.40", "90.04", "44.99", "38.39", "31.61", "10.61",
            "43.91"] in wide.rows  # fmt: skip
    # the table rows stay out of the running text (the layout keeps them apart)
    assert not any("32.45 | 18.47" in s.text or "32.45 18.47 3.19" in s.text for s in paper.sections)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("pdf", "label", "row"),
    [
        ("2020.acl-main.447.pdf", "Table 6", ["Bib. linking (GROBID)", "1.00", "0.96"]),
        (
            "olmocr2.pdf",
            "Table 3",
            ["Marker 1.10.1", "83.8", "66.8", "72.9", "33.5", "86.6", "80.0", "85.7", "99.3", "76.1 ± 1.1"],
        ),
    ],
)
def test_results_tables_of_other_layouts(corpus_dir: Path, pdf: str, label: str, row: list[str]) -> None:
    tables = {t.label: t for t in read_paper(corpus_dir / "pdfs" / pdf).tables}
    assert row in tables[label].rows
