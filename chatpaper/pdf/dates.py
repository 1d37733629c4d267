"""The year a paper prints in its front matter, for citing it (BibTeX): pure, on the reader's lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from chatpaper.pdf.lines import Line

# A four-digit year on its own: not part of a longer number, an arXiv id ("2012.00001" is December
# 2020, not 2012) or a decimal.
_YEAR = re.compile(r"(?<![\d.])(19[5-9]\d|20\d\d)(?!\d|\.\d)")
# Where the front matter says when the paper appeared: a copyright, a publication, acceptance or
# conference line. The year on such a line wins over others (a cited year, a founding date).
_DATED = re.compile(
    r"©|\(c\)|copyright|published|accepted|received|available online|proceedings|conference|workshop|"
    r"symposium|journal|vol\.|volume|preprint|arxiv|©|veröffentlicht|publicado|опубликован|发表|出版|年",
    re.I,
)


def find_year(front: Sequence[Line], title_page: Sequence[Line]) -> int | None:
    """The latest plausible year on a dated line of the title page (copyright, publication, venue: often a
    footnote), else the latest year in the front matter; None when none is printed. Later years win because
    the other years there (cited work, received dates) come before the publication."""
    latest = datetime.now(UTC).year + 1
    dated: list[int] = []
    anywhere: list[int] = []
    for line in title_page:
        if _DATED.search(line.text):
            dated.extend(int(y) for y in _YEAR.findall(line.text) if int(y) <= latest)
    for line in front:
        anywhere.extend(int(y) for y in _YEAR.findall(line.text) if int(y) <= latest)
    if dated:
        return max(dated)
    return max(anywhere) if anywhere else None
