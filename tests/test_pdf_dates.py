"""The year a paper prints in its front matter (for BibTeX)."""

from __future__ import annotations

from chatpaper.pdf.dates import find_year
from chatpaper.pdf.lines import Line


def lines(*texts: str) -> list[Line]:
    return [
        Line(page=1, x0=72, y0=100 + 12 * k, x1=500, y1=110 + 12 * k, text=t, size=10, font="T", bold=False,
             italic=False, mono=False, block=k)
        for k, t in enumerate(texts)
    ]  # fmt: skip


def test_a_dated_line_on_the_title_page_wins() -> None:
    front = lines("Deep Nets Revisited", "Ana Smith", "Building on work from 1998 and 2003")
    page = [*front, *lines("Proceedings of the 58th Annual Meeting, July 5-10, 2020", "as shown in 2021 by X")]
    assert find_year(front, page) == 2020


def test_otherwise_the_latest_year_of_the_front_matter() -> None:
    front = lines("Deep Nets for the 2016 and 2017 Harvests", "Ana Smith")
    assert find_year(front, front) == 2017
    assert find_year(lines("Deep Nets", "Ana Smith"), []) is None


def test_numbers_that_are_no_years() -> None:
    front = lines("id 2012.01234", "2000 × 1000 mm sheets", "page 1999.5", "3020", "120190")
    assert find_year(front, []) == 2000  # the only stand-alone four digits that could be a year
    assert find_year(lines("© 2019 Elsevier", "2012.00001"), lines("© 2019 Elsevier")) == 2019
