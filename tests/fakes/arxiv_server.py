"""A loopback stand-in for arXiv: the search API, the announcement feed and PDFs.

    with FakeArxivServer(make_entries(30)) as server:
        settings = Settings(**server.settings_overrides(delay=0.1))
        ...
        assert len(server.api_requests) == 2

Routes (all on 127.0.0.1, port 0):
- `GET /api/query`: Atom in the shape of arXiv's current API (opensearch totals, `arxiv:` elements,
  alternate and pdf links pointing back at this server), paging by start/max_results, `id_list`
  lookups (malformed ids -> HTTP 400 error feed like arXiv's), a small evaluator for search_query
  (ti: au: abs: co: jr: cat: id: all:, AND/OR/ANDNOT, parentheses, quoted phrases, trailing *,
  submittedDate/lastUpdatedDate ranges) and sortBy/sortOrder.
- `GET /atom/<cat>+<cat>`: the announcement feed in rss.arxiv.org's Atom shape.
- `GET /pdf/<id>v<n>`: a PDF (bytes given by the test in `pdfs`, else a generated one-page PDF with
  the paper's title and abstract).

Faults are scripted per route ("api", "rss", "pdf"): `fail()` (503, 429 + Retry-After...),
`respond_raw()` (recorded bytes), `empty_page()`, `truncate_api()`, `truncate_feed()`, `truncate_pdf()`,
`missing_pdfs`, `slow()`.
Every request is logged in `requests` with its arrival time (time.monotonic()) and headers.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from chatpaper.models import ArxivEntry

Route = str  # "api" | "rss" | "pdf" | "other"

_NEW_ID = re.compile(r"^\d{4}\.\d{4,5}(?:v\d+)?$")
_OLD_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?$")
_VERSION = re.compile(r"^(?P<id>.+?)v(?P<v>\d+)$")


# --- data helpers ----------------------------------------------------------------------------------

_TOPICS = [
    ("retrieval-augmented generation", "RAG"),
    ("large language models", "LLM"),
    ("graph neural networks", "GNN"),
    ("diffusion models", "diffusion"),
    ("reinforcement learning", "RL"),
    ("speech recognition", "ASR"),
    ("machine translation", "MT"),
    ("protein folding", "proteins"),
    ("quantum error correction", "qubits"),
    ("code generation", "code"),
]
_ADJECTIVES = ["Efficient", "Robust", "Scalable", "Sparse", "Adaptive", "Contrastive", "Causal", "Federated"]
_NOUNS = ["Attention", "Distillation", "Benchmarks", "Alignment", "Pretraining", "Decoding", "Evaluation"]
_CATEGORIES = ["cs.CL", "cs.LG", "cs.AI", "cs.CV", "stat.ML", "quant-ph"]
_NAMES = ["Ada Li", "Bo Chen", "Carla Diaz", "Dmitri Ivanov", "Emma Müller", "Farid Haddad", "Grace Okafor"]


def make_entries(
    n: int,
    *,
    first_id: str = "2501.00001",
    categories: Iterable[str] | None = None,
    start: datetime | None = None,
    seed: int = 0,
) -> list[ArxivEntry]:
    """`n` plausible, deterministic entries with consecutive new-style ids, newest last.

    Titles and abstracts mention one topic each (e.g. "retrieval-augmented generation (RAG)") so
    keyword tests have something to find. `categories` fixes every entry's categories; otherwise
    they rotate through a few cs/stat ones. Entry i is submitted `start + i` days.
    """
    rng = random.Random(seed)
    prefix, number = first_id.split(".")
    width = len(number)
    start = start or datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    fixed = list(categories) if categories is not None else None
    entries: list[ArxivEntry] = []
    for i in range(n):
        topic, short = _TOPICS[i % len(_TOPICS)]
        cats = fixed or [_CATEGORIES[i % len(_CATEGORIES)], _CATEGORIES[(i + 1) % len(_CATEGORIES)]]
        title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} for {topic.title()}"
        abstract = (
            f"We study {topic} ({short}). Existing methods are slow and brittle. "
            f"We propose a {rng.choice(_ADJECTIVES).lower()} approach and evaluate it on {rng.randint(2, 9)} "
            f"benchmarks, improving accuracy by {rng.randint(1, 15)} points."
        )
        when = start + timedelta(days=i)
        entries.append(
            ArxivEntry(
                arxiv_id=f"{prefix}.{int(number) + i:0{width}d}",
                version=1 + (i % 3 == 2),
                title=title,
                authors=rng.sample(_NAMES, k=1 + i % 3),
                abstract=abstract,
                categories=cats,
                primary_category=cats[0],
                published=when,
                updated=when + timedelta(days=i % 4),
                comment=f"{8 + i % 5} pages" if i % 2 == 0 else None,
            )
        )
    return entries


def make_pdf(title: str, body: str = "") -> bytes:
    """A small valid one-page PDF with `title` in large type and `body` below it."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 540, 160), title, fontsize=16)
    if body:
        page.insert_textbox(pymupdf.Rect(72, 170, 540, 760), body, fontsize=10)
    doc.set_metadata({"title": title})
    data = doc.tobytes()
    doc.close()
    return data


def _versioned(entry: ArxivEntry) -> str:
    return entry.versioned_id


def _split(vid: str) -> tuple[str, int | None]:
    m = _VERSION.match(vid)
    return (m.group("id"), int(m.group("v"))) if m else (vid, None)


def _stamp(value: datetime | None) -> str:
    value = value or datetime(2025, 1, 1, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- search_query evaluation ----------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(\(|\)|(?:[A-Za-z]+:)?(?:"[^"]*"|\[[^\]]*\]|[^\s()"]+))')


class QueryError(ValueError):
    """A search_query the fake cannot read (arXiv answers such queries with HTTP 400 too)."""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _field_text(entry: ArxivEntry, name: str) -> str:
    if name == "ti":
        return entry.title
    if name == "au":
        return " ; ".join(entry.authors)
    if name == "abs":
        return entry.abstract
    if name == "co":
        return entry.comment or ""
    if name == "jr":
        return entry.journal_ref or ""
    if name == "id":
        return entry.versioned_id
    if name == "all":
        return " ".join(
            [entry.title, entry.abstract, " ; ".join(entry.authors), entry.comment or "", " ".join(entry.categories)]
        )
    raise QueryError(f"unknown field {name}")


def _contains(haystack: list[str], needle: list[str], prefix: bool) -> bool:
    if not needle:
        return False
    n = len(needle)
    for i in range(len(haystack) - n + 1):
        window = haystack[i : i + n]
        if window[:-1] == needle[:-1] and (window[-1] == needle[-1] or (prefix and window[-1].startswith(needle[-1]))):
            return True
    return False


def _in_range(value: datetime | None, spec: str) -> bool:
    m = re.fullmatch(r"\[\s*(\d{8,14})\s+TO\s+(\d{8,14})\s*\]", spec)
    if not m:
        raise QueryError(f"bad date range {spec}")
    if value is None:
        return False

    def parse(s: str) -> datetime:
        s = (s + "000000")[:14]
        return datetime.strptime(s, "%Y%m%d%H%M%S").replace(tzinfo=UTC)

    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse(m.group(1)) <= moment.astimezone(UTC) <= parse(m.group(2)).replace(second=59)


def _term_matches(entry: ArxivEntry, term: str) -> bool:
    name, sep, value = term.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z]+", name):
        name, value = "all", term
    if name in ("submittedDate", "lastUpdatedDate"):
        return _in_range(entry.published if name == "submittedDate" else entry.updated, value)
    quoted = value.startswith('"') and value.endswith('"') and len(value) >= 2
    value = value.strip('"')
    if name == "cat":
        pattern = value.lower()
        cats = [c.lower() for c in entry.categories]
        if pattern.endswith("*"):
            return any(c.startswith(pattern[:-1]) for c in cats)
        return pattern in cats
    prefix = value.endswith("*") and not quoted
    needle = _words(value.replace("_", " "))
    return _contains(_words(_field_text(entry, name)), needle, prefix)


class _Parser:
    """OR binds loosest; AND, ANDNOT and juxtaposition bind tighter; left to right."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise QueryError(f"cannot read query near {text[pos:]!r}")
            self.tokens.append(m.group(1))
            pos = m.end()
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise QueryError("query ends too early")
        self.pos += 1
        return token

    def parse(self) -> Any:
        node = self.parse_or()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek()!r}")
        return node

    def parse_or(self) -> Any:
        node = self.parse_and()
        while self.peek() == "OR":
            self.take()
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self) -> Any:
        node = self.parse_atom()
        while self.peek() not in (None, "OR", ")"):
            op = self.peek()
            if op in ("AND", "ANDNOT"):
                self.take()
            node = ("andnot" if op == "ANDNOT" else "and", node, self.parse_atom())
        return node

    def parse_atom(self) -> Any:
        token = self.take()
        if token == "(":
            node = self.parse_or()
            if self.take() != ")":
                raise QueryError("unbalanced parentheses")
            return node
        if token in ("AND", "OR", "ANDNOT", ")"):
            raise QueryError(f"unexpected {token!r}")
        return ("term", token)


def _evaluate(node: Any, entry: ArxivEntry) -> bool:
    kind = node[0]
    if kind == "term":
        return _term_matches(entry, node[1])
    left = _evaluate(node[1], entry)
    right = _evaluate(node[2], entry)
    if kind == "and":
        return left and right
    if kind == "or":
        return left or right
    return left and not right


def compile_query(text: str) -> Any:
    """Parse a search_query once; `matches(tree, entry)` evaluates it. QueryError when unreadable."""
    return _Parser(text).parse()


def matches(tree: Any, entry: ArxivEntry) -> bool:
    return _evaluate(tree, entry)


# --- the server ------------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    time: float  # time.monotonic() at arrival
    route: Route
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 0

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")


@dataclass
class _Fault:
    route: Route
    times: int
    status: int = 503
    retry_after: float | str | None = None
    body: bytes | None = None
    content_type: str = "text/plain; charset=utf-8"
    start: int | None = None  # api only: fault only requests with this start
    kind: str = "status"  # "status" | "empty" | "truncate"
    pdf_id: str | None = None  # pdf only: fault only this id
    after: int = 0  # matching requests let through before the fault starts


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: list[_Fault] = field(default_factory=list)
    in_flight: dict[Route, int] = field(default_factory=dict)
    peak_in_flight: dict[Route, int] = field(default_factory=dict)


class FakeArxivServer:
    """arXiv on loopback for tests. See the module docstring for routes and fault modes.

    `entries` (ArxivEntry or dicts) back the API; `announcements` back the feed (default: the same
    entries; an entry's announce_type is used when set, else "new" when its primary category was
    asked for and "cross" otherwise). `pdfs` maps an id (with or without version) to PDF bytes.
    """

    def __init__(
        self,
        entries: Iterable[ArxivEntry | Mapping[str, Any]] = (),
        *,
        announcements: Iterable[ArxivEntry | Mapping[str, Any]] | None = None,
        announce_day: date = date(2025, 8, 20),
        pdfs: Mapping[str, bytes] | None = None,
    ) -> None:
        self.entries: list[ArxivEntry] = [self._coerce(e) for e in entries]
        self.announcements: list[ArxivEntry] | None = (
            None if announcements is None else [self._coerce(e) for e in announcements]
        )
        self.announce_day = announce_day
        self.pdfs: dict[str, bytes] = dict(pdfs or {})
        self.missing_pdfs: set[str] = set()  # ids (with or without version) whose PDF answers 404
        self.delays: dict[Route, float] = {}
        self.requests: list[RecordedRequest] = []
        self._state = _State()
        self._generated: dict[str, bytes] = {}

        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for it, and tests start and stop many servers.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-arxiv", daemon=True
        )
        self._thread.start()

    # --- addresses ---

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/query"

    @property
    def rss_url(self) -> str:
        return f"{self.base_url}/atom"

    def pdf_url(self, versioned_id: str) -> str:
        return f"{self.base_url}/pdf/{versioned_id}"

    def settings_overrides(self, *, delay: float = 0.1, retries: int = 3) -> dict[str, Any]:
        """Settings fields pointing chatpaper at this server, e.g. `Settings(**server.settings_overrides())`."""
        return {
            "arxiv_api_url": self.api_url,
            "arxiv_rss_url": self.rss_url,
            "arxiv_delay": delay,
            "arxiv_retries": retries,
        }

    def env(self, *, delay: float = 0.1, retries: int = 3) -> dict[str, str]:
        """The same as CHATPAPER_* environment variables, for CLI tests."""
        return {
            f"CHATPAPER_{k.upper()}": str(v) for k, v in self.settings_overrides(delay=delay, retries=retries).items()
        }

    # --- lifecycle ---

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeArxivServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- data ---

    @staticmethod
    def _coerce(entry: ArxivEntry | Mapping[str, Any]) -> ArxivEntry:
        return entry if isinstance(entry, ArxivEntry) else ArxivEntry.model_validate(dict(entry))

    def add_entries(self, entries: Iterable[ArxivEntry | Mapping[str, Any]]) -> None:
        self.entries.extend(self._coerce(e) for e in entries)

    def find(self, arxiv_id: str) -> ArxivEntry | None:
        """The entry for an id, with or without version (a version is reported as asked)."""
        base, version = _split(arxiv_id)
        for entry in self.entries:
            if entry.arxiv_id == base:
                return entry.model_copy(update={"version": version}) if version else entry
        return None

    def pdf_bytes(self, versioned_id: str) -> bytes | None:
        """What /pdf/<id> serves: the test's bytes, else a generated PDF for a known entry."""
        base, _ = _split(versioned_id)
        for key in (versioned_id, base):
            if key in self.pdfs:
                return self.pdfs[key]
        entry = self.find(versioned_id)
        if entry is None:
            return None
        with self._state.lock:
            cached = self._generated.get(versioned_id)
        if cached is None:
            body = "\n".join([", ".join(entry.authors), "", "Abstract", entry.abstract])
            cached = make_pdf(entry.title, body)
            with self._state.lock:
                self._generated[versioned_id] = cached
        return cached

    # --- faults ---

    def fail(
        self,
        route: Route = "api",
        status: int = 503,
        *,
        times: int = 1,
        retry_after: float | str | None = None,
        body: bytes | None = None,
        pdf_id: str | None = None,
        after: int = 0,
    ) -> None:
        """The next `times` requests on `route` (after `after` good ones) answer `status`.

        429 with `retry_after` sets Retry-After.
        """
        self._add(
            _Fault(
                route=route, times=times, status=status, retry_after=retry_after, body=body, pdf_id=pdf_id, after=after
            )
        )

    def respond_raw(
        self,
        body: bytes,
        *,
        route: Route = "api",
        status: int = 200,
        times: int = 1,
        content_type: str = "application/atom+xml; charset=utf-8",
    ) -> None:
        """The next `times` requests on `route` get exactly these bytes (e.g. a recorded arXiv feed)."""
        self._add(_Fault(route=route, times=times, status=status, body=body, content_type=content_type))

    def empty_page(self, start: int, *, times: int = 1) -> None:
        """The next `times` API requests with this `start` get a valid feed with zero entries."""
        self._add(_Fault(route="api", times=times, kind="empty", start=start))

    def truncate_api(self, *, times: int = 1) -> None:
        """The next `times` API answers announce their full size but send half (cut mid-transfer)."""
        self._add(_Fault(route="api", times=times, kind="truncate"))

    def truncate_feed(self, *, times: int = 1) -> None:
        """The next `times` announcement-feed answers announce their full size but send half."""
        self._add(_Fault(route="rss", times=times, kind="truncate"))

    def truncate_pdf(self, pdf_id: str | None = None, *, times: int = 1) -> None:
        """The next `times` PDF requests (for `pdf_id`, or any) announce the full size but send half."""
        self._add(_Fault(route="pdf", times=times, kind="truncate", pdf_id=pdf_id))

    def slow(self, route: Route, seconds: float) -> None:
        """Every response on `route` waits `seconds` first."""
        self.delays[route] = seconds

    def _add(self, fault: _Fault) -> None:
        with self._state.lock:
            self._state.faults.append(fault)

    def _take_fault(self, route: Route, query: dict[str, str], pdf_id: str | None) -> _Fault | None:
        with self._state.lock:
            for fault in self._state.faults:
                if fault.route != route or fault.times <= 0:
                    continue
                if fault.start is not None and str(fault.start) != query.get("start", "0"):
                    continue
                if fault.pdf_id is not None and fault.pdf_id not in (pdf_id, _split(pdf_id or "")[0]):
                    continue  # an unversioned fault id matches every version
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.times -= 1
                return fault
        return None

    # --- request log helpers ---

    def requests_for(self, route: Route) -> list[RecordedRequest]:
        with self._state.lock:
            return [r for r in self.requests if r.route == route]

    @property
    def api_requests(self) -> list[RecordedRequest]:
        return self.requests_for("api")

    @property
    def rss_requests(self) -> list[RecordedRequest]:
        return self.requests_for("rss")

    @property
    def pdf_requests(self) -> list[RecordedRequest]:
        return self.requests_for("pdf")

    def peak_in_flight(self, route: Route) -> int:
        """The most requests on `route` the server was handling at once."""
        with self._state.lock:
            return self._state.peak_in_flight.get(route, 0)

    def _record(self, request: RecordedRequest) -> None:
        with self._state.lock:
            self.requests.append(request)
            n = self._state.in_flight.get(request.route, 0) + 1
            self._state.in_flight[request.route] = n
            self._state.peak_in_flight[request.route] = max(n, self._state.peak_in_flight.get(request.route, 0))

    def _done(self, route: Route) -> None:
        with self._state.lock:
            self._state.in_flight[route] -= 1

    # --- feeds ---

    def _atom_entry(self, entry: ArxivEntry) -> str:
        vid = _versioned(entry)
        parts = [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{escape(vid)}</id>",
            f"    <title>{escape(entry.title)}</title>",
            f"    <updated>{_stamp(entry.updated or entry.published)}</updated>",
            f'    <link href={quoteattr(f"{self.base_url}/abs/{vid}")} rel="alternate" type="text/html"/>',
            f'    <link href={quoteattr(self.pdf_url(vid))} rel="related" type="application/pdf" title="pdf"/>',
            f"    <summary>{escape(entry.abstract)}</summary>",
            *(f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>' for c in entry.categories),
            f"    <published>{_stamp(entry.published)}</published>",
        ]
        if entry.comment:
            parts.append(f"    <arxiv:comment>{escape(entry.comment)}</arxiv:comment>")
        primary = entry.primary_category or (entry.categories[0] if entry.categories else None)
        if primary:
            parts.append(f"    <arxiv:primary_category term={quoteattr(primary)}/>")
        if entry.journal_ref:
            parts.append(f"    <arxiv:journal_ref>{escape(entry.journal_ref)}</arxiv:journal_ref>")
        parts.extend(f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in entry.authors)
        if entry.doi:
            parts.append(f"    <arxiv:doi>{escape(entry.doi)}</arxiv:doi>")
        parts.append("  </entry>")
        return "\n".join(parts)

    def api_feed(self, entries: list[ArxivEntry], *, total: int, start: int, per_page: int, title: str) -> bytes:
        """An API answer page in arXiv's current format."""
        head = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <id>{self.base_url}/api/fake</id>\n"
            f"  <title>{escape(title)}</title>\n"
            f"  <updated>{_stamp(datetime.now(UTC))}</updated>\n"
            f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        )
        body = "\n".join(self._atom_entry(e) for e in entries)
        return (head + body + ("\n" if body else "") + "</feed>\n").encode("utf-8")

    @staticmethod
    def error_feed(message: str) -> bytes:
        """arXiv's error answer (sent with HTTP 400): one entry titled "Error"."""
        slug = re.sub(r"\W+", "_", message.lower()).strip("_")
        stamp = _stamp(datetime.now(UTC))
        return (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            "  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
            f"  <updated>{stamp}</updated>\n"
            "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
            "  <opensearch:totalResults>1</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            "  <entry>\n"
            f"    <id>https://arxiv.org/api/errors#{slug}</id>\n    <title>Error</title>\n"
            f"    <updated>{stamp}</updated>\n"
            f"    <summary>{escape(message)}</summary>\n"
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
            "  </entry>\n</feed>\n"
        ).encode()

    def announcement_feed(self, categories: list[str]) -> bytes:
        """The rss.arxiv.org Atom feed for `categories` (entries in any of them, each once)."""
        wanted = {c.lower() for c in categories}
        pool = self.announcements if self.announcements is not None else self.entries
        day = self.announce_day
        stamp = f"{day.isoformat()}T04:00:19.866337+00:00"
        published = f"{day.isoformat()}T00:00:00-04:00"
        name = "+".join(categories)
        lines = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            '<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">',
            f"  <id>http://rss.arxiv.org/atom/{escape(name)}</id>",
            f"  <title>{escape(name)} updates on arXiv.org</title>",
            f"  <updated>{stamp}</updated>",
            f'  <link href="http://rss.arxiv.org/atom/{escape(name)}" rel="self" type="application/atom+xml"/>',
            f"  <subtitle>{escape(name)} updates on the arXiv.org e-print archive.</subtitle>",
        ]
        seen: set[str] = set()
        for entry in pool:
            cats = [c.lower() for c in entry.categories]
            if entry.arxiv_id in seen or not wanted.intersection(cats):
                continue
            seen.add(entry.arxiv_id)
            primary = (entry.primary_category or (entry.categories[0] if entry.categories else "")).lower()
            kind = entry.announce_type or ("new" if primary in wanted else "cross")
            vid = _versioned(entry)
            abs_link = f"{self.base_url}/abs/{entry.arxiv_id}"
            abstract = escape(entry.abstract)
            lines += [
                "  <entry>",
                f"    <id>oai:arXiv.org:{escape(vid)}</id>",
                f"    <title>{escape(entry.title)}</title>",
                f"    <updated>{stamp}</updated>",
                f'    <link href={quoteattr(abs_link)} rel="alternate" type="text/html"/>',
                f"    <summary>arXiv:{escape(vid)} Announce Type: {kind} \nAbstract: {abstract}</summary>",
                *(f"    <category term={quoteattr(c)}/>" for c in entry.categories),
                f"    <published>{published}</published>",
                f"    <arxiv:announce_type>{kind}</arxiv:announce_type>",
                "    <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>",
                f"    <dc:creator>{escape(', '.join(entry.authors))}</dc:creator>",
                "  </entry>",
            ]
        lines.append("</feed>")
        return "\n".join(lines).encode("utf-8")

    # --- API semantics ---

    def answer_query(self, query: dict[str, str]) -> tuple[int, bytes]:
        """(status, Atom bytes) for an /api/query request."""
        try:
            start = int(query.get("start", "0") or 0)
            per_page = int(query.get("max_results", "10") or 10)
        except ValueError:
            return 400, self.error_feed("start and max_results must be integers")
        if start < 0 or per_page < 0:
            return 400, self.error_feed("start and max_results must be non-negative")
        if per_page > 2000:
            return 400, self.error_feed("max_results must not exceed 2000")
        ids = [i.strip() for i in query.get("id_list", "").split(",") if i.strip()]
        for arxiv_id in ids:
            if not (_NEW_ID.match(arxiv_id) or _OLD_ID.match(arxiv_id)):
                return 400, self.error_feed(f"incorrect id format for {arxiv_id}")
        text = query.get("search_query", "").strip()
        try:
            tree = compile_query(text) if text else None
        except QueryError as exc:
            return 400, self.error_feed(f"malformed query: {exc}")
        pool = [e for e in (self.find(i) for i in ids) if e is not None] if ids else list(self.entries)
        if tree is not None:
            try:
                pool = [e for e in pool if matches(tree, e)]
            except QueryError as exc:
                return 400, self.error_feed(f"malformed query: {exc}")
        sort_by = query.get("sortBy", "relevance")
        descending = query.get("sortOrder", "descending") != "ascending"
        if sort_by in ("submittedDate", "lastUpdatedDate"):
            floor = datetime.min.replace(tzinfo=UTC)

            def key(e: ArxivEntry) -> datetime:
                value = e.published if sort_by == "submittedDate" else (e.updated or e.published)
                return value or floor

            pool.sort(key=key, reverse=descending)
        elif not ids and not descending:
            pool.reverse()  # "relevance" is the order given; ascending turns it round
        page = pool[start : start + per_page]
        title = f"arXiv Query: search_query={text}&id_list={','.join(ids)}&start={start}&max_results={per_page}"
        return 200, self.api_feed(page, total=len(pool), start=start, per_page=per_page, title=title)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeArxivServer  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = unquote(parts.path)
        if path.rstrip("/") == "/api/query":
            route: Route = "api"
        elif path.startswith("/atom/"):
            route = "rss"
        elif path.startswith("/pdf/"):
            route = "pdf"
        else:
            route = "other"
        pdf_id = path[len("/pdf/") :].removesuffix(".pdf") if route == "pdf" else None
        record = RecordedRequest(
            time=time.monotonic(),
            route=route,
            path=path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        fake._record(record)
        try:
            if fake.delays.get(route):
                time.sleep(fake.delays[route])
            self._serve(fake, route, path, query, pdf_id, record)
        finally:
            fake._done(route)

    def _serve(
        self,
        fake: FakeArxivServer,
        route: Route,
        path: str,
        query: dict[str, str],
        pdf_id: str | None,
        record: RecordedRequest,
    ) -> None:
        fault = fake._take_fault(route, query, pdf_id)
        if fault is not None and fault.kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            body = fault.body if fault.body is not None else f"fake arXiv: HTTP {fault.status}\n".encode()
            self._send(record, fault.status, body, fault.content_type, headers)
            return
        if route == "api":
            if fault is not None and fault.kind == "empty":
                start = int(query.get("start", "0") or 0)
                status, full = fake.answer_query(query)
                total = int(re.search(rb"<opensearch:totalResults>(\d+)<", full).group(1)) if status == 200 else 0
                per_page = int(query.get("max_results", "10") or 10)
                body = fake.api_feed([], total=total, start=start, per_page=per_page, title="arXiv Query: empty")
                self._send(record, 200, body, "application/atom+xml; charset=utf-8")
                return
            status, body = fake.answer_query(query)
            if fault is not None and fault.kind == "truncate":
                self._send(record, status, body[: len(body) // 2], "application/atom+xml", length=len(body))
                self.close_connection = True
                return
            self._send(record, status, body, "application/atom+xml; charset=utf-8")
        elif route == "rss":
            cats = [c for c in path[len("/atom/") :].split("+") if c]
            body = fake.announcement_feed(cats)
            if fault is not None and fault.kind == "truncate":
                self._send(record, 200, body[: len(body) // 2], "application/atom+xml", length=len(body))
                self.close_connection = True
                return
            self._send(record, 200, body, "application/atom+xml; charset=utf-8")
        elif route == "pdf":
            assert pdf_id is not None
            base = _split(pdf_id)[0]
            data = None if (pdf_id in fake.missing_pdfs or base in fake.missing_pdfs) else fake.pdf_bytes(pdf_id)
            if data is None:
                self._send(record, 404, b"not found\n", "text/plain")
                return
            if fault is not None and fault.kind == "truncate":
                self._send(record, 200, data[: len(data) // 2], "application/pdf", length=len(data))
                self.close_connection = True
                return
            self._send(record, 200, data, "application/pdf")
        else:
            self._send(record, 404, b"not found\n", "text/plain")

    def _send(
        self,
        record: RecordedRequest,
        status: int,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
        *,
        length: int | None = None,
    ) -> None:
        record.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
