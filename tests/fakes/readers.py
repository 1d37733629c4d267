"""A PDF reader for the pipeline's `reader` parameter: reads in this process and lets a test act before
each read (hold a paper's read back, note what the run had done by then)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chatpaper.models import Paper
from chatpaper.pdf import OcrMode, read_paper


class FakeReader:
    """Reads each PDF with `read_paper` in the calling thread (no child process, no budget), after
    calling `before(path)`; `paths` lists the files read (in no set order: the pipeline reads on two threads)."""

    def __init__(self, before: Callable[[Path], None] | None = None) -> None:
        self.before = before
        self.paths: list[Path] = []

    def read(
        self, path: Path | str, *, sha256: str | None = None, figures: bool = False, ocr: OcrMode = "auto"
    ) -> Paper:
        path = Path(path)
        self.paths.append(path)
        if self.before is not None:
            self.before(path)
        return read_paper(path, sha256=sha256, figures=figures, ocr=ocr)
