"""A loopback OpenAI-compatible chat server with scripted replies and faults, for tests and benchmarks.

    with FakeOpenAIServer() as server:
        server.script(rate_limited(retry_after=1), answer())    # consumed in order, then the default
        settings = Settings(base_url=server.url, api_key="sk-test")
        ...
        assert len(server.chat_requests) == 2

It serves `POST /v1/chat/completions` and `GET /v1/models` from a `ThreadingHTTPServer` on
127.0.0.1 (port 0 unless given), sends no OpenAI-only headers (no x-request-id, no openai-*), and
records every request (arrival time, path, headers, JSON body). Without a script it answers with a
schema-valid summary built from the prompt (the title and authors it finds there), or plain-text
notes when the request asks for no JSON (a map step). Hostile servers are scripted too: `hang()`
accepts and never answers, `trickle()` sends its whole reply a few bytes at a time, and
`echo_credentials()` repeats the start of the key it got in its error. `latency` delays every reply; `fault_rate`
replaces that share of default replies with a seeded mix of 429 (with Retry-After), 500, broken
JSON and schema-invalid JSON. Usage is reported in every reply: prompt tokens of the request (messages
and schema), completion tokens of the reply, counted as chatpaper counts them for the requested model
(`chatpaper.tokens.counter_for`: OpenAI's own encoding for gpt-*/o* names, the estimate for others).
With `prompt_cache=True` it also reports `usage.prompt_tokens_details.cached_tokens` as OpenAI's
prompt cache would: the longest run of leading messages (with the schema) that an earlier request
began with, counted when it is at least 1,024 tokens, rounded down to a multiple of 128.

Run standalone: `python -m tests.fakes.openai_server --port 8000 --latency 3 --fault-rate 0.1`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chatpaper.tokens import counter_for

# --- behaviours ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Behavior:
    """One scripted reply. Build them with the functions below rather than by hand."""

    kind: str  # "answer", "content", "length", "error", "hang", "echo_credentials"
    content: str | None = None
    finish_reason: str = "stop"
    status: int = 200
    error: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before replying, on top of the server's latency
    overrides: dict[str, Any] = field(default_factory=dict)
    pace: Pace | None = None  # send the reply this slowly (status line, headers and body alike)


@dataclass(frozen=True)
class Pace:
    """A reply written `size` bytes at a time, `gap` seconds apart."""

    size: int
    gap: float


def answer(delay: float = 0.0, **overrides: Any) -> Behavior:
    """A valid answer built from the request; `overrides` replace fields of the JSON (e.g. title=...)."""
    return Behavior("answer", delay=delay, overrides=overrides)


def lifted() -> Behavior:
    """A valid answer whose points and quotes are sentences (and a table row) copied from the prompt's
    paper text: every quote and number in it is the paper's own."""
    return Behavior("lifted")


def planted(*, all_quotes: bool = False) -> Behavior:
    """A `lifted()` answer with made-up numbers (one or two per point, in the forms summaries write:
    97.312%, 7,318,265, 412.73, a range, 3.71x) and made-up quotes (an invented sentence per point, and a
    real sentence with one digit changed) planted in it; with `all_quotes`, every quote is invented.
    What was planted is recorded in `FakeOpenAIServer.plants`."""
    return Behavior("planted", overrides={"all_quotes": all_quotes})


def content(text: str, finish_reason: str = "stop", delay: float = 0.0) -> Behavior:
    """This exact message content (broken JSON, fenced JSON, LaTeX backslashes, ...)."""
    return Behavior("content", content=text, finish_reason=finish_reason, delay=delay)


def truncated() -> Behavior:
    """A valid answer cut in half, with finish_reason="length"."""
    return Behavior("length", finish_reason="length")


def hang(seconds: float | None = None) -> Behavior:
    """Reply only after `seconds` (longer than the client's timeout); with None, never: the request is
    accepted and read, and no byte comes back until the server closes."""
    return Behavior("hang") if seconds is None else Behavior("answer", delay=seconds)


def trickle(size: int = 4, gap: float = 0.05) -> Behavior:
    """A valid answer sent `size` bytes every `gap` seconds: each wait is short, the whole reply slow."""
    return Behavior("answer", pace=Pace(size, gap))


def echo_credentials(status: int = 502, prefix: int = 8) -> Behavior:
    """An error repeating the credentials the request carried, as some relays and proxies do: the
    first `prefix` characters of a bearer key (sk-SECRE...), or a basic-auth user:password whole."""
    return Behavior("echo_credentials", status=status, overrides={"prefix": prefix})


def _error(status: int, message: str, type_: str, code: str | None = None, **headers: str) -> Behavior:
    body = {"message": message, "type": type_, "param": None, "code": code}
    return Behavior("error", status=status, error=body, headers=dict(headers))


def rate_limited(retry_after: float | None = 1.0) -> Behavior:
    """HTTP 429, with `Retry-After` in seconds unless None."""
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return _error(
        429, "Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded", **headers
    )


def server_error(
    status: int = 500, message: str = "The server had an error while processing your request."
) -> Behavior:
    """HTTP 5xx."""
    return _error(status, message, "server_error")


def context_length_error(limit: int = 8192, requested: int = 9000) -> Behavior:
    """HTTP 400 saying the prompt exceeds the model's context window (OpenAI's wording)."""
    message = (
        f"This model's maximum context length is {limit} tokens. However, your messages resulted in "
        f"{requested} tokens. Please reduce the length of the messages."
    )
    return _error(400, message, "invalid_request_error", "context_length_exceeded")


def format_unsupported(kind: str = "json_schema") -> Behavior:
    """HTTP 400 refusing `response_format` of type `kind` (older vLLM/Ollama/relays)."""
    return _error(
        400, f"Invalid value for 'response_format': {kind} is not supported by this server.", "invalid_request_error"
    )


def unauthorized(key: str = "") -> Behavior:
    """HTTP 401 as OpenAI sends it; the message echoes the key, so tests can check we never repeat it."""
    return _error(401, f"Incorrect API key provided: {key}.", "invalid_request_error", "invalid_api_key")


def bad_request(message: str = "Invalid request.") -> Behavior:
    """HTTP 400 with `message`."""
    return _error(400, message, "invalid_request_error")


def model_not_found(model: str) -> Behavior:
    """HTTP 404 for a model the server does not have, as OpenAI words it."""
    message = f"The model `{model}` does not exist or you do not have access to it."
    return _error(404, message, "invalid_request_error", "model_not_found")


def http_error(status: int, message: str = "The request was refused.") -> Behavior:
    """Any other HTTP error status (403, 404, ...) with `message`."""
    return _error(status, message, "invalid_request_error")


# --- the record ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received: `time` is time.monotonic() at arrival."""

    time: float
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages", []))

    @property
    def prompt(self) -> str:
        """Every message's content, joined: what the model would read."""
        return "\n\n".join(str(m.get("content", "")) for m in self.messages)

    @property
    def response_format(self) -> str | None:
        """The `response_format` type sent, or None."""
        fmt = (self.body or {}).get("response_format")
        return fmt.get("type") if isinstance(fmt, dict) else None

    @property
    def size(self) -> int:
        """Characters of message content (to compare prompt lengths)."""
        return sum(len(str(m.get("content", ""))) for m in self.messages)


# --- the server ----------------------------------------------------------------------------------

FAULTS = ("rate_limit", "server_error", "broken_json", "schema_invalid")


class FakeOpenAIServer:
    """The fake server; see the module docstring. Thread-safe; usable as a context manager."""

    def __init__(
        self,
        *,
        port: int = 0,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        seed: int = 0,
        fault_retry_after: float = 1.0,
        api_key: str | None = None,
        formats: Iterable[str] = ("json_schema", "json_object"),
        context_tokens: int | None = None,
        prompt_cache: bool = False,
    ) -> None:
        self.latency = latency
        self.fault_rate = fault_rate
        self.fault_retry_after = fault_retry_after
        self.api_key = api_key  # when set, other keys get 401
        self.formats = set(formats)  # response_format types accepted; others get a 400
        self.context_tokens = context_tokens  # when set, longer requests get a context-length 400
        self.prompt_cache = prompt_cache  # when set, replies report cached prompt tokens
        self._prefixes: set[str] = set()  # leading message runs seen so far (for prompt_cache)
        self.default: Behavior | None = None  # None: a valid answer built from the request
        self.plants: list[Plant] = []  # what planted() replies made up, in reply order
        self.faults: dict[str, int] = dict.fromkeys(FAULTS, 0)
        self._rng = random.Random(seed)
        self._queue: deque[Behavior] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="fake-openai", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The base URL clients use: http://127.0.0.1:PORT/v1."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def url_with_credentials(self, user: str, password: str) -> str:
        """The base URL with user:password in it, as relays are configured: http://user:pw@127.0.0.1:PORT/v1."""
        return self.url.replace("http://", f"http://{user}:{password}@", 1)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the chat completion requests."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def script(self, *behaviors: Behavior) -> FakeOpenAIServer:
        """Queue replies, consumed in order by the next chat requests (then the default applies)."""
        with self._lock:
            self._queue.extend(behaviors)
        return self

    def reset(self) -> None:
        """Forget the script and the recorded requests."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()

    def close(self) -> None:
        """Stop serving; replies still sleeping are abandoned."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeOpenAIServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- called by the handler ---

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _next(self) -> Behavior | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self.fault_rate and self._rng.random() < self.fault_rate:
                fault = self._rng.choice(FAULTS)
                self.faults[fault] += 1
                return {
                    "rate_limit": rate_limited(self.fault_retry_after),
                    "server_error": server_error(),
                    "broken_json": content('{"title": "Broken", "summary": {"background": "cut'),
                    "schema_invalid": content('{"title": "Missing everything else"}'),
                }[fault]
            return self.default

    def _sleep(self, seconds: float) -> bool:
        """Wait; False when the server is closing meanwhile."""
        return not self._closing.wait(seconds) if seconds > 0 else True

    def respond(
        self, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], dict[str, Any], Pace | None]:
        """(status, headers, JSON, pace) for one chat request."""
        if self.api_key is not None:
            given = headers.get("authorization", "").removeprefix("Bearer ").strip()
            if given != self.api_key:
                return _as_error(unauthorized(given))
        with self._lock:
            head = self._queue[0] if self._queue else None
        if head is None or head.kind != "error":
            # A request this server cannot serve is refused before any scripted reply is used up.
            checked = self._check_request(body)
            if checked is not None:
                return _as_error(checked)
        behavior = self._next() or answer()
        if behavior.kind == "hang":
            self._closing.wait()
        if not self._sleep(self.latency + behavior.delay) or behavior.kind == "hang":
            return _as_error(server_error(503, "shutting down"))
        if behavior.kind == "error":
            return _as_error(behavior)
        if behavior.kind == "echo_credentials":
            return _as_error(_echoed(behavior, headers.get("authorization", "")))
        wants_json = _wants_json(body)
        if behavior.kind == "content":
            text = behavior.content or ""
        elif behavior.kind in ("lifted", "planted") and wants_json:
            reply, plant = lifted_answer(body, plant=behavior.kind == "planted", **behavior.overrides)
            if plant is not None:
                with self._lock:
                    self.plants.append(plant)
            text = json.dumps(reply, ensure_ascii=False)
        elif wants_json:
            text = json.dumps({**build_answer(body), **behavior.overrides}, ensure_ascii=False)
        else:
            text = build_notes(body)
        if behavior.kind == "length":
            text = text[: max(1, len(text) // 2)]
        reply = _completion(body, text, behavior.finish_reason)
        if self.prompt_cache:
            reply["usage"]["prompt_tokens_details"] = {"cached_tokens": self._cached_tokens(body)}
        return 200, {}, reply, behavior.pace

    def _cached_tokens(self, body: dict[str, Any]) -> int:
        """Prompt tokens an OpenAI-like prompt cache would serve for `body`, remembering its prefixes."""
        messages = list(body.get("messages", []))
        keys = [
            json.dumps([body.get("response_format"), messages[: k + 1]], sort_keys=True) for k in range(len(messages))
        ]
        with self._lock:
            hit = max((k + 1 for k, key in enumerate(keys) if key in self._prefixes), default=0)
            self._prefixes.update(keys)
        if not hit:
            return 0
        cached = prompt_tokens({**body, "messages": messages[:hit]})
        return cached // 128 * 128 if cached >= 1024 else 0

    def _check_request(self, body: dict[str, Any]) -> Behavior | None:
        fmt = body.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind and kind != "text" and kind not in self.formats:
            return format_unsupported(kind)
        if self.context_tokens:
            wanted = prompt_tokens(body) + int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)
            if wanted > self.context_tokens:
                return context_length_error(self.context_tokens, wanted)
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a benchmark opens many connections at once
    fake: FakeOpenAIServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    server: _Server

    def version_string(self) -> str:
        return "fake-openai"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read the record, not a log

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _record(self, body: dict[str, Any] | None) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.fake._record(RecordedRequest(time.monotonic(), self.command, self.path, headers, body))

    def _send(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None, pace: Pace | None = None
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        if pace is not None:
            self._send_slowly(status, data, headers or {}, pace)
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to do

    def _send_slowly(self, status: int, data: bytes, headers: dict[str, str], pace: Pace) -> None:
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Server: {self.version_string()}"]
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + data
        fake = self.server.fake
        try:
            for start in range(0, len(raw), pace.size):
                self.wfile.write(raw[start : start + pace.size])
                self.wfile.flush()
                if not fake._sleep(pace.gap):
                    break
        except OSError:
            pass  # the client cut the connection (its deadline passed)
        self.close_connection = True

    def do_GET(self) -> None:
        self._record(None)
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "fake"}]})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        body = self._body()
        self._record(body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            return
        if body is None:
            self._send(400, {"error": {"message": "the body is not JSON", "type": "invalid_request_error"}})
            return
        status, headers, payload, pace = self.server.fake.respond(body, {k.lower(): v for k, v in self.headers.items()})
        self._send(status, payload, headers, pace)


# --- replies -------------------------------------------------------------------------------------


def _as_error(behavior: Behavior) -> tuple[int, dict[str, str], dict[str, Any], Pace | None]:
    return behavior.status, dict(behavior.headers), {"error": behavior.error}, behavior.pace


def _echoed(behavior: Behavior, authorization: str) -> Behavior:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic":
        shown = base64.b64decode(value).decode("utf-8", "replace")
    else:
        shown = value[: behavior.overrides["prefix"]] + "..."
    return _error(behavior.status, f"upstream refused the credentials {shown} for this model", "upstream_error")


def _wants_json(body: dict[str, Any]) -> bool:
    if isinstance(body.get("response_format"), dict) and body["response_format"].get("type") != "text":
        return True
    return any("JSON" in str(m.get("content", "")) for m in body.get("messages", []))


def prompt_tokens(body: dict[str, Any]) -> int:
    """Prompt tokens as this server counts them: message text plus the schema, as OpenAI does."""
    counter = counter_for(str(body.get("model", "")))
    tokens = sum(counter.count(str(m.get("content", ""))) + 4 for m in body.get("messages", []))
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        tokens += counter.count(json.dumps(fmt.get("json_schema", ""), separators=(",", ":")))
    return tokens


def completion_tokens(body: dict[str, Any], text: str) -> int:
    """Tokens of a reply, counted for the requested model."""
    return counter_for(str(body.get("model", ""))).count(text)


def _completion(body: dict[str, Any], text: str, finish_reason: str) -> dict[str, Any]:
    prompt = prompt_tokens(body)
    completion = completion_tokens(body, text)
    return {
        "id": f"chatcmpl-fake-{random.getrandbits(40):010x}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def _field(prompt: str, label: str) -> str | None:
    found = re.search(rf"^{label}:\s*(.+)$", prompt, re.MULTILINE)
    return found.group(1).strip() if found else None


def build_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A plausible, schema-valid answer for the paper in the prompt."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    title = _field(prompt, "Title") or "Untitled paper"
    listed = (_field(prompt, "Authors") or "").split(",")
    authors = [a.strip() for a in listed if a.strip() and not a.strip().startswith("(not found")]
    affiliation = _field(prompt, r"First author's affiliation \(found by the PDF reader\)")
    links = _field(prompt, r"Links found in the paper[^:]*")
    code = next((u for u in (links or "").split() if "github.com" in u or "gitlab" in u), None)
    chinese = "简体中文" in prompt
    if chinese:
        points = {
            "background": f"本文研究 {title} 所针对的问题及其重要性。",
            "prior_work": "已有方法存在明显不足，作者的动机是合理的。",
            "method": f"作者提出了 {title} 中的方法。",
            "results": "在多个任务上取得了良好的性能，结果支持了作者的目标。",
        }
    else:
        points = {
            "background": f"The paper studies the problem behind {title} and why it matters.",
            "prior_work": "Earlier methods fall short in ways the paper names; the motivation is sound.",
            "method": f"The authors propose the approach described in {title}.",
            "results": "The method performs well on the reported tasks, which supports the paper's goals.",
        }
    return {
        "title": title,
        "title_translated": f"{title}（中文译名）" if chinese else None,
        "authors": authors,
        "first_author_affiliation": affiliation,
        "keywords": ["research", "method", "evaluation"],
        "code_url": code,
        "summary": points,
    }


# --- lifted and planted answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Plant:
    """What one planted() reply made up, for the paper titled `title` in its prompt: (point, number as
    written) and (point, quote)."""

    title: str
    numbers: tuple[tuple[str, str], ...]
    quotes: tuple[tuple[str, str], ...]


POINT_NAMES = ("background", "prior_work", "method", "results")
_CUT = "[...]"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])|(?<=[。！？])")


def paper_blocks(prompt: str) -> tuple[list[str], list[list[str]]]:
    """The sentences of the paper text in a prompt (abstract, sections, captions; headings, metadata and
    the fragment before each cut left out) and its table rows as lists of cells."""
    starts = [prompt.find(mark) for mark in ("\nAbstract:\n", "\nSections in reading order")]
    text = prompt[min(at for at in starts if at >= 0) :] if max(starts) >= 0 else ""
    text = text.split("\nNotes taken on the paper's sections")[0]  # a reduce step's notes are not the paper
    sentences: list[str] = []
    rows: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        for line in block.split("\n"):
            line = line.strip()
            if not line or line.startswith("#") or line.endswith(":") or line.startswith("Abstract:"):
                continue
            if " | " in line:
                rows.append([cell.strip() for cell in line.split(" | ")])
                continue
            # text cut off by the budget ends in "[...]": the piece before a cut may end mid-number
            pieces = line.split(_CUT)
            kept = pieces if len(pieces) == 1 else pieces[:-1]
            for n, piece in enumerate(kept):
                found = [p.strip() for p in _SENTENCE_END.split(piece) if p.strip()]
                if len(pieces) > 1 and n == len(kept) - 1:
                    found = found[:-1]
                sentences += found
    return sentences, rows


def _quotable(sentence: str) -> bool:
    words = len(sentence.split())
    wide = sum(1 for ch in sentence if "\u3400" <= ch <= "\u9fff")
    printable = all(ch.isprintable() for ch in sentence)  # a garbled text layer's control characters
    return printable and (6 <= words <= 45 or 15 <= wide <= 90) and sum(ch.isalpha() for ch in sentence) >= 20


def _bracketless(sentence: str) -> str:
    """The sentence with bracketed and parenthesised parts (citations, years) blanked out."""
    return re.sub(r"\[[^\]]*\]|\([^)]*\)", lambda m: "#" * len(m.group()), sentence)


def _printed_numbers(sentences: list[str]) -> list[str]:
    """Numbers as the paper's text prints them (with a glued % or unit), outside citations, not years."""
    found = []
    for sentence in sentences:
        for match in re.finditer(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:%|[A-Za-z×]{1,3})?(?![\w.,])", _bracketless(sentence)):
            if not re.fullmatch(r"(?:19|20)\d\d", match.group()):
                found.append(match.group())
    return sorted(set(found))


def _number_cells(row: list[str]) -> list[str]:
    return [c for c in row[1:] if re.fullmatch(r"[\d.,%±×x ()+-]+", c) and re.search(r"\d", c)]


def lifted_answer(
    body: dict[str, Any], *, plant: bool = False, all_quotes: bool = False
) -> tuple[dict[str, Any], Plant | None]:
    """The `lifted()` answer for a request (and, with `plant`, the `planted()` one and what it made up)."""
    base = build_answer(body)
    # the paper's own message: a re-ask repeats it and adds the model's reply and the complaint after it
    prompt = next((str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user"), "")
    sentences, rows = paper_blocks(prompt)
    quotable = [s for s in sentences if _quotable(s)] or [s for s in sentences if len(s) > 20]
    rng = random.Random(hashlib.sha256(prompt.encode()).hexdigest())
    points: dict[str, str] = {}
    quotes: dict[str, list[str]] = {}
    for k, name in enumerate(POINT_NAMES):
        # each point lifts from its own quarter of the paper, in reading order
        share = quotable[k * len(quotable) // 4 : (k + 1) * len(quotable) // 4] or quotable
        picks = set(rng.sample(range(len(share)), min(3, len(share)))) if share else set()
        # a sentence stating a number, when the quarter has one: points state numbers
        numeric = [i for i, sentence in enumerate(share) if re.search(r"\d", _bracketless(sentence))]
        if numeric and not picks & set(numeric):
            picks = {*sorted(picks)[:2], rng.choice(numeric)}
        chosen = [share[i] for i in sorted(picks)]
        points[name] = " ".join(chosen[:2]) or base["summary"][name]
        quotes[name] = chosen[1:3] if len(chosen) > 2 else chosen
    numeric = [r for r in rows if len(_number_cells(r)) >= 2 and r[0].strip()]
    if numeric:
        row = rng.choice(numeric)
        cells = _number_cells(row)[:2]
        points["results"] += f" In the results table, {row[0]} scores {cells[0]} and {cells[1]}."
        quotes["results"] = [*quotes["results"][:2], " | ".join(row)]
    printed = _printed_numbers(sentences)
    if printed:
        picked = [printed[i] for i in sorted(rng.sample(range(len(printed)), min(6, len(printed))))]
        points["results"] += " Key numbers: " + "; ".join(picked) + "."
    reply = {**base, "summary": points, "evidence": quotes}
    if not plant:
        return reply, None
    made_numbers, made_quotes = _plant(reply, prompt, sentences, rng, all_quotes=all_quotes)
    return reply, Plant(_field(prompt, "Title") or "", tuple(made_numbers), tuple(made_quotes))


def _fresh(rng: random.Random, prompt: str, make: Any) -> str:
    """A made-up number (from `make(rng)`) that the prompt does not print in any form: none of its parts
    appears in the prompt's text, with a decimal point or comma, or with its grouping commas dropped."""
    while True:
        number = make(rng)
        cores = re.findall(r"\d+(?:[.,]\d+)*", number)
        forms = {f for core in cores for f in (core, core.replace(".", ","), core.replace(",", ""))}
        if not any(form in prompt for form in forms):
            return number


_NUMBER_FORMS = {
    "background": lambda r: f"{r.randint(11, 98)}.{r.randint(100, 999)}%",
    "prior_work": lambda r: f"{r.randint(2, 9)},{r.randint(100, 999)},{r.randint(100, 999)}",
    "method": lambda r: f"{r.randint(101, 999)}.{r.randint(11, 99)}",
    "results": lambda r: f"{r.randint(11, 49)}.{r.randint(11, 99)}–{r.randint(51, 98)}.{r.randint(11, 99)}",
}
# Three decimals: the fake sees only the prompt, not the whole paper, and a long paper cut to fit the prompt
# may print a three-digit figure such as 2.96 in a part the prompt left out.
_SPEEDUP = lambda r: f"{r.randint(2, 9)}.{r.randint(101, 999)}×"  # noqa: E731


def _plant(
    reply: dict[str, Any], prompt: str, sentences: list[str], rng: random.Random, *, all_quotes: bool
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    numbers: list[tuple[str, str]] = []
    quotes: list[tuple[str, str]] = []
    for name in POINT_NAMES:
        number = _fresh(rng, prompt, _NUMBER_FORMS[name])
        text = f" The authors report {number} on their own held-out data."
        numbers.append((name, number))
        if name == "results":
            speedup = _fresh(rng, prompt, _SPEEDUP)
            text += f" It also runs {speedup} faster than every baseline."
            numbers.append((name, speedup))
        reply["summary"][name] += text
        invented = (
            f"Across the {rng.randint(13, 97)} benchmark suites we built, the {rng.choice(['proposed', 'new'])} "
            f"system gained {_fresh(rng, prompt, _NUMBER_FORMS['method'])} points in every single trial."
        )
        quotes.append((name, invented))
        reply["evidence"][name] = [invented] if all_quotes else [*reply["evidence"][name], invented]
    with_digits = [s for s in sentences if re.search(r"\d", _bracketless(s)) and _quotable(s)]
    if with_digits and not all_quotes:
        # a real sentence with one digit changed: a misquoted number is not the paper's sentence
        real = rng.choice(with_digits)
        # not a digit inside brackets or parentheses: a citation's number may be left out of a quote
        places = [m.start() for m in re.finditer(r"\d", _bracketless(real))]
        if not places:
            return numbers, quotes
        at = rng.choice(places)
        changed = real[:at] + str((int(real[at]) + rng.randint(1, 8)) % 10) + real[at + 1 :]
        quotes.append(("results", changed))
        reply["evidence"]["results"] = [*reply["evidence"]["results"], changed]
    return numbers, quotes


def build_notes(body: dict[str, Any]) -> str:
    """Plain-text notes for a map request."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    headings = re.findall(r"^#+ (.+)$", prompt, re.MULTILINE)
    return "Notes: " + "; ".join(f"{h}: key points noted" for h in headings[:8]) if headings else "Notes: nothing."


def main() -> None:
    """Serve until interrupted (for benchmarks and manual runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of replies that fail (0-1)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    server = FakeOpenAIServer(port=args.port, latency=args.latency, fault_rate=args.fault_rate, seed=args.seed)
    print(f"fake OpenAI server at {server.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.close()


if __name__ == "__main__":
    main()
