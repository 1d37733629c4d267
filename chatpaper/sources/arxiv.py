"""arXiv's search API: `ArxivQuery` says *what* to ask, `ArxivClient` says *how*.

This is the only module importing the `arxiv` package. We keep its query building, paging and Atom
parsing, and replace its transport (`Client._parse_feed`, the one method that fetches a page) with
ours: the configured endpoint, chatpaper's User-Agent, a shared pacer (arXiv's terms: one request
every 3 s), jittered exponential backoff on 429/5xx/connection errors/arXiv's sporadic empty pages,
and arXiv's own message when it rejects a query. Written against arxiv 4.x (`_parse_feed` and
`arxiv._feed.parse`); the tests exercise that seam against a fake server.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import arxiv
import requests
from arxiv import _feed

from chatpaper.errors import ArxivError
from chatpaper.models import ArxivEntry, PaperRef
from chatpaper.ranking import find_keywords, matches_all
from chatpaper.settings import Settings
from chatpaper.sources.http import (
    RETRYABLE_STATUS,
    TIMEOUT,
    Retry,
    new_session,
    pacer_for,
    retry_after_seconds,
    with_retries,
)
from chatpaper.sources.local import report_name

Sort = Literal["relevance", "submitted", "updated"]

# Results per API call. arXiv allows up to 2000, but its sporadic empty pages get likelier with
# size and a failed small page is cheap to redo.
DEFAULT_PAGE_SIZE = 100
# Ids per metadata call (`fetch`): one call instead of one per paper, with a URL that stays short
# (~1.5 KB) and a page far below the API's per-call ceiling.
ID_BATCH = 100
# A filtered search (filter/exclude keys) reads at most this many results (10 pages, about 30 s at
# arXiv's pace) so a filter nothing passes cannot page through the whole archive.
DEFAULT_MAX_SCANNED = 1000
# arXiv's first papers are from August 1991: the lower bound of an open-ended date window.
_ARXIV_EPOCH = date(1991, 8, 1)

_SORTS: dict[str, arxiv.SortCriterion] = {
    "relevance": arxiv.SortCriterion.Relevance,
    "submitted": arxiv.SortCriterion.SubmittedDate,
    "updated": arxiv.SortCriterion.LastUpdatedDate,
}

_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
_ID_RE = re.compile(rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?")
_VERSION_RE = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")
_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all", "submittedDate", "lastUpdatedDate")
_OPERATORS = ("AND", "OR", "ANDNOT")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<paren>[()])
      | (?P<term>(?:[A-Za-z]+:)?(?:"[^"]*"|\[[^\]]*\]|[^\s()"]+))
      | (?P<stray>")
    )""",
    re.VERBOSE,
)
_ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class ArxivQuery:
    """What to ask arXiv for.

    `text` is arXiv query syntax passed through (ti:, au:, abs:, cat:, AND, OR, ANDNOT, quoted
    phrases); words without a field search everywhere (all:). `categories` are ANDed in as
    (cat:a OR cat:b); `since`/`until` bound the submission date. `max_results` counts entries that
    pass `filter_keys` (all must occur) and `exclude_keys` (none may occur), whole words on title +
    abstract. `ids` alone fetches those papers, all of them (max_results does not apply; unknown
    ids are left out, see `ArxivClient.lookup`); with other terms the search is limited to them.
    """

    text: str = ""
    ids: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    sort: Sort = "relevance"
    max_results: int = 10
    filter_keys: list[str] = field(default_factory=list)
    exclude_keys: list[str] = field(default_factory=list)
    max_scanned: int | None = None  # results read before giving up on filters; None: DEFAULT_MAX_SCANNED

    @property
    def filtered(self) -> bool:
        return bool(self.filter_keys or self.exclude_keys)


# --- ids -------------------------------------------------------------------------------------------


def normalize_id(text: str) -> str | None:
    """ "2301.00001", "arXiv:2301.00001v2", an abs/pdf URL... -> "2301.00001[vN]"; None if not an id."""
    value = text.strip()
    value = re.sub(r"^(?:https?://)?(?:export\.)?arxiv\.org/(?:abs|pdf)/", "", value, flags=re.IGNORECASE)
    value = re.sub(r"^arxiv:", "", value, flags=re.IGNORECASE)
    value = re.sub(r"\.pdf$", "", value, flags=re.IGNORECASE)
    match = _ID_RE.fullmatch(value)
    return match.group(0) if match else None


def split_version(versioned: str) -> tuple[str, int | None]:
    """ "2301.00001v2" -> ("2301.00001", 2); "hep-th/9901001" -> ("hep-th/9901001", None)."""
    match = _VERSION_RE.match(versioned)
    if match:
        return match.group("id"), int(match.group("version"))
    return versioned, None


def arxiv_ref(entry: ArxivEntry) -> PaperRef:
    """The pipeline's handle on an arXiv paper, its reports named by id and version (2301.00001v2)."""
    return PaperRef(source=entry.versioned_id, name=report_name(entry.versioned_id), arxiv=entry)


# --- query translation -----------------------------------------------------------------------------


def _with_all(text: str) -> str:
    """Give bare words and quoted phrases the all: field, and make implicit ANDs explicit."""
    parts: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
        if match.group("stray"):
            raise ArxivError(f"unbalanced quote in query {text!r}: close the quoted phrase")
        token = match.group("paren") or match.group("term")
        operand = token not in (*_OPERATORS, ")") and token != "("
        if (token == "(" or operand) and parts and parts[-1] not in (*_OPERATORS, "("):
            parts.append("AND")  # arXiv's default between terms is unclear: say what we mean
        if operand and not re.match(rf"(?:{'|'.join(_FIELDS)}):", token):
            token = f"all:{token}"
        parts.append(token)
    return " ".join(parts).replace("( ", "(").replace(" )", ")")


def build_search_query(query: ArxivQuery, *, today: date | None = None) -> str:
    """The `search_query` string for `query` ("" when it has no search terms, only ids)."""
    clauses: list[str] = []
    if query.text.strip():
        clauses.append(_with_all(query.text))
    cats = [c.strip() for c in query.categories if c.strip()]
    if cats:
        clauses.append(" OR ".join(f"cat:{c}" for c in cats))
    if query.since or query.until:
        since = query.since or _ARXIV_EPOCH
        until = query.until or today or datetime.now(UTC).date()
        if since > until:
            raise ArxivError(f"the date window is empty: since {since} is after until {until}")
        clauses.append(f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]")
    if len(clauses) == 1:
        return clauses[0]
    return " AND ".join(f"({c})" for c in clauses)


# --- Atom -> ArxivEntry ------------------------------------------------------------------------------


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _https(url: str) -> str:
    """arXiv's links still say http://arxiv.org; ask for https directly instead of being redirected."""
    return re.sub(r"^http://(export\.)?arxiv\.org/", r"https://\1arxiv.org/", url)


def entry_from_result(result: arxiv.Result) -> ArxivEntry:
    """Map an `arxiv.Result` onto our `ArxivEntry` (versioned id split, whitespace normalised)."""
    match = re.search(r"/abs/(.+)$", result.entry_id)
    arxiv_id, version = split_version(match.group(1) if match else result.entry_id)

    def when(value: datetime | None) -> datetime | None:
        if value is None or value == datetime.min:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    pdf_url = result.pdf_url
    if pdf_url is None:
        alternate = next((link.href for link in result.links if link.rel == "alternate"), None)
        if alternate and "/abs/" in alternate:
            pdf_url = alternate.replace("/abs/", "/pdf/", 1)
    return ArxivEntry(
        arxiv_id=arxiv_id,
        version=version,
        title=_squash(result.title),
        authors=[_squash(a.name) for a in result.authors if _squash(a.name)],
        abstract=_squash(result.summary),
        categories=list(result.categories),
        primary_category=result.primary_category or (result.categories[0] if result.categories else None),
        published=when(result.published),
        updated=when(result.updated),
        comment=_squash(result.comment) or None,
        doi=_squash(result.doi) or None,
        journal_ref=_squash(result.journal_ref) or None,
        pdf_url=_https(pdf_url) if pdf_url else None,
    )


def error_message(content: bytes) -> str | None:
    """arXiv's message when `content` is an error feed (one entry whose id points at /api/errors)."""
    if b"api/errors" not in content:
        return None
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return None
    for entry in root.iter(f"{_ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            return _squash(entry.findtext(f"{_ATOM}summary")) or _squash(entry.findtext(f"{_ATOM}title")) or "error"
    return None


def parse_feed(content: bytes) -> list[ArxivEntry]:
    """Entries of an arXiv API Atom response (legacy or current format); ArxivError for an error feed."""
    message = error_message(content)
    if message:
        raise ArxivError(f"arXiv rejected the query: {message}")
    feed = _feed.parse(bytes(content))
    if feed.malformed:
        raise ArxivError(f"arXiv's answer is not a readable Atom feed ({feed.error})")
    return [entry_from_result(r) for r in feed.results]


# --- the client ---------------------------------------------------------------------------------------


# Fail loudly rather than fall back to the package's own transport (its User-Agent, no backoff).
if not callable(getattr(arxiv.Client, "_parse_feed", None)):  # pragma: no cover
    raise ImportError(f"arxiv {arxiv.__version__} has no Client._parse_feed; chatpaper needs arxiv 4.x")


class _Transport(arxiv.Client):
    """`arxiv.Client` whose page fetch is `ArxivClient._get_feed` (see the module docstring)."""

    def __init__(self, owner: ArxivClient, page_size: int) -> None:
        super().__init__(page_size=page_size, delay_seconds=owner.delay, num_retries=owner.retries)
        self._session.close()  # ours carries the User-Agent and is shared by the owner's calls
        self.query_url_format = owner.api_url + "?{}"
        self._session = owner.session
        self._owner = owner

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
        return self._owner._get_feed(url, first_page=first_page)


class ArxivClient:
    """How to ask arXiv: endpoint, pacing, User-Agent, retries and paging.

    One client may be shared; requests to a host are serialised and spaced by a process-wide
    pacer, so even several clients cannot exceed `settings.arxiv_delay`.
    """

    def __init__(self, settings: Settings, *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.api_url = settings.arxiv_api_url.split("?", 1)[0].rstrip("/")
        self.delay = settings.arxiv_delay
        self.retries = settings.arxiv_retries
        self.page_size = max(1, min(page_size, 2000))  # 2000: the API's own ceiling per call
        self.session = new_session()
        self._pacer = pacer_for(self.api_url, settings.arxiv_delay)
        self.calls = 0  # HTTP requests made, retries included (for tests and diagnostics)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public ---

    def search(self, query: ArxivQuery) -> Iterator[ArxivEntry]:
        """Entries matching `query`, lazily, page by page, until `max_results` have passed the filters.

        Raises ArxivError when arXiv rejects the query or stays unavailable.
        """
        if query.max_results <= 0:
            return
        search_query = build_search_query(query)
        if not search_query and query.ids:
            # Explicit papers: every one asked for (max_results does not cut the user's own list).
            yield from (e for e in self.fetch(query.ids) if self._passes(e, query))
            return
        if not search_query:
            raise ArxivError("empty arXiv query: give search text, categories, a date window or ids")
        ids: list[str] = []
        for raw in query.ids:
            norm = normalize_id(raw)
            if norm is None:  # dropping it would widen the search instead of narrowing it
                raise ArxivError(f"{raw!r} is not an arXiv id (expected e.g. 2301.00001 or hep-th/9901001)")
            ids.append(norm)
        if query.filtered:
            scan = query.max_scanned or DEFAULT_MAX_SCANNED
            page = self.page_size
        else:
            scan = query.max_results
            page = min(self.page_size, query.max_results)  # no point asking for more than we keep
        search = arxiv.Search(
            query=search_query,
            id_list=ids,
            max_results=scan,
            sort_by=_SORTS[query.sort],
            sort_order=arxiv.SortOrder.Descending,
        )
        passed = 0
        for result in _Transport(self, page).results(search):
            entry = entry_from_result(result)
            if not self._passes(entry, query):
                continue
            yield entry
            passed += 1
            if passed >= query.max_results:
                return

    def find(self, query: ArxivQuery) -> tuple[list[ArxivEntry], list[tuple[str, str]]]:
        """All of `search(query)`, plus (id, reason) for each explicitly asked id that gave no entry."""
        if build_search_query(query) or not query.ids:
            return list(self.search(query)), []
        entries, problems = self.lookup(query.ids)
        return [e for e in entries if self._passes(e, query)], problems

    def fetch(self, ids: Sequence[str]) -> list[ArxivEntry]:
        """Metadata for `ids`, in the order asked, one API call per 100 ids.

        Ids arXiv does not know, and strings that are not arXiv ids, are left out; use `lookup` to
        learn which and why.
        """
        return self.lookup(ids)[0]

    def lookup(self, ids: Sequence[str]) -> tuple[list[ArxivEntry], list[tuple[str, str]]]:
        """Like `fetch`, plus (id as given, one-line reason) for each id that gave no entry."""
        problems: list[tuple[str, str]] = []
        wanted: list[tuple[str, str]] = []  # (as given, normalised)
        seen: set[str] = set()
        for raw in ids:
            norm = normalize_id(raw)
            if norm is None:
                problems.append((raw, "not an arXiv id (expected e.g. 2301.00001, 2301.00001v2 or hep-th/9901001)"))
            elif norm not in seen:
                seen.add(norm)
                wanted.append((raw, norm))
        found: dict[str, ArxivEntry] = {}
        for start in range(0, len(wanted), ID_BATCH):
            batch = [norm for _, norm in wanted[start : start + ID_BATCH]]
            search = arxiv.Search(id_list=batch, max_results=len(batch))
            for result in _Transport(self, len(batch)).results(search):
                entry = entry_from_result(result)
                found.setdefault(entry.versioned_id, entry)
                found.setdefault(entry.arxiv_id, entry)
        entries: list[ArxivEntry] = []
        for raw, norm in wanted:
            entry = found.get(norm) or found.get(split_version(norm)[0])
            if entry is None:
                problems.append((raw, f"arXiv has no paper {norm}: check the id"))
            else:
                entries.append(entry)
        return entries, problems

    # --- transport ---

    @staticmethod
    def _passes(entry: ArxivEntry, query: ArxivQuery) -> bool:
        if query.filter_keys and not matches_all(entry, query.filter_keys):
            return False
        return not (query.exclude_keys and find_keywords(f"{entry.title}\n{entry.abstract}", query.exclude_keys))

    def _get_feed(self, url: str, *, first_page: bool) -> _feed.ParsedFeed:
        """One page, with pacing, retries and arXiv's error feeds turned into ArxivError."""
        start = (parse_qs(urlsplit(url).query).get("start") or ["0"])[0]

        def attempt() -> _feed.ParsedFeed:
            with self._pacer.slot():
                self.calls += 1
                try:
                    response = self.session.get(url, timeout=TIMEOUT)
                except (requests.ConnectionError, requests.Timeout) as exc:
                    raise Retry(f"connection failed ({type(exc).__name__})") from None
            if response.status_code in RETRYABLE_STATUS:
                raise Retry(f"HTTP {response.status_code}", retry_after_seconds(response))
            message = error_message(response.content)
            if message:
                raise ArxivError(f"arXiv rejected the query: {message}")
            if response.status_code != 200:
                raise ArxivError(f"arXiv API answered HTTP {response.status_code} for {url}")
            feed = _feed.parse(response.content)
            if feed.malformed:
                raise Retry("unreadable Atom feed")
            # arXiv sometimes sends a page with no entries although more exist; a first page is
            # only suspicious when it says there are results.
            if not feed.results and (not first_page or feed.header.total_results > int(start)):
                raise Retry(f"empty page at start={start}")
            return feed

        def give_up(attempts: int, reason: str) -> ArxivError:
            return ArxivError(f"arXiv API unavailable after {attempts} attempts: {reason}; try again later")

        return with_retries(attempt, retries=self.retries, base_delay=self.delay, give_up=give_up)
