"""arXiv's search API: `ArxivQuery` says *what* to ask, `ArxivClient` says *how*.

This is the only module importing the `arxiv` package. We keep its query building, paging and Atom
parsing, and replace its transport with ours: the configured endpoint, chatpaper's User-Agent, a
shared pacer (arXiv's terms: one request every 3 s), jittered exponential backoff on
429/5xx/connection errors/arXiv's sporadic empty pages, and arXiv's own message when it rejects a
query. Id lists are fetched one page per batch of ids. What that takes of the package's private
internals is kept in one place, `_Arxiv4Adapter` (see its docstring), behind the `arxiv>=4,<5` pin;
the tests exercise it with the real package against a fake server.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal, Protocol
from urllib.parse import parse_qs, urlsplit

import arxiv
from arxiv import _feed  # private: used by _Arxiv4Adapter only

from chatpaper.errors import ArxivError, ArxivQueryError, ArxivRejectedError, ArxivUnavailableError
from chatpaper.models import ArxivEntry, PaperRef
from chatpaper.ranking import find_keywords, matches_all
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
from chatpaper.sources.local import report_name
from chatpaper.words import plural

log = logging.getLogger(__name__)

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
_FIELD_NAMES = (
    "ti (title), au (author), abs (abstract), co (comment), jr (journal ref), cat (category), "
    "rn (report number), id, all, submittedDate, lastUpdatedDate"
)
_OPERATORS = ("AND", "OR", "ANDNOT")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<group>[A-Za-z]+):\(
      | (?P<paren>[()])
      | (?P<term>(?:[A-Za-z]+:)?(?:"[^"]*"|\[[^\]]*\]|[^\s()"]+))
      | (?P<stray>")
    )""",
    re.VERBOSE,
)
_FIELD_PREFIX = re.compile(r"(?P<field>[A-Za-z]+):(?P<value>.*)", re.DOTALL)
_ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class ArxivQuery:
    """What to ask arXiv for.

    `text` is arXiv query syntax passed through (ti:, au:, abs:, cat:, AND, OR, ANDNOT, quoted
    phrases); words without a field search everywhere (all:). `categories` are ANDed in as
    (cat:a OR cat:b); `since`/`until` bound the submission date. `max_results` counts entries that
    pass `filter_keys` (all must occur) and `exclude_keys` (none may occur), whole words on title +
    abstract. `ids` fetches those papers, all of them (max_results does not apply; ids that give
    no entry are reported, see `ArxivClient.find`); with other terms the search is limited to them.
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


def _known_field(name: str, text: str, term: str | None = None) -> str:
    """`name` if it is one of arXiv's fields; else ArxivError listing them."""
    if name not in _FIELDS:
        quote = f'; or write "{term}" in quotes to search for it as written' if term else ""
        raise ArxivQueryError(f"unknown field {name}: in query {text!r}: arXiv's fields are {_FIELD_NAMES}{quote}")
    return name


def _with_all(text: str) -> str:
    """Give bare words and quoted phrases a field, and make implicit ANDs explicit.

    A word's field is `all:`, or the field of the group it sits in: `ti:(graph OR neural)` becomes
    `(ti:graph OR ti:neural)`, since arXiv itself has no field-wide groups. An unknown `word:term`
    field is refused rather than searched as the literal text `all:word:term`.
    """
    parts: list[str] = []
    fields: list[str] = []  # the field of each open parenthesis, innermost last
    pos = 0
    text = text.strip()
    if text.count('"') % 2:  # before reading fields: `ti:"open` is a quote left open, not an empty ti:
        raise ArxivQueryError(f"unbalanced quote in query {text!r}: close the quoted phrase")
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
        if match.group("stray"):
            raise ArxivQueryError(f"unbalanced quote in query {text!r}: close the quoted phrase")
        if match.group("group"):
            fields.append(_known_field(match.group("group"), text))
            token = "("
        else:
            token = match.group("paren") or match.group("term")
        operand = token not in (*_OPERATORS, "(", ")")
        if (token == "(" or operand) and parts and parts[-1] not in (*_OPERATORS, "("):
            parts.append("AND")  # arXiv's default between terms is unclear: say what we mean
        if token == "(" and not match.group("group"):
            fields.append(fields[-1] if fields else "all")
        elif token == ")" and fields:
            fields.pop()  # an unmatched ")" goes through: arXiv's own error then names the problem
        elif operand:
            token = _with_field(token, fields[-1] if fields else "all", text)
        parts.append(token)
    return " ".join(parts).replace("( ", "(").replace(" )", ")")


def _with_field(token: str, default: str, text: str) -> str:
    """`token` with its field: its own (checked), else `default`."""
    prefixed = _FIELD_PREFIX.fullmatch(token)
    if prefixed is None or prefixed.group("value").startswith("//"):  # a plain word, a phrase, a URL
        return f"{default}:{token}"
    name, value = prefixed.group("field"), prefixed.group("value")
    if not value:
        if name in _FIELDS:
            raise ArxivQueryError(f"field {name}: in query {text!r} has no term: write {name}:word or {name}:(a OR b)")
        return f"{default}:{name}"  # a word that ends a phrase with a colon ("BERT: pretraining")
    return f"{_known_field(name, text, token)}:{value}"


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
            raise ArxivQueryError(f"the date window is empty: since {since} is after until {until}")
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


# --- the arxiv 4.x adapter: the only code touching the package's private internals ----------------


class _PageHeader(Protocol):
    total_results: int


class ArxivPage(Protocol):
    """What chatpaper reads of one page of results as arxiv 4.x parses it (its `_feed.ParsedFeed`)."""

    header: _PageHeader
    results: list[arxiv.Result]
    malformed: bool
    error: Exception | None


PageFetch = Callable[[str, bool], ArxivPage]  # (page URL, first page?) -> the page

# Fail loudly at import rather than fall back to the package's own transport (its User-Agent, no backoff).
for _seam in ("_parse_feed", "_format_url"):
    if not callable(getattr(arxiv.Client, _seam, None)):  # pragma: no cover
        raise ImportError(f"arxiv {arxiv.__version__} has no Client.{_seam}; chatpaper needs arxiv 4.x")


class _Arxiv4Adapter(arxiv.Client):
    """`arxiv.Client` paging through chatpaper's transport: the one place using arxiv 4.x private internals.

    It uses `Client._parse_feed` (overridden: the page fetch becomes `fetch`, i.e. `ArxivClient._get_feed`),
    `Client._format_url` (a page's URL, for id lists fetched one page per batch) and `arxiv._feed.parse`
    (a page's bytes to `Result`s). The package's own session and User-Agent are never used: their only
    user is `_parse_feed`.

    The public API that would replace it is `arxiv.Client(page_size, delay_seconds, num_retries)` with
    `query_url_format` set to the endpoint, and `Client.results(search)`. It is not used because it has no
    hook for the transport: it sends its own User-Agent (arxiv.py/<version>) through its own session,
    paces per Client instance rather than per host across the process, retries every failure (a 400
    included) after the same fixed delay with no backoff and no Retry-After, turns arXiv's error feeds
    into a bare HTTP 400 without arXiv's message, and pages an id list into a second page that can only
    come back empty. The `arxiv>=4,<5` pin in
    pyproject.toml keeps these names stable; the check above fails at import when they are gone.
    """

    def __init__(self, api_url: str, fetch: PageFetch, *, page_size: int, delay: float, retries: int) -> None:
        super().__init__(page_size=page_size, delay_seconds=delay, num_retries=retries)
        self.query_url_format = api_url + "?{}"
        self._fetch = fetch

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> ArxivPage:
        return self._fetch(url, first_page)

    def page_url(self, search: arxiv.Search, start: int, page_size: int) -> str:
        """The API URL for `page_size` results of `search` from `start`."""
        return str(self._format_url(search, start, page_size))

    @staticmethod
    def parse_page(content: bytes) -> ArxivPage:
        """A page's bytes, parsed (an unreadable document is `malformed`, never an exception)."""
        return _feed.parse(content)


# --- the client ---------------------------------------------------------------------------------------


def _named_ids(message: str, batch: Sequence[str]) -> list[str]:
    """The ids of `batch` that arXiv's error `message` names (as sent, or without the version)."""
    named = []
    for arxiv_id in batch:
        forms = {arxiv_id, split_version(arxiv_id)[0]}
        if any(re.search(rf"(?<![\w./]){re.escape(form)}(?!\w)", message) for form in forms):
            named.append(arxiv_id)
    return named


def _api_request_failed(exc: Exception) -> ArxivError:
    return ArxivError(
        f"arXiv API request failed ({type(exc).__name__}: {exc}); "
        "check the arxiv_api_url setting (CHATPAPER_ARXIV_API_URL)"
    )


class ArxivClient:
    """How to ask arXiv: endpoint, pacing, User-Agent, retries and paging.

    One client may be shared; requests to a host are serialised and spaced by a process-wide
    pacer, so even several clients cannot exceed `settings.delay` (arxiv_delay) (never under 3 s on
    arxiv.org itself, see `polite_delay`).
    """

    def __init__(self, settings: ArxivSettings, *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.api_url = settings.api_url.split("?", 1)[0].rstrip("/")
        self.delay = polite_delay(self.api_url, settings.delay)
        self.retries = settings.retries
        self.page_size = max(1, min(page_size, 2000))  # 2000: the API's own ceiling per call
        self.session = new_session()
        self._pacer = pacer_for(self.api_url, self.delay)
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

        With `query.ids`, the papers `find` gives (max_results does not cut the user's own list).
        When a later page stays empty or unavailable through the retries, the search stops with what
        it found and logs a warning. Raises ArxivError when arXiv rejects the query, or stays
        unavailable on the first page.
        """
        if query.ids:
            yield from self.find(query)[0]
            return
        if query.max_results <= 0:
            return
        search_query = build_search_query(query)
        if not search_query:
            raise ArxivQueryError("empty arXiv query: give search text, categories, a date window or ids")
        if query.filtered:
            scan = query.max_scanned or DEFAULT_MAX_SCANNED
            page = self.page_size
        else:
            scan = query.max_results
            page = min(self.page_size, query.max_results)  # no point asking for more than we keep
        search = arxiv.Search(
            query=search_query, max_results=scan, sort_by=_SORTS[query.sort], sort_order=arxiv.SortOrder.Descending
        )
        results = self._adapter(page).results(search)
        read = passed = 0
        while True:
            try:
                result = next(results, None)
            except ArxivUnavailableError as exc:
                if read == 0:
                    raise
                # A later page: what the earlier ones gave is still worth summarizing.
                log.warning(
                    "arXiv stopped answering after the first %d results (%s, %d attempts): going on with the %d "
                    "papers found; run again later for more",
                    read,
                    exc.reason,
                    self.retries + 1,
                    passed,
                )
                return
            if result is None:
                break
            read += 1
            entry = entry_from_result(result)
            if not self._passes(entry, query):
                continue
            yield entry
            passed += 1
            if passed >= query.max_results:
                return
        if query.filtered and read >= scan:
            log.warning(
                "stopped after reading %d arXiv results, of which %d passed the filter/exclude keys (%d wanted): "
                "narrow the query (ti:, cat:, dates) to find more",
                scan,
                passed,
                query.max_results,
            )

    def find(self, query: ArxivQuery) -> tuple[list[ArxivEntry], list[tuple[str, str]]]:
        """All of `search(query)`, plus (id as given, one-line reason) for each asked id that gave no entry.

        Explicit ids are all fetched (max_results does not apply), in one request per 100 ids; alone
        they come back in the order asked, with search terms in arXiv's order. A bare id is the
        latest version arXiv returned; asking for the same version twice gives it once.
        """
        if not query.ids:
            return list(self.search(query)), []
        search_query = build_search_query(query)
        problems: list[tuple[str, str]] = []
        wanted: dict[str, str] = {}  # normalised -> as given (first time asked)
        for raw in query.ids:
            norm = normalize_id(raw)
            if norm is None:  # left out of the id list; never dropped so as to widen the search
                problems.append((raw, "not an arXiv id (expected e.g. 2301.00001, 2301.00001v2 or hep-th/9901001)"))
            else:
                wanted.setdefault(norm, raw)
        returned, failed = self._fetch_ids(list(wanted), search_query, query.sort)

        by_version = {e.versioned_id: e for e in returned}
        latest: dict[str, ArxivEntry] = {}
        for entry in returned:
            current = latest.get(entry.arxiv_id)
            if current is None or (entry.version or 0) > (current.version or 0):
                latest[entry.arxiv_id] = entry
        resolved: dict[str, ArxivEntry] = {}  # versioned id -> entry, in the order asked
        for norm, raw in wanted.items():
            base, version = split_version(norm)
            found = by_version.get(norm) if version is not None else latest.get(base)
            if found is not None:
                resolved.setdefault(found.versioned_id, found)
            elif norm in failed:
                problems.append((raw, failed[norm]))
            elif search_query:
                problems.append(
                    (raw, f"arXiv returned nothing for {norm}: unknown to arXiv or outside the query's other terms")
                )
            else:
                problems.append((raw, f"arXiv has no paper {norm}: check the id"))
        entries = list(resolved.values())
        if search_query:  # arXiv's order (the query's sort) rather than the order asked
            order = {e.versioned_id: n for n, e in enumerate(returned)}
            entries.sort(key=lambda e: order[e.versioned_id])
        return [e for e in entries if self._passes(e, query)], problems

    def fetch(self, ids: Sequence[str]) -> list[ArxivEntry]:
        """Metadata for `ids`, in the order asked, one API call per 100 ids.

        Ids arXiv does not know, and strings that are not arXiv ids, are left out; use `lookup` to
        learn which and why.
        """
        return self.lookup(ids)[0]

    def lookup(self, ids: Sequence[str]) -> tuple[list[ArxivEntry], list[tuple[str, str]]]:
        """Like `fetch`, plus (id as given, one-line reason) for each id that gave no entry."""
        return self.find(ArxivQuery(ids=list(ids)))

    # --- ids ---

    def _fetch_ids(self, ids: Sequence[str], search_query: str, sort: Sort) -> tuple[list[ArxivEntry], dict[str, str]]:
        """Entries arXiv returns for `ids` (narrowed by `search_query`), and {id: reason} for ids not asked.

        When a batch after the first stays unavailable, the entries found so far are kept and the
        ids not asked get the reason (a warning is logged).
        """
        entries: list[ArxivEntry] = []
        failed: dict[str, str] = {}
        batches = [list(ids[n : n + ID_BATCH]) for n in range(0, len(ids), ID_BATCH)]
        for number, batch in enumerate(batches):
            try:
                got, rejected = self._id_batch(batch, search_query, sort)
            except ArxivUnavailableError as exc:
                if number == 0:
                    raise
                rest = [arxiv_id for later in batches[number:] for arxiv_id in later]
                log.warning("arXiv stopped answering (%s): %d of the ids asked were not fetched", exc.reason, len(rest))
                failed.update((arxiv_id, f"not fetched: {exc}") for arxiv_id in rest)
                break
            entries += got
            failed.update(rejected)
        return entries, failed

    def _id_batch(self, batch: list[str], search_query: str, sort: Sort) -> tuple[list[ArxivEntry], dict[str, str]]:
        """One batch of ids; an id arXiv rejects by name is taken out ({id: reason}) and the rest asked again."""
        rejected: dict[str, str] = {}
        while batch:
            try:
                return self._id_page(batch, search_query, sort), rejected
            except ArxivRejectedError as exc:
                named = _named_ids(exc.message, batch)
                if not named:
                    other = re.search(r"\bid format for (\S+)", exc.message)
                    if other is None:
                        raise
                    text = f"arXiv rejected id {other.group(1)}: {exc.message}"
                    raise ArxivRejectedError(text, exc.message) from None
                rejected.update((arxiv_id, f"arXiv rejected id {arxiv_id}: {exc.message}") for arxiv_id in named)
                batch = [arxiv_id for arxiv_id in batch if arxiv_id not in named]
        return [], rejected

    def _id_page(self, ids: list[str], search_query: str, sort: Sort) -> list[ArxivEntry]:
        """The entries for up to ID_BATCH ids in one request, never a page 2.

        arXiv's totals for an id list can count ids it has no entry for, so the `arxiv` package's
        paging would ask for a second page that can only come back empty (and retry it to failure).
        """
        search = arxiv.Search(
            query=search_query,
            id_list=ids,
            max_results=len(ids),
            sort_by=_SORTS[sort],
            sort_order=arxiv.SortOrder.Descending,
        )
        url = self._adapter(len(ids)).page_url(search, 0, len(ids))
        feed = self._get_feed(url, first_page=True, empty_ok=True)
        if not feed.results and feed.header.total_results > 0:
            # Empty although counted: unknown ids, or one of arXiv's sporadic empty pages. Ask once more.
            feed = self._get_feed(url, first_page=True, empty_ok=True)
        return [entry_from_result(r) for r in feed.results]

    # --- transport ---

    def _adapter(self, page_size: int) -> _Arxiv4Adapter:
        """The package's paging, with its page fetch done by `_get_feed`."""
        return _Arxiv4Adapter(
            self.api_url,
            lambda url, first_page: self._get_feed(url, first_page=first_page),
            page_size=page_size,
            delay=self.delay,
            retries=self.retries,
        )

    @staticmethod
    def _passes(entry: ArxivEntry, query: ArxivQuery) -> bool:
        if query.filter_keys and not matches_all(entry, query.filter_keys):
            return False
        return not (query.exclude_keys and find_keywords(f"{entry.title}\n{entry.abstract}", query.exclude_keys))

    def _get_feed(self, url: str, *, first_page: bool, empty_ok: bool = False) -> ArxivPage:
        """One page, with pacing and retries; arXiv's error feeds become ArxivRejectedError.

        `empty_ok`: a page without entries is an answer, not one of arXiv's sporadic empty pages.
        """
        start = (parse_qs(urlsplit(url).query).get("start") or ["0"])[0]

        def attempt() -> ArxivPage:
            with self._pacer.slot():
                self.calls += 1
                response = send_get(self.session, url, refused=_api_request_failed)
            if response.status_code in RETRYABLE_STATUS:
                raise Retry(f"HTTP {response.status_code}", retry_after_seconds(response))
            message = error_message(response.content)
            if message:
                raise ArxivRejectedError(f"arXiv rejected the query: {message}", message)
            if response.status_code != 200:
                raise ArxivError(f"arXiv API answered HTTP {response.status_code} for {mask_url_credentials(url)}")
            feed = _Arxiv4Adapter.parse_page(response.content)
            if feed.malformed:
                raise Retry("unreadable Atom feed")
            # arXiv sometimes sends a page with no entries although more exist; a first page is
            # only suspicious when it says there are results.
            if not feed.results and not empty_ok and (not first_page or feed.header.total_results > int(start)):
                raise Retry(f"empty page at start={start}")
            return feed

        def give_up(attempts: int, reason: str) -> ArxivError:
            text = f"arXiv API unavailable after {plural(attempts, 'attempt')}: {reason}; try again later"
            return ArxivUnavailableError(text, reason)

        return with_retries(attempt, retries=self.retries, base_delay=self.delay, give_up=give_up)
