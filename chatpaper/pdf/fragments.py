"""Pieces of one printed line merged into one `Line`: a section number and its words, justified words, a
change of style inside a line, table cells side by side.

Pure module: `layout` calls `merge_fragments` once per page, after the columns are assigned.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from chatpaper.pdf.lines import Line

# A gap between two pieces of one printed line is a word break from this share of the type size on (a
# word space is a quarter to a third of an em; kerns and the gaps inside a word stay under a tenth).
WORD_GAP_EM = 0.15

_NUMBER_TOKEN = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.?|[A-Z]\.|§\s*\d+)$")


# How far a row looks for its next piece: a gap up to this many font sizes after a number ("1" + "Introduction",
# set apart by a quad), and up to this many between other pieces (justified words, a style change).
_GAP_AFTER_NUMBER = 3.0
_GAP_BETWEEN_PIECES = 1.6
# A row gives up looking for more pieces after this many that did not join it (pieces it had to test, and bands
# of later rows it had to look through). Real pages stay far below it: the most on the corpus is 65, on a
# Type-3 page whose glyph boxes are 240 pt tall, so every row reaches into the rows under it. Without a cap, a
# page crafted so that thousands of pieces sit in one another's reach would cost every piece a test of every
# other (minutes for a few kilobytes of PDF).
_ROW_LOOKS = 1000


@dataclass(slots=True)
class _Band:
    """The pieces of one column whose bottoms round to the same y, left to right: `start`..`end` of the sorted
    pieces, their left edges, the largest font size among them and the range of their tops."""

    col: int
    start: int
    end: int
    x0s: list[float]
    size: float
    top_min: float
    top_max: float


def _bands(lines: list[Line]) -> tuple[list[_Band], list[int]]:
    """`lines` (sorted by column, rounded bottom, left edge) cut into bands, and each line's band."""
    bands: list[_Band] = []
    band_of = [0] * len(lines)
    start = 0
    for k in range(1, len(lines) + 1):
        if k < len(lines) and lines[k].col == lines[start].col and round(lines[k].y1) == round(lines[start].y1):
            continue
        members = lines[start:k]
        tops = [ln.y0 for ln in members]
        size = max(ln.size for ln in members)
        bands.append(_Band(members[0].col, start, k, [ln.x0 for ln in members], size, min(tops), max(tops)))
        band_of[start:k] = [len(bands) - 1] * (k - start)
        start = k
    return bands, band_of


def merge_fragments(lines: list[Line]) -> list[Line]:
    """Merge pieces of one printed line ("1" + "Introduction", justified words) into a single line.

    Left to right from the first piece not yet taken (by column, bottom, left edge), a row takes the next piece on
    the same row whose left edge is close after its right edge, until a piece starts below the row. Candidates are
    found by their left edges (bisected per band), so a row never tests pieces it cannot reach: near-linear even
    when text is drawn over itself thousands of times.
    """
    if not lines:
        return lines
    lines = sorted(lines, key=lambda ln: (ln.col, round(ln.y1), ln.x0))
    n = len(lines)
    bands, band_of = _bands(lines)
    free = list(range(n + 1))  # free[k] leads to the first piece at or after k not yet taken

    def next_free(k: int) -> int:
        root = k
        while free[root] != root:
            root = free[root]
        while free[k] != root:  # path compression: later look-ups skip taken pieces at once
            free[k], k = root, free[k]
        return root

    out: list[Line] = []
    for i, ln in enumerate(lines):
        if free[i] != i:
            continue  # taken by an earlier row
        free[i] = i + 1
        row = [ln]
        last = ln
        below = ln.y1 + 2
        looks = 0
        b, k = band_of[i], i + 1
        while b < len(bands) and looks < _ROW_LOOKS:
            band = bands[b]
            if band.col != ln.col:
                break
            k = next_free(max(k, band.start))
            if k >= band.end:
                b += 1
                continue  # every piece of this band is taken
            if band.top_min > below:
                break  # its first free piece starts below the row
            stop = band.end
            if band.top_max > below:  # the row ends at the first free piece that starts below it
                stop = k
                while stop < band.end and lines[stop].y0 <= below:
                    stop = next_free(stop + 1)
                    looks += 1
                stop = min(stop, band.end)
            while k < stop:
                reach = max(last.size, band.size)  # no piece of this band joins with a bigger size than this
                lo = band.start + bisect.bisect_right(band.x0s, last.x1 - reach)
                if lo > k:
                    k = next_free(lo)  # pieces left of `lo` overlap the row's end by a size or more
                    if k >= stop:
                        break
                other = lines[k]
                if other.x0 > last.x1 + _GAP_AFTER_NUMBER * reach:
                    break  # this piece and the rest of the band are too far right
                # on the same row (as layout tells rows apart, inline: this loop is the hot one)
                if min(last.y1, other.y1) - max(last.y0, other.y0) >= 0.5 * min(last.y1 - last.y0, other.y1 - other.y0):
                    gap = other.x0 - last.x1
                    size = max(last.size, other.size)
                    number = _NUMBER_TOKEN.match(last.text.strip())
                    if -size < gap <= (_GAP_AFTER_NUMBER if number else _GAP_BETWEEN_PIECES) * size:
                        row.append(other)
                        free[k] = k + 1
                        last = other
                        k = next_free(k + 1)
                        continue
                looks += 1
                if looks >= _ROW_LOOKS:
                    break
                k = next_free(k + 1)
            if stop < band.end:
                break
            b += 1
            looks += 1
        out.append(_merge_row(row) if len(row) > 1 else ln)
    return out


def _merge_row(row: list[Line]) -> Line:
    row.sort(key=lambda ln: ln.x0)
    first = row[0]
    parts = [first.text]  # joined once at the end: a row may have thousands of pieces
    spans = list(first.spans) if first.spans is not None else None
    weights: Counter[tuple[float, str, bool, bool, bool]] = Counter()
    for ln in row:
        weights[(ln.size, ln.font, ln.bold, ln.italic, ln.mono)] += max(1, len(ln.text.strip()))
    prev = first
    cells = first.cells
    wide: list[float] = []
    starts: list[int] = []
    length = len(first.text)  # of what is joined so far
    for ln in row[1:]:
        gap = ln.x0 - prev.x1
        cells += ln.cells if gap > 0.9 * ln.size else ln.cells - 1
        while parts:  # what is joined so far, right-stripped
            tail = parts[-1].rstrip()
            length -= len(parts[-1]) - len(tail)
            if tail:
                parts[-1] = tail
                break
            parts.pop()
        if gap > WORD_GAP_EM * ln.size:
            parts.append(" ")
            length += 1
        if gap > 0.9 * ln.size:
            wide.append(gap)
            starts.append(length)  # a table reads its cells back from these (chatpaper/pdf/tables.py)
        piece = ln.text.lstrip()
        parts.append(piece)
        length += len(piece)
        if spans is not None and ln.spans is not None:
            spans.extend(ln.spans)
        prev = ln
    size, font, bold, italic, mono = weights.most_common(1)[0][0]
    return Line(
        page=first.page,
        x0=min(ln.x0 for ln in row),
        y0=min(ln.y0 for ln in row),
        x1=max(ln.x1 for ln in row),
        y1=max(ln.y1 for ln in row),
        text="".join(parts),
        size=size,
        font=font,
        bold=bold,
        italic=italic,
        mono=mono,
        block=first.block,
        spans=spans,
        col=first.col,
        styled_head=first.styled_head,
        bold_head=first.bold_head,
        plain_tail=row[-1].plain_tail,
        cells=cells,
        cell_starts=tuple(starts),
        gap_min=min(wide, default=0.0),
        gap_max=max(wide, default=0.0),
        colored=first.colored,
    )
