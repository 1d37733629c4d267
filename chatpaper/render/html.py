"""A Markdown page as a standalone HTML document, sanitized: the digest e-mail's HTML part.

The only module that imports `markdown`. Its output is run through `render.safe.sanitize_html`
before anyone sees it, so the page's own escaping is not the only thing between paper text and a
reader's mail client.
"""

from __future__ import annotations

import re

import markdown

from chatpaper.render.safe import html_text, sanitize_html

_STYLE = (
    "body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;line-height:1.5;max-width:860px;"
    "margin:auto;padding:0 12px;color:#1f2328}h3{margin-bottom:.2em}summary{cursor:pointer}"
    "code{background:#f6f8fa;padding:0 .2em}hr{border:0;border-top:1px solid #d0d7de}"
)


def markdown_to_html(text: str, *, title: str = "") -> str:
    """A standalone HTML document for the Markdown page (tables, <details> with Markdown inside), sanitized."""
    # md_in_html renders the Markdown inside <details> (and escapes a stray "<" there) only when asked.
    # Only the templates write a literal "<details>": in paper text "<" is escaped (render/safe.py).
    text = re.sub(r"<details>", '<details markdown="1">', text)
    body = markdown.markdown(text, extensions=["extra", "sane_lists"], lazy_ol=False, output_format="html")
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html_text(title)}</title><style>{_STYLE}</style></head>\n<body>\n{sanitize_html(body)}\n</body></html>\n"
    )
