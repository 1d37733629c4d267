"""The pure parts of the reader: reading order, line fragments, running heads."""

from __future__ import annotations

from chatpaper.pdf.fragments import merge_fragments
from chatpaper.pdf.layout import arrange_page, find_gutter, remove_furniture
from chatpaper.pdf.lines import Page
from tests.fakes.lines import line

# --- layout ----------------------------------------------------------------------------------------


def two_column_page() -> Page:
    rows = []
    rows.append(line("A Title That Spans Both Columns", 100, 60, 500, size=16, bold=True))
    for k in range(12):
        y = 120 + 14 * k
        rows.append(line(f"left column line {k} with enough words to fill it", 60, y, 290))
        rows.append(line(f"right column line {k} with enough words to fill it", 320, y, 550))
    rows.append(line("7", 300, 760, 306, size=9))
    return Page(number=1, width=612, height=792, lines=rows)


def test_gutter_is_found_only_on_two_column_pages() -> None:
    page = two_column_page()
    gutter = find_gutter(page.lines, page.width)
    assert gutter is not None and 290 <= gutter <= 320
    one = [line(f"a full width line {k} of running text across the page", 60, 100 + 14 * k, 550) for k in range(20)]
    assert find_gutter(one, 612) is None


def test_columns_read_left_then_right_under_a_full_width_title() -> None:
    page = arrange_page(two_column_page())
    texts = [ln.text for ln in page.lines]
    assert texts[0].startswith("A Title")
    assert texts.index("left column line 11 with enough words to fill it") < texts.index(
        "right column line 0 with enough words to fill it"
    )
    assert page.columns == 2


def test_a_magazines_three_columns_are_read_one_after_another() -> None:
    # AI Magazine and Science set three narrow columns; read as two, the second and third interleave row by row
    rows = [line("A Title That Spans The Page", 100, 60, 500, size=16, bold=True)]
    for k in range(14):
        y = 120 + 14 * k
        for name, x0 in (("first", 57), ("second", 236), ("third", 408)):
            rows.append(line(f"{name} column line {k} of its text", x0, y, x0 + 162))
    page = arrange_page(Page(number=3, width=621, height=801, lines=rows))
    texts = [ln.text for ln in page.lines]
    assert page.columns == 3
    assert texts[0].startswith("A Title")
    order = [t.split()[0] for t in texts[1:]]
    assert order == ["first"] * 14 + ["second"] * 14 + ["third"] * 14


def test_a_table_inside_one_column_does_not_make_a_third_column() -> None:
    page = two_column_page()
    # a two-column table under the right column's prose: its cells leave a gap of their own, but the prose
    # above crosses it, so the column stays one
    for k in range(14):
        page.lines.append(line(f"condition {k} of the trial", 320, 300 + 14 * k, 420))
        page.lines.append(line(f"outcome {k} as measured", 450, 300 + 14 * k, 550))
    arranged = arrange_page(page)
    assert arranged.columns == 2
    texts = [ln.text for ln in arranged.lines]
    assert texts.index("condition 0 of the trial") < texts.index("outcome 0 as measured")
    assert texts.index("outcome 0 as measured") < texts.index("condition 1 of the trial")


def test_heading_number_and_words_become_one_line() -> None:
    page = Page(
        number=1,
        width=612,
        height=792,
        lines=[line("3", 60, 100, 66, size=12, bold=True), line("Method", 78, 100, 130, size=12, bold=True)],
    )
    assert [ln.text for ln in arrange_page(page).lines] == ["3 Method"]


def test_thousands_of_word_pieces_on_one_row_become_one_line() -> None:
    # a long row cut into one piece per word, as some producers write justified text; fed in a shuffled order
    words = [f"w{k}" for k in range(3000)]
    pieces = [line(word, 6.0 * k, 100, 6.0 * k + 4.0) for k, word in enumerate(words)]
    pieces = pieces[1::2] + pieces[::2]
    [merged] = merge_fragments(pieces)
    assert merged.text == " ".join(words)
    assert (merged.x0, merged.x1) == (0.0, 6.0 * 2999 + 4.0)


def test_thousands_of_pieces_drawn_at_one_place_stay_apart() -> None:
    # different text printed over itself: each piece overlaps the last by more than a font size, so none joins
    pieces = [line(f"overprinted piece {k}", 60, 100, 160) for k in range(3000)]
    merged = merge_fragments(pieces)
    assert sorted(ln.text for ln in merged) == sorted(ln.text for ln in pieces)


def test_text_drawn_over_itself_is_read_once() -> None:
    title = [line("A Title Printed Many Times", 100, 60, 400, size=16, bold=True) for _ in range(2000)]
    body = [line(f"body line {k} of the paper with a few words in it", 60, 120 + 14 * k, 550) for k in range(10)]
    page = arrange_page(Page(number=1, width=612, height=792, lines=[*title, *body]))
    assert [ln.text for ln in page.lines] == ["A Title Printed Many Times", *(ln.text for ln in body)]


def test_running_headers_and_page_numbers_go() -> None:
    pages = []
    for number in range(1, 6):
        lines = [
            line("Journal of Examples, Vol. 3", 200, 30, 400, size=8, page=number),
            line(f"Body text on page {number} that says something useful", 60, 300, 550, page=number),
            line(str(number), 300, 750, 306, size=9, page=number),
        ]
        pages.append(Page(number=number, width=612, height=792, lines=lines))
    remove_furniture(pages)
    assert all(len(p.lines) == 1 and p.lines[0].text.startswith("Body text") for p in pages)


def test_a_section_number_at_the_top_of_a_page_is_not_a_page_number() -> None:
    pages = [
        Page(
            number=n,
            width=612,
            height=792,
            lines=[
                line("III.", 60, 40, 75, page=n, bold=True),
                line("RESULTS", 80, 40, 140, page=n, bold=True),
                line("Body text", 60, 300, 550, page=n),
            ],
        )
        for n in (1, 2)
    ]
    pages[1].lines[0].text = "IV."
    pages[1].lines[1].text = "DISCUSSION"
    remove_furniture(pages)
    assert pages[0].lines[0].text == "III."
