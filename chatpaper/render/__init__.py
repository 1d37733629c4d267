"""Markdown (and later HTML) rendering: templates live in `chatpaper/render/templates/`."""

from chatpaper.render.reports import RunUsage, render_index, render_report, tally_line

__all__ = ["RunUsage", "render_index", "render_report", "tally_line"]
