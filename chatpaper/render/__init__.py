"""Every output's renderer (Markdown, HTML, Atom, BibTeX): templates in `chatpaper/render/templates/`, escaping
and sanitizing in `render/safe.py`."""

from chatpaper.render.bibtex import render_bibtex
from chatpaper.render.digest import render_digest, render_digest_index, render_digest_json, render_digest_text
from chatpaper.render.digest_view import DigestIndexRow, DigestPage, DigestPaper
from chatpaper.render.reports import RunUsage, render_index, render_report, tally_line

__all__ = [
    "DigestIndexRow",
    "DigestPage",
    "DigestPaper",
    "RunUsage",
    "render_bibtex",
    "render_digest",
    "render_digest_index",
    "render_digest_json",
    "render_digest_text",
    "render_index",
    "render_report",
    "tally_line",
]
