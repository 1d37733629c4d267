"""Page geometry to reading order: columns, fragments, tables, running headers and footers.

Pure module: it works on the `Line`s (`chatpaper.pdf.lines`) the reader builds from PyMuPDF's span
dictionaries, so it can be tested and reasoned about without a PDF library.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter

from chatpaper.pdf.fragments import merge_fragments
from chatpaper.pdf.lines import Line, Page
from chatpaper.scripts import CJK_LETTER_CHAR, HAN

# --- one page: columns, fragments, order ---------------------------------------------------------


def find_gutter(lines: list[Line], width: float) -> float | None:
    """The x of the gap between two text columns, or None for a single-column page."""
    body = [ln for ln in lines if len(ln.text) >= 2]
    if len(body) < 8:
        return None
    xs = sorted(ln.x0 for ln in body)
    xe = sorted(ln.x1 for ln in body)
    left = xs[len(xs) // 20]
    right = xe[-1 - len(xe) // 20]
    span = right - left
    if span < width * 0.3:
        return None
    lo = int(left + span * 0.2)
    hi = int(left + span * 0.8)
    if hi <= lo:
        return None
    # characters crossing each x (a difference array keeps this linear in lines + page width)
    n = int(width) + 3
    diff = [0] * (n + 1)
    for ln in body:
        a = max(0, int(ln.x0) + 2)
        b = min(n, int(ln.x1) - 1)
        if b > a:
            weight = len(ln.text)
            diff[a] += weight
            diff[b] -= weight
    crossing = list(itertools.accumulate(diff[:n]))
    best = min(crossing[lo:hi])
    # the runs of minimal crossing; the one nearest the text centre wins
    centre = (left + right) / 2
    runs: list[tuple[int, int]] = []
    minimal = [x for x in range(lo, hi) if crossing[x] == best]
    start = prev = minimal[0]
    for x in minimal[1:]:
        if x != prev + 1:
            runs.append((start, prev))
            start = x
        prev = x
    runs.append((start, prev))
    a, b = min(runs, key=lambda r: (-(r[1] - r[0]) // 6, abs((r[0] + r[1]) / 2 - centre)))
    gutter = (a + b) / 2
    left_chars = sum(len(ln.text) for ln in body if ln.x1 <= gutter + 1)
    right_chars = sum(len(ln.text) for ln in body if ln.x0 >= gutter - 1)
    total = sum(len(ln.text) for ln in body)
    left_lines = [ln for ln in body if ln.x1 <= gutter + 1 and ln.width > span * 0.25]
    right_lines = [ln for ln in body if ln.x0 >= gutter - 1 and ln.width > span * 0.25]
    # a full-width abstract may cross the gap; a short last column may hold little text
    if best > total * 0.6 or left_chars < total * 0.06 or right_chars < total * 0.06:
        return None
    if len(left_lines) < 4 or len(right_lines) < 4:
        return None
    return gutter


# A side of a two-column split is itself split again only where next to nothing crosses the gap (at most
# this share of its characters) and each part holds at least SUB_COLUMN_SHARE of them: a magazine's three
# columns (AI Magazine, Science) give two such gaps, while a table or a display equation inside one column
# never leaves its prose without lines crossing the middle.
SUB_GUTTER_CROSSING = 0.02
SUB_COLUMN_SHARE = 0.2


def find_gutters(lines: list[Line], width: float) -> list[float]:
    """The x of each gap between text columns, left to right: none for a single column, one for two, two
    for a magazine's three."""
    gutter = find_gutter(lines, width)
    if gutter is None:
        return []
    gutters = [gutter]
    for side in ([ln for ln in lines if ln.x1 <= gutter + 2], [ln for ln in lines if ln.x0 >= gutter - 2]):
        inner = find_gutter(side, width)
        if inner is not None and _clean_split(side, inner):
            gutters.append(inner)
    return sorted(gutters)


def _clean_split(lines: list[Line], gutter: float) -> bool:
    total = sum(len(ln.text) for ln in lines) or 1
    crossing = sum(len(ln.text) for ln in lines if ln.x0 < gutter - 2 and ln.x1 > gutter + 2)
    left = sum(len(ln.text) for ln in lines if ln.x1 <= gutter + 2)
    balanced = SUB_COLUMN_SHARE * total <= left <= (1 - SUB_COLUMN_SHARE) * total
    return crossing <= total * SUB_GUTTER_CROSSING and balanced


def _assign_columns(lines: list[Line], gutters: list[float], span: float) -> None:
    """Number the columns 1, 2, ... left to right; 0 for a line across a gutter (a full-width title)."""
    margin = max(6.0, span * 0.06)
    for ln in lines:
        if any(ln.x0 < g - margin and ln.x1 > g + margin for g in gutters):
            ln.col = 0
            continue
        # a line poking a little into a gutter (overfull) belongs to the side it mostly sits on
        middle = (ln.x0 + ln.x1) / 2
        ln.col = 1 + bisect.bisect_left(gutters, middle)


def _same_row(a: Line, b: Line) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0)  # (not the height property: asked very often)


def _attach_drop_caps(lines: list[Line]) -> list[Line]:
    """A large initial letter ("M" + "ULTI-STEP ...") belongs to the first line beside it."""
    caps = [ln for ln in lines if len(ln.text.strip()) == 1 and ln.text.strip().isupper() and ln.height > 18]
    if not caps:
        return lines
    for cap in caps:
        beside = [
            ln
            for ln in lines
            if ln is not cap
            and cap.x1 - 3 <= ln.x0 <= cap.x1 + 20
            and abs(ln.y0 - cap.y0) < cap.height * 0.4
            and ln.size * 1.8 < cap.size
        ]
        if beside:
            target = min(beside, key=lambda ln: abs(ln.y0 - cap.y0))
            target.text = cap.text.strip() + target.text.lstrip()
            target.x0 = cap.x0
            if target.spans is not None and cap.spans:
                target.spans = cap.spans + target.spans
            cap.text = ""
    return [ln for ln in lines if ln.text]


def _drop_line_numbers(lines: list[Line]) -> list[Line]:
    """Remove review-copy line numbers: a vertical stack of bare numbers at one x."""
    stacks: dict[int, int] = Counter()
    for ln in lines:
        t = ln.text.strip()
        if t.isdigit() and len(t) <= 4:
            stacks[round(ln.x1 / 4)] += 1
    crowded = {x for x, count in stacks.items() if count >= 8}
    if not crowded:
        return lines
    return [ln for ln in lines if not (ln.text.strip().isdigit() and round(ln.x1 / 4) in crowded)]


def _column_cuts(lines: list[Line], min_gap: float) -> list[float]:
    """Heights where every column is empty for a while: the page changes from one column flow to another."""
    cols = [sorted((ln.y0, ln.y1) for ln in lines if ln.col == c) for c in sorted({ln.col for ln in lines} - {0})]
    if len(cols) < 2:
        return []

    def gaps(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
        out = []
        bottom = spans[0][1]
        for y0, y1 in spans[1:]:
            if y0 - bottom >= min_gap:
                out.append((bottom, y0))
            bottom = max(bottom, y1)
        return out

    common = gaps(cols[0])
    for spans in cols[1:]:
        common = [
            (max(a0, b0), min(a1, b1))
            for a0, a1 in common
            for b0, b1 in gaps(spans)
            if min(a1, b1) - max(a0, b0) >= min_gap * 0.6
        ]
    return [(lo + hi) / 2 for lo, hi in common]


def _widen_header_rows(lines: list[Line], columns: range) -> None:
    """Above where the columns start (title, authors), a row with text in several columns is one full-width row.

    A row whose pieces each start their column's text ("Abstract" beside "1 Introduction") stays split.
    """
    tops = []
    wide_by_col = {}
    for c in columns:
        widths = sorted((ln.width for ln in lines if ln.col == c), reverse=True)
        if not widths:
            return
        wide = widths[min(len(widths) - 1, len(widths) // 4)] * 0.8
        wide_by_col[c] = wide
        tops.append(min((ln.y0 for ln in lines if ln.col == c and ln.width >= wide), default=0.0))
    flow_top = min(tops)
    header = sorted((ln for ln in lines if ln.y1 <= flow_top + 1), key=lambda ln: ln.y0)

    def starts_column(ln: Line) -> bool:
        below = [o for o in lines if o.col == ln.col and o.y0 >= ln.y1 - 1]
        if not below:
            return False
        nxt = min(below, key=lambda o: o.y0)
        return nxt.width >= wide_by_col[ln.col] and nxt.y0 - ln.y1 <= 2.5 * ln.height

    for row in _rows(header):
        sides = {ln.col for ln in row}
        if 0 in sides or (len(sides) >= 2 and not all(starts_column(ln) for ln in row)):
            for ln in row:
                ln.col = 0
    # the short last line of a full-width paragraph (an abstract) stays with its paragraph
    full_width = [ln for ln in header if ln.col == 0]
    for ln in lines:
        if (
            ln.col
            and ln.y0 <= flow_top + 2 * ln.height
            and any(w.block == ln.block and abs(w.x0 - ln.x0) < 3 and 0 <= ln.y0 - w.y1 < ln.height for w in full_width)
        ):
            ln.col = 0


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Group lines (sorted by top) into rows of vertically overlapping lines."""
    rows: list[list[Line]] = []
    bottom = -1e9
    for ln in lines:
        if rows and ln.y0 < bottom - 0.5 * min(ln.height, rows[-1][-1].height):
            rows[-1].append(ln)
            bottom = max(bottom, ln.y1)
        else:
            rows.append([ln])
            bottom = ln.y1
    return rows


def _drop_overprints(lines: list[Line]) -> list[Line]:
    """Text drawn again over itself (faux bold, a shadow, a hostile file's thousands of copies) is read once:
    the same text starting at the same point, to the nearest point, is kept only the first time."""
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for ln in lines:
        key = (ln.text, round(ln.x0), round(ln.y1))
        if key not in seen:
            seen.add(key)
            kept.append(ln)
    return kept


def arrange_page(page: Page) -> Page:
    """Put a page's lines in reading order: columns left to right, full-width lines where they fall."""
    lines = _drop_overprints([ln for ln in page.lines if ln.text.strip()])
    lines = _drop_line_numbers(_attach_drop_caps(lines))
    gutters = find_gutters(lines, page.width)
    if not gutters:
        for ln in lines:
            ln.col = 0
        ordered = _sorted_rows(merge_fragments(lines))
        page.columns = 1
    else:
        xs = [ln.x0 for ln in lines]
        xe = [ln.x1 for ln in lines]
        _assign_columns(lines, gutters, max(xe) - min(xs))
        columns = range(1, len(gutters) + 2)
        if page.number == 1:  # title and author rows; elsewhere the columns start at the top
            _widen_header_rows(lines, columns)
        lines = merge_fragments(lines)
        heights = sorted(ln.height for ln in lines if ln.col)
        typical = heights[len(heights) // 2] if heights else 10.0
        full = _rows(sorted((ln for ln in lines if ln.col == 0), key=lambda ln: ln.y0))
        separators: list[tuple[float, list[Line]]] = [
            ((min(ln.y0 for ln in row) + max(ln.y1 for ln in row)) / 2, sorted(row, key=lambda ln: ln.x0))
            for row in full
        ]
        separators += [(y, []) for y in _column_cuts(lines, max(24.0, 2.2 * typical))]
        separators.sort(key=lambda s: s[0])
        marks = [s[0] for s in separators]
        bands: list[list[Line]] = [[] for _ in range(len(separators) + 1)]
        for ln in lines:
            if ln.col:
                bands[bisect.bisect_left(marks, (ln.y0 + ln.y1) / 2)].append(ln)
        ordered = []
        for k, band in enumerate(bands):
            for c in columns:
                ordered.extend(_sorted_rows([ln for ln in band if ln.col == c]))
            if k < len(separators):
                ordered.extend(separators[k][1])
        page.columns = len(columns)
    _set_gaps(ordered)
    _mark_tables(ordered)
    page.lines = ordered
    return page


def _mark_tables(lines: list[Line]) -> None:
    """Rows of three or more short cells, stacked at least two high, are a table, not running text."""
    for col in {ln.col for ln in lines}:
        members = sorted((ln for ln in lines if ln.col == col), key=lambda ln: ln.y0)
        rows = _rows(members)
        starts = sorted(ln.x0 for ln in members)
        ends = sorted(ln.x1 for ln in members)
        width = ends[-1 - len(ends) // 20] - starts[len(starts) // 20]  # the column's text width, outliers aside
        celled = [_is_cell_row(row) and not _justified_prose(row, width) for row in rows]
        for k, row in enumerate(rows):
            near = (k > 0 and celled[k - 1] and _close(rows[k - 1], row)) or (
                k + 1 < len(rows) and celled[k + 1] and _close(row, rows[k + 1])
            )
            if celled[k] and near:
                for ln in row:
                    ln.tabular = True
        # the header row of a table may hold long names with narrow gaps
        for k in range(len(rows) - 1):
            below = rows[k + 1]
            if all(ln.tabular for ln in below) and not any(ln.tabular for ln in rows[k]) and _close(rows[k], below):
                text = " ".join(ln.text for ln in rows[k]).strip()
                if (
                    len(text.split()) <= sum(ln.cells for ln in below)
                    and not text.endswith((".", ":"))
                    and not _prose_words(text)  # "represented as the matrix" over a matrix
                ):
                    for ln in rows[k]:
                        ln.tabular = True


def _is_cell_row(row: list[Line]) -> bool:
    cells = sum(ln.cells for ln in row)
    if cells < 3:
        return False
    words = sum(len(ln.text.split()) for ln in row)
    return words <= 3 * cells  # cells hold a word or two (numbers, names), not phrases


_FUNCTION_WORDS = {
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "as", "and", "or", "but", "that",
    "this", "these", "those", "which", "is", "are", "was", "were", "be", "been", "can", "will", "not", "we", "our",
    "it", "its", "their", "than", "into", "via", "et", "al",
}  # fmt: skip
_PROSE_WORD = re.compile(r"[a-z][a-z'’\-]*")
_NUMERIC = re.compile(r"[-+±]?\d[\d.,%]*")


def _prose_words(text: str) -> bool:
    """Words as running text has them: mostly lower-case words, few numbers, with function words or a
    hyphen broken off at the line end ("works typically utilize Seq2Seq models for para-")."""
    tokens = [t.strip('()[]{}"“”‘’,.;:!?') for t in text.split()]
    tokens = [t for t in tokens if t]
    if len(tokens) < 3:
        return False
    lower = sum(1 for t in tokens if _PROSE_WORD.fullmatch(t))
    numbers = sum(1 for t in tokens if _NUMERIC.fullmatch(t))
    if lower * 2 < len(tokens) or numbers * 4 >= len(tokens):
        return False
    hyphen = re.search(r"[a-z]-$", text.rstrip()) is not None
    return hyphen or any(t.lower() in _FUNCTION_WORDS for t in tokens)


def _justified_prose(row: list[Line], width: float) -> bool:
    """A justified line of running text, cut into pieces at its wide word gaps, is not a row of cells: it
    fills the column and its gaps are all alike (a table's columns are spaced by their contents)."""
    pieces = sorted(row, key=lambda ln: ln.x0)
    gaps = [g for ln in pieces if ln.cells > 1 for g in (ln.gap_min, ln.gap_max)]
    gaps += [b.x0 - a.x1 for a, b in itertools.pairwise(pieces)]
    size = max(ln.size for ln in pieces)
    if not gaps or max(gaps) - min(gaps) > 0.35 * size:
        return False
    return pieces[-1].x1 - pieces[0].x0 >= 0.9 * width and _prose_words(" ".join(ln.text for ln in pieces))


def _close(upper: list[Line], lower: list[Line]) -> bool:
    gap = min(ln.y0 for ln in lower) - max(ln.y1 for ln in upper)
    return gap < 2.5 * max(ln.height for ln in upper + lower)


def _sorted_rows(lines: list[Line]) -> list[Line]:
    """Top to bottom; pieces of one row left to right."""
    lines = sorted(lines, key=lambda ln: (ln.y0 + ln.y1) / 2)
    out: list[Line] = []
    i = 0
    while i < len(lines):
        row = [lines[i]]
        j = i + 1
        while j < len(lines) and _same_row(row[0], lines[j]):
            row.append(lines[j])
            j += 1
        row.sort(key=lambda ln: ln.x0)
        out.extend(row)
        i = j
    return out


def _set_gaps(lines: list[Line]) -> None:
    prev: Line | None = None
    for ln in lines:
        if prev is None or prev.col != ln.col or ln.y0 < prev.y0 - 1:
            ln.gap_above = 1000.0
        else:
            ln.gap_above = max(0.0, ln.y0 - prev.y1)
        ln.upper = is_mostly_upper(ln.text)
        prev = ln


_LOWER = re.compile(f"[^\\W\\d_A-Z\u00c0-\u00de{HAN}]")
_UPPER = re.compile(r"[A-Z\u00c0-\u00de]")


_DROP_ASCII_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")


def is_mostly_upper(text: str) -> bool:
    """ALL CAPS (or small caps) text, allowing the odd lower-case symbol ("LARGE z LIMIT")."""
    ascii_lower = len(text) - len(text.translate(_DROP_ASCII_LOWER))  # a lower bound of `lower` below
    if ascii_lower > 3 and ascii_lower * 4 > len(text):
        return False  # ordinary prose, told without the regexes (asked for every line)
    lower = len(_LOWER.findall(text))
    if lower > 3 and lower * 4 > len(text):
        return False  # ordinary prose: decided without counting capitals
    upper = len(_UPPER.findall(text))
    if upper and CJK_LETTER_CHAR.search(text):
        return False  # Chinese text with a capital letter in it is not set in capitals
    return upper > 0 and lower <= 0.1 * (upper + lower)


# --- across pages: running headers, footers and page numbers -------------------------------------

_PAGE_NUMBER = re.compile(
    r"^[\s\-–—(\[]{0,3}(?:page\s*)?(?:\d{1,5}|[ivxlc]{1,6})(?:\s*(?:/|of)\s*\d{1,5})?[\s\-–—)\]]{0,3}$", re.I
)
_DIGITS = re.compile(r"\d+")


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", " ", text.strip().lower()))


def remove_furniture(pages: list[Page]) -> None:
    """Drop running headers and footers (repeated in the page margins) and page numbers, in place."""
    counts: Counter[str] = Counter()
    for page in pages:
        seen = set()
        for ln in page.lines:
            if _in_margin(ln, page):
                seen.add(_furniture_key(ln.text))
        counts.update(seen)
    needed = 2 if len(pages) <= 4 else max(2, round(len(pages) * 0.2))
    repeated = {key for key, count in counts.items() if count >= needed}
    for page in pages:
        furniture = {id(ln) for ln in page.lines if _in_margin(ln, page) and _furniture_key(ln.text) in repeated}
        page.lines = [
            ln
            for ln in page.lines
            if id(ln) not in furniture
            and not (
                _in_margin(ln, page)
                and _PAGE_NUMBER.match(ln.text.strip())
                and not _labels_a_heading(ln, page, furniture)
            )
        ]


def _labels_a_heading(ln: Line, page: Page, furniture: set[int]) -> bool:
    """A number with words right after it on the same row is a heading's number ("III." + "RESULTS")."""
    return any(
        other is not ln and id(other) not in furniture and _same_row(ln, other) and 0 <= other.x0 - ln.x1 <= 3 * ln.size
        for other in page.lines
    )


def _in_margin(ln: Line, page: Page) -> bool:
    return ln.y1 <= page.height * 0.115 or ln.y0 >= page.height * 0.9
