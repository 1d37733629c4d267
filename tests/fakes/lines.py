"""Reader lines built by hand, for the pure parts of the reader (layout, headings, links, language)."""

from __future__ import annotations

from chatpaper.pdf.lines import Line


def line(text: str, x0: float, y0: float, x1: float, *, size: float = 10.0, page: int = 1, bold: bool = False) -> Line:
    """One line of text as the reader gives it: Times, body size unless told, its own block."""
    return Line(
        page=page,
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y0 + size,
        text=text,
        size=size,
        font="Times-Bold" if bold else "Times-Roman",
        bold=bold,
        italic=False,
        mono=False,
        block=int(y0 * 1000 + x0),  # one block per line, as MuPDF gives for separate paragraphs
    )
