"""The digest as HTML: a static page per day, `index.html` listing the days, and the e-mail's HTML body.

Self-contained: the CSS is inline, there is no script, and nothing is loaded from elsewhere (figures
are files beside the page, or parts of the e-mail). Templates are autoescaped and the body is
sanitized before it is written or sent (`render/safe.py`), like every HTML output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup

from chatpaper import __version__
from chatpaper.render.digest_view import DigestIndexRow, DigestPage, Usage, page_facts
from chatpaper.render.environment import html_environment
from chatpaper.render.safe import html_text, relative_url, sanitize_html

# Readable on a phone (one column, 16 px type, images no wider than the screen) and on a desktop.
STYLE = (
    "body{font:16px/1.55 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:860px;margin:0 auto;"
    "padding:0 14px 40px;color:#1f2328;background:#fff;overflow-wrap:break-word}"
    "h1{font-size:1.6em;margin:.8em 0 .2em}h2{font-size:1.3em;border-bottom:1px solid #d0d7de;"
    "padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.1em;margin:1.2em 0 .3em}"
    "a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}"
    ".meta,.authors,.links,.score,footer{color:#57606a;font-size:.92em}.authors,.links,.score{margin:.2em 0}"
    "nav ol{padding-left:1.6em}nav li{margin:.3em 0}article{border-top:1px solid #d0d7de;margin-top:1.2em}"
    "figure{margin:.8em 0}img{max-width:100%;height:auto;border:1px solid #d0d7de}"
    "figcaption{font-size:.88em;color:#57606a;margin-top:.3em}details{margin:.6em 0}summary{cursor:pointer}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .5em;"
    "border-bottom:1px solid #d0d7de}footer{margin-top:2.5em;border-top:1px solid #d0d7de}"
    "@media (max-width:600px){body{font-size:15px;padding:0 10px 30px}h1{font-size:1.4em}}"
)

FigureSource = Callable[[str], "str | None"]


def html_document(title: str, body: str, *, lang: str = "en") -> str:
    """A standalone HTML document: chatpaper's own head (charset, viewport, title, CSS) and `body`, sanitized."""
    return (
        f'<!DOCTYPE html>\n<html lang="{html_text(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n{sanitize_html(body)}\n</body></html>\n"
    )


def _language(page: DigestPage) -> str:
    languages = {p.summary.meta.language for p in page.summarized if p.summary is not None}
    return languages.pop() if len(languages) == 1 else "en"


def _page_body(
    page: DigestPage,
    *,
    details: bool,
    figure_src: FigureSource,
    index_url: str | None,
    feed_url: str | None,
) -> str:
    facts = page_facts(page)
    described = facts["usage"].describe() if isinstance(facts["usage"], Usage) else ""
    template = html_environment().get_template("digest.html.j2")
    return template.render(
        **{**facts, "usage": described},
        details=details,
        figure_src=figure_src,
        index_url=index_url,
        feed_url=feed_url,
        version=__version__,
    )


def _beside(path: str) -> str:
    return relative_url(path)


def render_digest_html(page: DigestPage, *, feed: bool = True) -> str:
    """`YYYY-MM-DD.html`: the day's page; long points and the abstract fold into `<details>`; figures are
    the files the papers name, beside the page; the footer links `index.html` (and `feed.xml`)."""
    body = _page_body(
        page, details=True, figure_src=_beside, index_url="index.html", feed_url="feed.xml" if feed else None
    )
    return html_document(f"arXiv digest · {page.day}", body, lang=_language(page))


def render_digest_email(
    pages: Sequence[DigestPage], *, title: str, images: Mapping[str, str], site_url: str | None = None
) -> str:
    """The e-mail's HTML: the pages one after the other, every point in full (mail clients ignore
    `<details>`, so a folded point would show twice), no abstract; a figure is shown when `images`
    names the message part (`cid:`) that carries it. Links to the index and feed only with `site_url`."""
    index_url = f"{site_url}index.html" if site_url else None
    feed_url = f"{site_url}feed.xml" if site_url else None
    bodies = [
        _page_body(page, details=False, figure_src=images.get, index_url=index_url, feed_url=feed_url) for page in pages
    ]
    lang = _language(pages[0]) if pages else "en"
    return html_document(title, str(Markup("\n<hr>\n").join(Markup(b) for b in bodies)), lang=lang)


def render_digest_index_html(rows: Sequence[DigestIndexRow], *, feed: bool = True) -> str:
    """`index.html`: every digest day, newest first, with its counts (and a link to the feed)."""
    ordered = sorted(rows, key=lambda r: r.day, reverse=True)
    body = (
        html_environment()
        .get_template("digest_index.html.j2")
        .render(rows=ordered, feed_url="feed.xml" if feed else None, version=__version__)
    )
    return html_document("arXiv digests", body)
