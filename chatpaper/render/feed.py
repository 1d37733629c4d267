"""The digest as an Atom feed (`feed.xml`): the newest summarized papers across days, for feed readers.

Each entry is a paper: its title, authors, arXiv abs link, arXiv's publication date and the four
points as HTML content (sanitized, then escaped as XML text). Dates come from arXiv and the pages,
never the clock, so an unchanged digest gives the same feed and readers see nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from chatpaper import __version__
from chatpaper.render.digest_view import DigestPaper, paper_view
from chatpaper.render.environment import html_environment
from chatpaper.render.safe import relative_url, safe_url, sanitize_html

# Feed readers keep what they have seen; a feed lists the newest papers only.
FEED_ENTRIES = 100
FEED_FILE = "feed.xml"


@dataclass(frozen=True)
class FeedItem:
    """A summarized paper and the day whose page lists it."""

    day: str
    paper: DigestPaper


def _timestamp(value: datetime | None, day: str) -> str:
    """RFC 3339 in UTC; a paper without arXiv dates is dated by its page's day."""
    moment = value.astimezone(UTC) if value is not None else datetime.fromisoformat(day).replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(item: FeedItem, site_url: str | None) -> dict[str, object]:
    paper, entry = item.paper, item.paper.entry
    view = paper_view(0, paper)
    figure_src = (lambda path: f"{site_url}{relative_url(path)}") if site_url else (lambda path: None)
    content = html_environment().get_template("feed_entry.html.j2").render(p=view, details=False, figure_src=figure_src)
    published = _timestamp(entry.published, item.day)
    page = f"{site_url}{relative_url(item.day + '.html')}#{view['anchor']}" if site_url else None
    return {
        "title": view["title"],
        "id": entry.abs_url,  # one arXiv version: the same paper in every run and every feed reader
        "link": safe_url(entry.abs_url),
        "pdf": safe_url(view["pdf_url"]),
        "page": page,
        "published": published,
        "updated": _timestamp(entry.updated, item.day) if entry.updated else published,
        "authors": (paper.summary.authors if paper.summary and paper.summary.authors else entry.authors) or [],
        "categories": entry.categories,
        "content": sanitize_html(content),
    }


def render_atom_feed(items: Sequence[FeedItem], *, title: str, site_url: str | None = None) -> str:
    """`feed.xml` for `items` (newest first; at most `FEED_ENTRIES` are kept). With `site_url`, where the
    digest folder is published, the feed links itself, its pages and the figures."""
    entries = [_entry(item, site_url) for item in items[:FEED_ENTRIES]]
    updated = max((str(e["updated"]) for e in entries), default="1970-01-01T00:00:00Z")
    return (
        html_environment()
        .get_template("feed.xml.j2")
        .render(
            title=title,
            feed_id=f"{site_url}{FEED_FILE}" if site_url else "urn:chatpaper:arxiv-digest",
            self_url=f"{site_url}{FEED_FILE}" if site_url else None,
            home_url=f"{site_url}index.html" if site_url else None,
            updated=updated,
            entries=entries,
            version=__version__,
        )
    )
