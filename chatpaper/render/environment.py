"""The jinja2 environment every Markdown renderer in `render/` shares, with the escaping filters of `render/safe.py`."""

from __future__ import annotations

from functools import cache

import jinja2

from chatpaper.render.safe import (
    html_text,
    md_cell,
    md_code,
    md_link,
    md_link_text,
    md_paragraphs,
    md_text,
    relative_url,
    safe_url,
)


@cache
def markdown_environment() -> jinja2.Environment:
    """Templates in `chatpaper/render/templates/` for Markdown output.

    Autoescape is off because the output is Markdown, not HTML: every untrusted value passes
    through one of the filters instead (`md_text`, `md_paragraphs`, `md_cell`, `md_code`, `md_link`,
    `html_text` inside raw HTML), and only values chatpaper itself made (labels, counts, dates) go
    in bare.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("chatpaper.render", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        html_text=html_text,
        md_cell=md_cell,
        md_code=md_code,
        md_link_text=md_link_text,
        md_paragraphs=md_paragraphs,
        md_text=md_text,
        relative_url=relative_url,
        safe_url=safe_url,
    )
    env.globals["md_link"] = md_link
    return env
