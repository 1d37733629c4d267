"""Tables as data: the rows the layout marked as table cells (`Line.tabular`), read back into rows of cells.

The layout keeps table rows out of the running text (a row of numbers read as prose is noise). Here
they come back as `Table`s: rows of cells, the caption printed with them, the page and the section
they sit in, so the LLM can be shown a paper's results tables and a number can be looked up in them.

Pure module, like `layout` and `sections`: it works on the lines the reader built.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from chatpaper.models import Table
from chatpaper.pdf.lines import Line

# A caption labels a table when it starts with one of these words and a number ("Table 3:", "Tab. 2",
# "TABLE IV", "表 1"); the caption finder in `sections` has already told captions from prose.
_TABLE_LABEL = re.compile(
    r"^(?P<label>(?:table|tab\.|tabelle|tableau|tabla|tabela|tabel|таблица|表)\s*(?:\d+|[IVXL]+|[A-Z]\.?\d+)"
    r"(?:\.\d+)?)",
    re.IGNORECASE,
)
# A cell that holds a number: "42.1", "-0.40", "1,056,768", "94.6%", "(3.2)", "±0.5", "12.3*", "0.81†".
_NUMBER_CELL = re.compile(r"^[(\[]?[-+±−–]?\d[\d.,]*%?[)\]]?[*†‡§]*$")

SKIP_ACROSS = 2  # non-table lines (a group label the layout did not mark) a table may run across
ROW_GAP = 3.0  # line heights between two rows before they are two tables
# An uncaptioned grid is a table only when it looks like one: rows of several cells, a fair share of
# them numbers, few of them pieces of an equation ("G′ = 0,", "= 1.24"): display formulas, matrices and
# a plot's legend are also set as short pieces on aligned rows.
MIN_NUMERIC = 0.25
MIN_UNCAPTIONED_ROWS = 3
MAX_EQUATION_CELLS = 0.2
_EQUATION_CELL = re.compile(r"[=∑∫√≤≥≈∈→�]|^[()\[\]{}|,;]+$")
CAPTION_GAP = 3.0  # line heights between a table's edge and its caption


@dataclass
class _Block:
    """Table lines of one page and column, in reading order, grouped into rows."""

    page: int
    col: int
    first: int  # index of its first line in the paper's lines
    rows: list[list[Line]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(ln.y0 for row in self.rows for ln in row)

    @property
    def bottom(self) -> float:
        return max(ln.y1 for row in self.rows for ln in row)

    @property
    def left(self) -> float:
        return min(ln.x0 for row in self.rows for ln in row)

    @property
    def right(self) -> float:
        return max(ln.x1 for row in self.rows for ln in row)

    @property
    def height(self) -> float:
        heights = sorted(ln.y1 - ln.y0 for row in self.rows for ln in row)
        return heights[len(heights) // 2]


def find_tables(
    lines: Sequence[Line],
    section_starts: Sequence[tuple[int, str]],
    captions: Sequence[tuple[tuple[int, int], str]],
) -> list[Table]:
    """The paper's tables, in reading order.

    `section_starts` are (heading line index, heading) of each section, `captions` ((first, end) line
    range, caption text) of each caption, both in reading order.
    """
    blocks = _merge_columns(_blocks(lines))
    table_captions = [(span, text) for span, text in captions if _TABLE_LABEL.match(text.strip())]
    used: set[int] = set()
    tables = []
    for block in blocks:
        rows = [cells for cells in (_cells(row) for row in block.rows) if cells]
        if len(rows) < 2 or sum(len(r) >= 2 for r in rows) < 2:
            continue  # one column of words is a list, not a table
        caption_index = _caption_for(block, lines, table_captions, used)
        caption = next((text for (i, _), text in table_captions if i == caption_index), "")
        if not caption and not _looks_like_a_table(rows):
            continue
        if caption_index is not None:
            used.add(caption_index)
        header, body = _split_header(rows)
        label = _TABLE_LABEL.match(caption.strip()) if caption else None
        section = next((heading for at, heading in reversed(section_starts) if at <= block.first), None)
        tables.append(
            Table(
                caption=" ".join(caption.split()),
                label=label.group("label") if label else None,
                header=header,
                rows=body,
                page=block.page,
                section=section or None,
            )
        )
    return tables


def _blocks(lines: Sequence[Line]) -> list[_Block]:
    blocks: list[_Block] = []
    last = -1  # index of the last table line taken
    for i, ln in enumerate(lines):
        if not ln.tabular:
            continue
        block = blocks[-1] if blocks else None
        prev = lines[last] if last >= 0 else None
        if (
            block is None
            or prev is None
            or (ln.page, ln.col) != (block.page, block.col)
            or i - last - 1 > SKIP_ACROSS
            or ln.y0 - prev.y1 > ROW_GAP * max(prev.y1 - prev.y0, 1.0)
        ):
            block = _Block(ln.page, ln.col, i)
            blocks.append(block)
        _add_to_row(block, ln)
        last = i
    for block in blocks:
        block.rows.sort(key=lambda row: _middle(row[0]))
        for row in block.rows:
            row.sort(key=lambda ln: ln.x0)
    return blocks


def _middle(ln: Line) -> float:
    return (ln.y0 + ln.y1) / 2


def _same_row(a: Line, b: Line) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0)


def _add_to_row(block: _Block, ln: Line) -> None:
    for row in block.rows:
        if _same_row(row[0], ln):
            row.append(ln)
            return
    block.rows.append([ln])


def _merge_columns(blocks: list[_Block]) -> list[_Block]:
    """A table printed across two columns of a page is cut in two by the column finder: its
    left and right parts share their rows' heights, so they are put back together row by row."""
    out: list[_Block] = []
    for block in blocks:
        partner = next(
            (
                b
                for b in out
                if b.page == block.page
                and b.col >= 1
                and block.col == b.col + 1
                and _aligned(b, block)
                and b.right < block.left
            ),
            None,
        )
        if partner is None:
            out.append(block)
            continue
        for row in block.rows:
            match = next((r for r in partner.rows if _same_row(r[0], row[0])), None)
            if match is not None:
                match.extend(row)
            else:
                partner.rows.append(row)
        partner.rows.sort(key=lambda row: _middle(row[0]))
    return out


def _aligned(left: _Block, right: _Block) -> bool:
    """Most rows of the smaller part sit at the height of a row of the other part."""
    small, big = sorted((left, right), key=lambda b: len(b.rows))
    matched = sum(any(_same_row(r[0], o[0]) for o in big.rows) for r in small.rows)
    return len(small.rows) >= 2 and matched >= 0.6 * len(small.rows)


def _cells(row: list[Line]) -> list[str]:
    cells: list[str] = []
    for ln in row:
        bounds = [0, *ln.cell_starts, len(ln.text)]
        cells += [ln.text[a:b].strip() for a, b in itertools.pairwise(bounds)]
    return [c for c in cells if c]


def _is_number(cell: str) -> bool:
    return bool(_NUMBER_CELL.match(cell.replace(" ", "")))


def _numeric_share(rows: list[list[str]]) -> float:
    cells = [c for row in rows for c in row]
    return sum(_is_number(c) for c in cells) / len(cells) if cells else 0.0


def _looks_like_a_table(rows: list[list[str]]) -> bool:
    cells = [c for row in rows for c in row]
    equations = sum(bool(_EQUATION_CELL.search(c)) for c in cells)
    return (
        sum(len(row) >= 2 for row in rows) >= MIN_UNCAPTIONED_ROWS
        and _numeric_share(rows) >= MIN_NUMERIC
        and equations <= MAX_EQUATION_CELLS * len(cells)
    )


def _split_header(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The header row: of the rows above the first one with a number, the one naming the most columns
    (a spanning group label above it stays a row). No such row: no header."""
    lead = 0
    while lead < len(rows) and not any(_is_number(c) for c in rows[lead]):
        lead += 1
    if lead == 0 or lead == len(rows):
        return [], rows
    best = max(range(lead), key=lambda k: (len(rows[k]), k))
    return rows[best], rows[:best] + rows[best + 1 :]


def _caption_for(
    block: _Block, lines: Sequence[Line], captions: Sequence[tuple[tuple[int, int], str]], used: set[int]
) -> int | None:
    """The first line of the table caption printed right above or below the block, on its page and over
    its width."""
    best: tuple[float, int] | None = None
    reach = CAPTION_GAP * block.height + 6
    for (start, end), _ in captions:
        if start in used:
            continue
        here = [lines[k] for k in range(start, end) if lines[k].page == block.page]
        if not here or max(ln.x1 for ln in here) < block.left or min(ln.x0 for ln in here) > block.right:
            continue
        top, bottom = min(ln.y0 for ln in here), max(ln.y1 for ln in here)
        gap = top - block.bottom if top >= block.bottom - 2 else block.top - bottom
        if -2 <= gap <= reach and (best is None or gap < best[0]):
            best = (gap, start)
    return best[1] if best else None
