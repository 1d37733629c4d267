"""The output folder of a run: report names, each paper's files (JSON, Markdown, Figure-1 PNG), and the
reports the folder already holds (what papers.bib and index.md list besides the run).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from chatpaper.atomic import write_bytes_atomic, write_text_atomic
from chatpaper.models import PaperRef, PaperSummary
from chatpaper.render import render_report

# Report names the output folder already uses for itself: a paper called index.pdf becomes index-2.
RESERVED_NAMES = ("index",)


def unique_names(refs: Sequence[PaperRef]) -> list[PaperRef]:
    """Give refs that share a report name (same file stem in two folders) distinct names: x, x-2, x-3."""
    seen: dict[str, int] = dict.fromkeys(RESERVED_NAMES, 1)
    result = []
    for ref in refs:
        count = seen.get(ref.name.lower(), 0) + 1
        seen[ref.name.lower()] = count
        result.append(ref if count == 1 else ref.model_copy(update={"name": f"{ref.name}-{count}"}))
    return result


def figure_file(name: str) -> str:
    """The file name of a report's Figure-1 PNG, beside `<name>.md`."""
    return f"{name}.fig1.png"


def write_reports(summary: PaperSummary, out: Path, name: str, *, figure: bytes | None = None) -> str:
    """Write `<name>.fig1.png` (given the paper's figure), `<name>.json` then `<name>.md` atomically;
    returns the Markdown file name. The report shows the figure only when its PNG is written."""
    if summary.figure is not None:
        image = None
        if figure is not None:
            image = figure_file(name)
            write_bytes_atomic(out / image, figure)  # before the report that links it
        summary = summary.model_copy(update={"figure": summary.figure.model_copy(update={"image": image})})
    write_text_atomic(out / f"{name}.json", summary.model_dump_json(indent=2) + "\n")
    write_text_atomic(out / f"{name}.md", render_report(summary))
    return f"{name}.md"


# Every paper summarized into an output folder, as BibTeX: the folder is the user's reading list.
BIBTEX_FILE = "papers.bib"


def folder_summaries(out: Path) -> dict[str, PaperSummary]:
    """The JSON reports in `out` by report name (files that are not reports are passed over): what
    papers.bib lists, and what index.md shows besides the run, so it keeps the whole folder in view."""
    summaries = {}
    for path in sorted(out.glob("*.json")):
        try:
            summaries[path.stem] = PaperSummary.model_validate_json(path.read_bytes())
        except (OSError, ValidationError):
            continue
    return summaries


def previous_summary(out: Path, name: str) -> PaperSummary | None:
    """The report `<name>.json` in `out`, or None (none there, unreadable, or from an incompatible version)."""
    path = out / f"{name}.json"
    try:
        return PaperSummary.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
