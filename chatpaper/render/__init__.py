"""Markdown and HTML rendering: templates live in `chatpaper/render/templates/`, escaping in `render/safe.py`."""

from chatpaper.render.bibtex import render_bibtex
from chatpaper.render.digest import (
    DigestIndexRow,
    DigestPage,
    DigestPaper,
    render_digest,
    render_digest_index,
    render_digest_json,
)
from chatpaper.render.html import markdown_to_html
from chatpaper.render.reports import RunUsage, render_index, render_report, tally_line

__all__ = [
    "DigestIndexRow",
    "DigestPage",
    "DigestPaper",
    "RunUsage",
    "markdown_to_html",
    "render_bibtex",
    "render_digest",
    "render_digest_index",
    "render_digest_json",
    "render_index",
    "render_report",
    "tally_line",
]
