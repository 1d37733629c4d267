"""Text read off page images with RapidOCR (the optional `chatpaper[ocr]` extra), as the reader's `Line`s.

The only module that imports rapidocr. Its wheel ships its ONNX models; they are loaded by path from the
installed package, so nothing is ever downloaded at run time. The reader renders a page (`reader`) and
hands the pixels here; the lines that come back carry a size from their box height, so title, headings
and the rest of the reader work on them unchanged.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path
from typing import Any

from chatpaper.errors import OcrError
from chatpaper.pdf.lines import Line

INSTALL_HINT = "pip install 'chatpaper[ocr]'"
# Pixels per inch pages are rendered at for OCR: enough to tell a regular stroke (3 px at 10 pt) from a
# bold one (4-5 px), which is how OCR'd headings are told from the body; detection runs on a smaller copy.
OCR_RESOLUTION = 200
_DETECT_SIDE = 1600  # the longest side detection sees, in pixels
# Lines the recogniser is less sure of than this are noise (specks, rules, figure fragments).
_MIN_SCORE = 0.5
OCR_FONT = "OCR"  # the font name OCR'd lines carry (OCR knows no fonts)
_INK = 140  # grey level below which a pixel is ink
# The type size from the height of the rows most of a line's ink is in (its x-height band): x-height is
# 0.43-0.46 em in the usual book and journal faces.
_X_HEIGHT_EM = 0.45
# OCR measures sizes to a pixel or two: a line within this share of the page's usual size is set at it,
# so that the body reads as one size and only real changes (titles, headings) stand out.
_SAME_SIZE = 0.22
# Strokes this much thicker than the page's usual stroke are bold (regular 3 px, bold 4-5 px at 200 ppi).
_BOLD_STROKE = 1.25
_USUAL_LINE_CHARS = 20  # lines at least this long set the page's usual size and stroke
_BOX_PER_SIZE = 1.5  # a line box without measurable ink: the detector's boxes are ~1.5 times the type size

_LOCK = threading.Lock()  # one page at a time: the engine is not shared across threads, and it uses both cores


@functools.cache
def ocr_available() -> bool:
    """Whether the OCR extra is installed (its import is tried once)."""
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _engine() -> Any:
    try:
        import rapidocr
        from rapidocr import RapidOCR
    except ImportError as exc:  # checked by `ocr_available` first; kept for a clear message
        raise OcrError(f"OCR is not installed; {INSTALL_HINT}") from exc
    models = Path(rapidocr.__file__).parent / "models"

    def model(kind: str) -> str:
        found = sorted(models.glob(f"*{kind}*.onnx"))
        if not found:
            raise OcrError(f"the rapidocr package has no bundled {kind} model in {models}; reinstall: {INSTALL_HINT}")
        return str(found[0])

    params = {
        "Global.log_level": "critical",  # the library never prints
        "Global.use_cls": False,  # page images are upright: no need to turn lines around
        "Det.limit_type": "max",
        "Det.limit_side_len": _DETECT_SIDE,
        "Det.model_path": model("det"),  # by path: the engine then never looks for a download
        "Rec.model_path": model("rec"),
        "Cls.model_path": model("cls"),
        # the cores this process may run on (a container's share, not the host's count), as the engine would
        # otherwise start a thread per host core, each with its own stack and allocator arena
        "EngineConfig.onnxruntime.intra_op_num_threads": _usable_cores(),
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    try:
        return RapidOCR(params=params)
    except Exception as exc:  # a broken install: the paper fails with the reason, the batch goes on
        raise OcrError(f"OCR could not start ({type(exc).__name__}: {exc}); reinstall: {INSTALL_HINT}") from exc


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _last_line(exc: BaseException) -> str:
    """The one line of an engine error that says what went wrong (rapidocr wraps ONNX Runtime's errors in
    their whole traceback; the last line is the error itself)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[-1] if lines else 'no reason given'}"[:300]


_SECTION_NUMBER = r"\d{1,2}(?:\.\d{1,2})*\.?"  # "4", "3.5", "2.2.1."
_GLUED_NUMBER = re.compile(rf"^({_SECTION_NUMBER})(?=[A-Z][a-z])")


def ocr_lines(pixels: bytes, width: int, height: int, page_no: int, scale: float) -> list[Line]:
    """The text lines on one page image (RGB, `width` x `height` pixels; `scale` page units per pixel), each
    with a size from its x-height and bold when its strokes are thicker than the page's usual ones."""
    import numpy as np

    image = np.frombuffer(pixels, dtype=np.uint8).reshape(height, width, 3)
    with _LOCK:
        engine = _engine()
        try:
            result = engine(image)
        except Exception as exc:
            raise OcrError(f"OCR failed on page {page_no} ({_last_line(exc)})") from exc
    gray = image.min(axis=2)
    found: list[tuple[str, float, float, float, float, float, float]] = []
    boxes = result.boxes if result.boxes is not None else ()
    for box, text, score in zip(boxes, result.txts or (), result.scores or (), strict=False):
        text = " ".join(str(text).split())
        if not text or float(score) < _MIN_SCORE:
            continue
        # a section number glued to its heading's first word ("1Introduction"): the recogniser drops the
        # narrow space after a number
        text = _GLUED_NUMBER.sub(r"\1 ", text)
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        x0, y0, x1, y1 = max(0, int(min(xs))), max(0, int(min(ys))), int(max(xs)) + 1, int(max(ys)) + 1
        band, stroke = _ink_measures(np.asarray(gray[y0:y1, x0:x1] < _INK))
        size = band * scale / _X_HEIGHT_EM if band else (y1 - y0) * scale / _BOX_PER_SIZE
        found.append((text, x0 * scale, y0 * scale, x1 * scale, y1 * scale, size, stroke))
    found = _numbers_joined(found)
    usual = [f for f in found if len(f[0]) >= _USUAL_LINE_CHARS] or found
    usual_size = _median([f[5] for f in usual])
    usual_stroke = _median([f[6] for f in usual if f[6]])
    lines: list[Line] = []
    for text, left, top, right, bottom, size, stroke in found:
        if abs(size - usual_size) <= _SAME_SIZE * usual_size:
            size = usual_size
        lines.append(
            Line(
                page=page_no,
                x0=left,
                y0=top,
                x1=right,
                y1=bottom,
                text=text,
                size=round(size, 1),
                font=OCR_FONT,
                bold=bool(usual_stroke) and stroke >= _BOLD_STROKE * usual_stroke,
                italic=False,
                mono=False,
                block=len(lines),
            )
        )
    return lines


_Box = tuple[str, float, float, float, float, float, float]  # text, x0, y0, x1, y1, size, stroke
_DIGITS_ONLY = re.compile(rf"^{_SECTION_NUMBER}$")
# A section number the recogniser boxed apart from its heading (set off by a quad space) is at most this many
# of its own heights from the heading's first letter.
_NUMBER_GAP_HEIGHTS = 3.0


def _numbers_joined(found: list[_Box]) -> list[_Box]:
    """Each box of a number alone joined to the box right of it on the same row ("4" + "Future Directions"),
    which gives the heading its number and the number the heading's size: digits have no x-height, so a number
    boxed alone is measured at no size the heading has, and the two would read as two lines."""
    taken: set[int] = set()
    joined: list[_Box] = []
    for i, box in enumerate(found):
        if i in taken:
            continue
        text, x0, y0, x1, y1, _, _ = box
        height = y1 - y0
        if _DIGITS_ONLY.match(text):
            beside = [
                j
                for j, other in enumerate(found)
                if j != i
                and j not in taken
                and 0 <= other[1] - x1 + 1 <= _NUMBER_GAP_HEIGHTS * height
                and min(y1, other[4]) - max(y0, other[2]) >= 0.5 * min(height, other[4] - other[2])
            ]
            if beside:
                j = min(beside, key=lambda k: found[k][1])
                taken.add(j)
                other = found[j]
                joined.append((f"{text} {other[0]}", x0, min(y0, other[2]), other[3], max(y1, other[4]), *other[5:]))
                continue
        joined.append(box)
    return joined


def _ink_measures(ink: Any) -> tuple[int, float]:
    """The height of a line's x-height band (rows holding at least half the busiest row's ink) and its
    stroke width (the median length of the ink runs across those rows), both in pixels; (0, 0) for no ink."""
    import numpy as np

    if ink.size == 0:
        return 0, 0.0
    rows = ink.sum(axis=1)
    if rows.max() == 0:
        return 0, 0.0
    band = ink[rows >= 0.5 * rows.max()]
    edges = np.diff(np.pad(band.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, ends = np.nonzero(edges == 1), np.nonzero(edges == -1)
    runs = ends[1] - starts[1]
    return int(band.shape[0]), float(np.median(runs)) if runs.size else 0.0


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0
