"""Markdown (and later HTML) rendering: templates live in `chatpaper/render/templates/`."""

from chatpaper.render.digest import (
    DigestIndexRow,
    DigestPage,
    DigestPaper,
    render_digest,
    render_digest_index,
    render_digest_json,
)
from chatpaper.render.reports import RunUsage, render_index, render_report, tally_line

__all__ = [
    "DigestIndexRow",
    "DigestPage",
    "DigestPaper",
    "RunUsage",
    "render_digest",
    "render_digest_index",
    "render_digest_json",
    "render_index",
    "render_report",
    "tally_line",
]
