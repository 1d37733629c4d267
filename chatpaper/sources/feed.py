"""arXiv's nightly announcement feed (rss.arxiv.org, Atom flavour): what was announced today.

One request per run, e.g. https://rss.arxiv.org/atom/cs.CL+cs.LG. Entries carry ids as
`oai:arXiv.org:<id>v<n>`, the announcement type in `<arxiv:announce_type>` (new, cross, replace,
replace-cross) and all authors in one comma-separated `<dc:creator>`. Parsed with the stdlib
(xml.etree; expat refuses entity-expansion bombs). HTTP goes through `requests`, already a
dependency of the `arxiv` package, with the same User-Agent, pacing and backoff as the API client.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from chatpaper.errors import ArxivError
from chatpaper.models import ArxivEntry
from chatpaper.redaction import mask_url_credentials
from chatpaper.settings import ArxivSettings
from chatpaper.sources.http import (
    RETRYABLE_STATUS,
    Retry,
    new_session,
    pacer_for,
    polite_delay,
    retry_after_seconds,
    send_get,
    with_retries,
)
from chatpaper.words import plural

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# cs.CL, math.AG, hep-th, cond-mat.str-el, q-bio.NC, astro-ph.GA ...
_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?")
_OAI_ID = re.compile(r"^oai:arXiv\.org:(?P<id>.+?)(?:v(?P<version>\d+))?$", re.IGNORECASE)
# "arXiv:2508.13426v1 Announce Type: cross \nAbstract: ..." at the head of each summary.
_SUMMARY_HEAD = re.compile(
    r"^\s*arXiv:\S+\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?", re.IGNORECASE | re.DOTALL
)
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}

KEPT_TYPES = ("new",)
CROSS_TYPES = ("cross",)


@dataclass
class AnnouncementFeed:
    """One night's announcements: the entries kept, the feed's day and how many of each type it held."""

    entries: list[ArxivEntry]
    day: date | None = None
    counts: dict[str, int] = field(default_factory=dict)  # announce type -> entries in the feed


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _announcement_day(published: list[datetime], updated: datetime | None) -> date | None:
    """The day the feed announces, read from the feed itself, so no tz database is needed.

    Each entry's <published> is the announcement day's midnight in arXiv's own offset
    (2025-08-20T00:00:00-04:00 in summer, -05:00 in winter): its date as written is the day. A feed
    without entries (a weekend) falls back to its <updated> as written; arXiv rebuilds the feed at
    midnight US Eastern, 04:00-05:00 UTC, which is still the same calendar day in UTC.
    """
    if published:
        return Counter(p.date() for p in published).most_common(1)[0][0]
    return updated.date() if updated else None


def split_authors(creator: str) -> list[str]:
    """ "A. One, B. Two and C. Three" -> three names; "Jr." stays with its name."""
    names: list[str] = []
    for part in re.split(r",\s*|\s+and\s+", creator.strip()):
        part = " ".join(part.split())
        if not part:
            continue
        if names and part.lower() in _NAME_SUFFIXES:
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return names


def _text(node: ET.Element, path: str) -> str:
    return " ".join((node.findtext(path, default="", namespaces=_NS) or "").split())


def _entry(node: ET.Element) -> ArxivEntry | None:
    match = _OAI_ID.match(_text(node, "atom:id"))
    if not match:
        return None
    arxiv_id = match.group("id")
    version = int(match.group("version")) if match.group("version") else None
    raw_summary = node.findtext("atom:summary", default="", namespaces=_NS) or ""
    head = _SUMMARY_HEAD.match(raw_summary)
    announce_type = _text(node, "arxiv:announce_type") or (head.group("type") if head else "")
    abstract = raw_summary[head.end() :] if head else raw_summary
    categories = [c.get("term", "") for c in node.findall("atom:category", _NS) if c.get("term")]
    alternate = next(
        (link.get("href") for link in node.findall("atom:link", _NS) if link.get("rel", "alternate") == "alternate"),
        None,
    )
    versioned = f"{arxiv_id}v{version}" if version else arxiv_id
    # The feed has no PDF link; build it on the host the feed's abs link names (a mirror, a test server).
    if alternate and "/abs/" in alternate:
        pdf_url = alternate.split("/abs/", 1)[0] + f"/pdf/{versioned}"
    else:
        pdf_url = f"https://arxiv.org/pdf/{versioned}"
    return ArxivEntry(
        arxiv_id=arxiv_id,
        version=version,
        title=_text(node, "atom:title"),
        authors=split_authors(_text(node, "dc:creator")),
        abstract=" ".join(abstract.split()),
        categories=categories,
        # The feed lists the primary category first.
        primary_category=categories[0] if categories else None,
        published=_parse_time(_text(node, "atom:published")),
        updated=_parse_time(_text(node, "atom:updated")),
        pdf_url=pdf_url,
        announce_type=announce_type.lower() or None,
    )


def parse_announcement_feed(xml_bytes: bytes, *, cross_lists: bool = False) -> AnnouncementFeed:
    """Parse an announcement feed: keep `new` (and `cross` with `cross_lists`), skip replacements."""
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as exc:
        raise ArxivError(f"arXiv's announcement feed is not valid XML ({exc}); try again later") from None
    if root.tag != f"{{{_NS['atom']}}}feed":
        raise ArxivError("arXiv's announcement feed is not an Atom feed; check arxiv_rss_url")
    keep = KEPT_TYPES + (CROSS_TYPES if cross_lists else ())
    counts: Counter[str] = Counter()
    kept: dict[str, ArxivEntry] = {}
    published: list[datetime] = []
    for node in root.findall("atom:entry", _NS):
        entry = _entry(node)
        if entry is None:
            continue
        counts[entry.announce_type or "unknown"] += 1
        if entry.published is not None:
            published.append(entry.published)
        if entry.announce_type not in keep:
            continue
        earlier = kept.get(entry.arxiv_id)
        # A feed for several categories can list a paper twice: new in its primary category and
        # cross in another. It is new tonight; keep that listing (in the first one's place).
        if earlier is None or (earlier.announce_type != "new" and entry.announce_type == "new"):
            kept[entry.arxiv_id] = entry
    day = _announcement_day(published, _parse_time(_text(root, "atom:updated")))
    return AnnouncementFeed(entries=list(kept.values()), day=day, counts=dict(counts))


def feed_url(categories: Sequence[str], settings: ArxivSettings) -> str:
    """settings.rss_url (arxiv_rss_url) + "/" + "cs.CL+cs.LG"; ArxivError for anything that is not a category."""
    cats = [c.strip() for c in categories if c.strip()]
    if not cats:
        raise ArxivError("no arXiv categories to follow: set digest.categories (e.g. cs.CL, cs.LG)")
    for cat in cats:
        if not _CATEGORY.fullmatch(cat):
            raise ArxivError(f"{cat!r} is not an arXiv category (e.g. cs.CL, math.AG, hep-th)")
    return settings.rss_url.rstrip("/") + "/" + "+".join(dict.fromkeys(cats))


def fetch_announcement_feed(
    categories: Sequence[str], settings: ArxivSettings, *, cross_lists: bool = False
) -> AnnouncementFeed:
    """Download and parse tonight's announcements for `categories` (one request, with retries)."""
    url = feed_url(categories, settings)
    shown = mask_url_credentials(url)  # what messages name
    pacer = pacer_for(url, settings.delay)

    def refused(exc: Exception) -> ArxivError:
        return ArxivError(
            f"arXiv's announcement feed {shown} could not be fetched ({type(exc).__name__}: {exc}); "
            "check the arxiv_rss_url setting (CHATPAPER_ARXIV_RSS_URL)"
        )

    def attempt() -> bytes:
        with new_session() as session, pacer.slot():
            response = send_get(session, url, refused=refused)
        if response.status_code in RETRYABLE_STATUS:
            raise Retry(f"HTTP {response.status_code}", retry_after_seconds(response))
        if response.status_code != 200:
            raise ArxivError(
                f"arXiv's announcement feed {shown} answered HTTP {response.status_code}: check the category names"
            )
        return response.content

    def give_up(attempts: int, reason: str) -> ArxivError:
        return ArxivError(
            f"arXiv announcement feed unavailable after {plural(attempts, 'attempt')}: {reason}; try again later"
        )

    base_delay = polite_delay(url, settings.delay)
    content = with_retries(attempt, retries=settings.retries, base_delay=base_delay, give_up=give_up)
    return parse_announcement_feed(content, cross_lists=cross_lists)
