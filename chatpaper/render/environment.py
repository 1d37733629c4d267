"""The jinja2 environments the renderers in `render/` share: Markdown (explicit escaping filters) and HTML/XML
(autoescape), both with the filters of `render/safe.py`."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from chatpaper.render.safe import (
    LINK_SCHEMES,
    html_text,
    md_cell,
    md_code,
    md_link,
    md_link_text,
    md_paragraphs,
    md_text,
    one_line,
    relative_url,
    safe_url,
    text_paragraphs,
    xml_text,
)


def _environment(**options: Any) -> jinja2.Environment:
    """The templates folder, strict about undefined names, block tags on lines of their own."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("chatpaper.render", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )


@cache
def markdown_environment() -> jinja2.Environment:
    """Templates in `chatpaper/render/templates/` for Markdown output (and the e-mail's plain text).

    Autoescape is off because the output is Markdown, not HTML: every untrusted value passes
    through one of the filters instead (`md_text`, `md_paragraphs`, `md_cell`, `md_code`, `md_link`,
    `html_text` inside raw HTML), and only values chatpaper itself made (labels, counts, dates) go
    in bare.
    """
    env = _environment(autoescape=False)
    env.filters.update(
        html_text=html_text,
        md_cell=md_cell,
        md_code=md_code,
        md_link_text=md_link_text,
        md_paragraphs=md_paragraphs,
        md_text=md_text,
        one_line=one_line,
        relative_url=relative_url,
        safe_url=safe_url,
    )
    env.globals["md_link"] = md_link
    return env


def _xml_safe(value: object) -> object:
    """Every value a template prints, without the characters XML cannot carry (markup chatpaper built is kept)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return xml_text(value)
    return value


def _link(url: object) -> str | None:
    return safe_url(url, schemes=LINK_SCHEMES)


@cache
def html_environment() -> jinja2.Environment:
    """Templates in `chatpaper/render/templates/` for HTML and XML output (pages, e-mail, Atom feed).

    Autoescape is on: every value is text unless chatpaper built it as markup. Links go through
    `link` (http(s) and mailto only, encoded) and relative ones through `relative_url`.
    """
    env = _environment(autoescape=True, finalize=_xml_safe)
    env.filters.update(link=_link, one_line=one_line, paragraphs=text_paragraphs, relative_url=relative_url)
    return env
