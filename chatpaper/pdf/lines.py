"""The reader's units: spans, printed lines, links and pages, as the layout, section and front-matter modules
share them.

Plain data (no PDF library): `reader` and `glyphs` build them from PyMuPDF, `ocr` from page images; every pure
module downstream reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Span:
    """A run of text in one font, as printed."""

    text: str
    size: float
    font: str
    bold: bool
    italic: bool
    superscript: bool
    x0: float
    x1: float
    y0: float
    y1: float


@dataclass(slots=True)
class Line:
    """One printed line (or line fragment) with its dominant style."""

    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float
    font: str
    bold: bool
    italic: bool
    mono: bool
    block: int
    # kept on the first pages only: the front matter needs markers and gaps; elsewhere the line style is enough
    spans: list[Span] | None = None
    col: int = 0  # 0: full width or single column; 1, 2, (3): the columns left to right
    upper: bool = False  # all cased letters are capitals (ALL CAPS or small caps)
    gap_above: float = 0.0  # whitespace to the previous line of the same column (large at a column top)
    tabular: bool = False  # one cell of a row of several short cells (a table), not running text
    styled_head: bool = False  # starts in bold or italic ...
    bold_head: bool = False  # starts in bold (a caption label "Table 1" before plain text)
    plain_tail: bool = False  # ... and ends in plain text: a run-in paragraph heading ("Datasets. We use")
    cells: int = 1  # pieces separated by wide gaps (table cells) merged into this line
    cell_starts: tuple[int, ...] = ()  # where in `text` each of those pieces after the first begins
    gap_min: float = 0.0  # narrowest and widest of those gaps: a justified line spreads its words evenly
    gap_max: float = 0.0
    colored: bool = False  # set in a colour other than black or grey

    @property
    def runin(self) -> bool:
        return self.styled_head and self.plain_tail

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(slots=True)
class Link:
    """A URI link annotation and where it sits on its page."""

    uri: str
    page: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(slots=True)
class Page:
    """One page's text lines (reading order once arranged) and links."""

    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]
    links: list[Link] = field(default_factory=list)
    columns: int = 1
    image_cover: float = 0.0  # share of the page under images, measured only on (nearly) textless pages
    source: str = "text"  # where its lines come from: "text" (the text layer), "glyphs" (rebuilt), "ocr"
