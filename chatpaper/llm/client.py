"""The one module that imports openai: chat calls with our own retries, limits and error mapping.

The SDK's retries are off (max_retries=0) because ours know more: they honour `Retry-After` and
hold the whole batch back on a 429 (through the shared limiter), they never retry what cannot
succeed (400/401/403/404), and they turn every failure into a typed chatpaper error with a one-line
reason. Nothing here depends on OpenAI-only response headers, so any OpenAI-compatible server
(vLLM, Ollama, llama.cpp, relays) works.

`timeout` is a deadline for the whole request: connecting, sending, waiting and every byte of the
reply. The SDK's own timeout bounds only each wait for the next bytes, so a server trickling its
answer could hold a paper forever; `_DeadlineHttpClient` cuts the request's socket when the
deadline passes, whatever the request is doing. A paper's retries share one budget
(`max_attempts` failed requests in all), so a dead server costs a paper at most
max_attempts x timeout plus the backoff between them.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx2
import openai

from chatpaper.errors import (
    ContextLengthError,
    LLMAuthError,
    LLMModelError,
    LLMRequestError,
    LLMUnavailableError,
    LLMUnreachableError,
)
from chatpaper.llm.limiter import RateLimiter
from chatpaper.redaction import Redactor
from chatpaper.settings import LlmSettings
from chatpaper.tokens import ESTIMATE, TokenCounter, counter_for

log = logging.getLogger(__name__)

OPENAI_URL = "https://api.openai.com/v1"
# Keyless local servers (Ollama, llama.cpp, vLLM without --api-key) ignore the key, but the SDK needs one.
PLACEHOLDER_KEY = "no-key"
MAX_RETRY_AFTER = 120.0  # a longer wait means a daily quota or an outage: fail the paper instead
TEMPERATURE = 0.2  # summaries should stick to the text

Message = dict[str, str]

_CONTEXT_ERROR = re.compile(
    r"context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|reduce the length|"
    r"input (is )?too long|exceeds? the (model'?s? )?(maximum|max|context)|maximum (input|prompt) length",
    re.IGNORECASE,
)
_FORMAT_ERROR = re.compile(r"response_format|json_schema|json_object|structured output|guided_json", re.IGNORECASE)
_CONTEXT_LIMIT = re.compile(r"(?:maximum context length|context (?:length|window)) (?:is|of) (\d[\d,]*)", re.I)


class FormatRejectedError(LLMRequestError):
    """The server does not support the `response_format` we sent."""


class ContextTooLongError(ContextLengthError):
    """The prompt did not fit; `limit` is the window the server named, when it named one."""

    def __init__(self, message: str, limit: int | None) -> None:
        self.limit = limit
        super().__init__(message)


@dataclass
class Usage:
    """What one paper's calls cost, as the server reported it (estimated when it reports nothing).

    `failed_requests` counts the paper's requests that got no usable answer (timeouts, lost
    connections, 429, 5xx): every call of the paper draws on the same `max_attempts`.
    `cached_tokens` are the prompt tokens the server took from its prompt cache (billed cheaper).
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    failed_requests: int = 0
    cached_tokens: int = 0


@dataclass(frozen=True)
class Reply:
    """One chat completion: the text and why the model stopped."""

    content: str
    finish_reason: str | None
    refusal: str | None = None


def estimate_request_tokens(
    messages: Sequence[Message], response_format: Mapping[str, Any] | None = None, counter: TokenCounter = ESTIMATE
) -> int:
    """Prompt tokens a request will cost: its messages plus the schema, which servers add to the prompt."""
    tokens = sum(counter.count(m["content"]) + 4 for m in messages)
    if response_format and response_format.get("type") == "json_schema":
        tokens += counter.count(json.dumps(response_format.get("json_schema", ""), separators=(",", ":")))
    return tokens


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `retry-after` as seconds or HTTP date)."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return None


def _one_line(text: str, redact: Redactor, limit: int = 240) -> str:
    # Redacted before the cut, so a cut cannot leave the start of a secret the redactor would have hidden.
    line = redact(" ".join(str(text).split()))
    return line if len(line) <= limit else line[: limit - 3] + "..."


class _Deadline:
    """One request's watchdog: when `seconds` have passed it shuts the request's socket down.

    The socket is learned from httpcore's trace of the connection it opens (and of the TLS layer
    over it); a shutdown wakes a thread blocked reading it, whatever it waits for (the status line,
    a header, the body's next bytes). Connections are never reused (the client keeps none alive),
    so every request opens the socket this watchdog sees.
    """

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._stream: Any = None
        self._finished = False
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's trace extension: remember the newest network stream the request opened."""
        stream = info.get("return_value")
        if event.endswith(".complete") and hasattr(stream, "get_extra_info"):
            with self._lock:
                self._stream = stream
                if self.expired:  # connected after the deadline: cut at once
                    self._cut()

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._finished = True
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            self._cut()

    def _cut(self) -> None:
        sock = self._stream.get_extra_info("socket") if self._stream is not None else None
        if sock is None:
            return
        # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would drop the TLS object the
        # reading thread is still using. OSError: already closed, the request ended as the deadline passed.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _DeadlineHttpClient(openai.DefaultHttpxClient):
    """The SDK's HTTP client with `timeout` as a deadline for each whole request (see `_Deadline`)."""

    def __init__(self, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        # No keep-alive: the watchdog must see every request's socket being opened. A connection
        # per LLM call costs milliseconds against calls that take seconds.
        most = openai.DEFAULT_CONNECTION_LIMITS.max_connections
        super().__init__(limits=httpx2.Limits(max_connections=most, max_keepalive_connections=0), **kwargs)

    def send(self, request: httpx2.Request, **kwargs: Any) -> httpx2.Response:
        outer = request.extensions.get("trace")
        with _Deadline(self.deadline) as watchdog:

            def trace(event: str, info: Mapping[str, Any]) -> None:
                watchdog.trace(event, info)
                if outer is not None:
                    outer(event, info)

            request.extensions["trace"] = trace  # the SDK builds a new request for every attempt
            try:
                response = super().send(request, **kwargs)
                if kwargs.get("stream"):  # chat calls are not streamed; if one were, its reply is read in time too
                    try:
                        response.read()
                    except BaseException:
                        response.close()
                        raise
                return response
            except Exception as exc:
                if watchdog.expired:
                    # The SDK turns a timeout into APITimeoutError, which the client retries.
                    raise httpx2.ReadTimeout(f"no complete answer within {self.deadline:g} s", request=request) from exc
                raise


class ChatClient:
    """A thread-safe OpenAI-compatible chat client shared by all workers of a run."""

    def __init__(
        self,
        settings: LlmSettings,
        *,
        limiter: RateLimiter | None = None,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = settings.model
        self.counter = counter_for(settings.model)  # the model's own tokenizer when chatpaper ships it
        self.timeout = settings.timeout
        self.max_attempts = settings.max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.limiter = limiter or RateLimiter(settings.rpm, settings.tpm)
        self._sleep = sleep
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        self._keyless = not key
        self._redact = Redactor.from_settings(settings)
        self.base_url = (settings.base_url or OPENAI_URL).rstrip("/")
        # What messages name: the base URL without the user:password a relay URL may carry.
        self.shown_url = self._redact(self.base_url)
        self._sdk = openai.OpenAI(
            api_key=key or PLACEHOLDER_KEY,
            base_url=self.base_url,
            timeout=settings.timeout,
            max_retries=0,
            http_client=_DeadlineHttpClient(settings.timeout, timeout=settings.timeout),
        )
        # Request parameters some servers refuse; learned from the first refusal, kept for the run.
        self._lock = threading.Lock()
        official = "api.openai.com" in self.base_url
        # OpenAI's newer models reject `max_tokens`; many local servers only know it.
        self._max_tokens_param = "max_completion_tokens" if official else "max_tokens"
        self._send_temperature = True
        # Whether the server has answered anything (an error status too) in this run: until it has,
        # a refused connection means nothing is listening there, and every paper would wait out its
        # retries for the same answer.
        self._answered = False

    def close(self) -> None:
        """Close the connection pool."""
        self._sdk.close()

    def chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        usage: Usage,
        response_format: Mapping[str, Any] | None = None,
    ) -> Reply:
        """One chat completion, retried on 429/5xx/timeouts while the paper's `usage` has failed
        fewer than `max_attempts` requests (its calls share that budget).

        Raises an LLMServiceError when every paper would fail the same way (LLMAuthError: key refused;
        LLMModelError: no such model or endpoint; LLMUnreachableError: nothing listening at the URL
        before the server ever answered), FormatRejectedError, ContextTooLongError, LLMRequestError
        (not worth retrying) or LLMUnavailableError (retries spent).
        """
        estimate = estimate_request_tokens(messages, response_format, self.counter)
        while True:
            self.limiter.acquire(estimate + max_tokens)
            usage.calls += 1
            failed = usage.failed_requests + 1  # this request's number among the paper's failures, if it fails
            try:
                completion = self._create(messages, max_tokens, response_format)
            except openai.APIStatusError as exc:
                self._answered = True
                if self._adapt_params(exc):
                    continue  # our request's fault, not the server's: does not use up an attempt
                reason, delay = self._classify(exc, failed)
            except openai.APITimeoutError:
                reason, delay = f"no complete answer within {self.timeout:g} s", self._backoff(failed)
            except openai.APIConnectionError as exc:
                cause = exc.__cause__ or exc
                if isinstance(cause, httpx2.ConnectError) and not self._answered:
                    raise LLMUnreachableError(
                        f"nothing answers at {self.shown_url} ({self._connect_failure(cause)}): start the LLM "
                        "server, or check OPENAI_BASE_URL (or --base-url)"
                    ) from None
                reason, delay = f"cannot connect to {self.shown_url} ({type(cause).__name__})", self._backoff(failed)
            else:
                self._answered = True
                return self._reply(completion, usage, estimate)
            usage.failed_requests = failed
            if failed >= self.max_attempts:
                raise LLMUnavailableError(
                    f"the LLM server failed {failed} request{'s' if failed > 1 else ''} for this paper, the last "
                    f"with {reason}: try again later, or raise --timeout / max_attempts (CHATPAPER_MAX_ATTEMPTS, "
                    "or in chatpaper.toml)"
                )
            log.debug("LLM call failed (%s); retry %d in %.1f s", reason, failed, delay)
            self._sleep(delay)

    # --- internals --------------------------------------------------------------------------------

    def _create(self, messages: Sequence[Message], max_tokens: int, response_format: Mapping[str, Any] | None) -> Any:
        with self._lock:
            params: dict[str, Any] = {self._max_tokens_param: max_tokens}
            if self._send_temperature:
                params["temperature"] = TEMPERATURE
        if response_format is not None:
            params["response_format"] = dict(response_format)
        return self._sdk.chat.completions.create(
            model=self.model,
            messages=list(messages),  # type: ignore[arg-type]
            timeout=self.timeout,
            **params,
        )

    def _reply(self, completion: Any, usage: Usage, estimate: int) -> Reply:
        choices = getattr(completion, "choices", None) or []
        message = choices[0].message if choices else None
        content = (getattr(message, "content", None) or "") if message is not None else ""
        reported = getattr(completion, "usage", None)
        if reported is not None and reported.prompt_tokens:
            usage.prompt_tokens += reported.prompt_tokens
            usage.completion_tokens += reported.completion_tokens or 0
            details = getattr(reported, "prompt_tokens_details", None)
            usage.cached_tokens += getattr(details, "cached_tokens", None) or 0
        else:
            # Some servers report nothing; an estimate beats recording a free call.
            usage.prompt_tokens += estimate
            usage.completion_tokens += self.counter.count(content)
        return Reply(
            content=content,
            finish_reason=choices[0].finish_reason if choices else None,
            refusal=getattr(message, "refusal", None) if message is not None else None,
        )

    def _message(self, exc: openai.APIStatusError) -> str:
        body = exc.body
        text = body.get("message") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            text = body if isinstance(body, str) and body else exc.message
        return _one_line(text, self._redact)

    def _adapt_params(self, exc: openai.APIStatusError) -> bool:
        """Drop or rename a parameter the server refused by name; True when the request should be resent."""
        if exc.status_code not in (400, 422):
            return False
        text = self._message(exc).lower()
        with self._lock:
            if "max_tokens" in text and "max_completion_tokens" in text and "unsupported" in text:
                if self._max_tokens_param == "max_tokens":
                    self._max_tokens_param = "max_completion_tokens"
                    return True
                return False
            if "temperature" in text and ("unsupported" in text or "not support" in text) and self._send_temperature:
                self._send_temperature = False
                return True
        return False

    def _classify(self, exc: openai.APIStatusError, attempt: int) -> tuple[str, float]:
        """(reason, delay) for a retryable status; raises for the ones retrying cannot fix."""
        status = exc.status_code
        message = self._message(exc)
        if status == 401:
            if self._keyless:
                raise LLMAuthError(
                    f"the LLM server at {self.shown_url} requires an API key (HTTP 401): set OPENAI_API_KEY"
                ) from None
            raise LLMAuthError(
                f"the LLM server at {self.shown_url} refused the API key (HTTP 401): "
                "check OPENAI_API_KEY (or CHATPAPER_API_KEY) and that it belongs to this server"
            ) from None
        if status == 429:
            code = exc.code or ""
            if code == "insufficient_quota" or "exceeded your current quota" in message.lower():
                # Every paper would fail the same way: stop the batch like a refused key.
                raise LLMAuthError(f"the account behind OPENAI_API_KEY has no quota left ({message})") from None
            wait = retry_after(exc.response.headers)
            if wait is not None and wait > MAX_RETRY_AFTER:
                raise LLMUnavailableError(
                    f"rate limited: the server asked to wait {wait:.0f} s: try later, or set --rpm/--tpm lower"
                ) from None
            delay = wait * random.uniform(1.0, 1.1) if wait is not None else self._backoff(attempt)
            # A 429 means the batch as a whole is too fast: hold every worker back, not only this one.
            self.limiter.pause(wait if wait is not None else delay)
            return f"HTTP 429 rate limited: {message}", delay
        if status in (408, 409) or status >= 500:
            wait = retry_after(exc.response.headers)
            delay = min(wait, MAX_RETRY_AFTER) if wait is not None else self._backoff(attempt)
            return f"HTTP {status}: {message}", delay
        if status in (400, 413, 422):
            if status == 413 or _CONTEXT_ERROR.search(message) or exc.code == "context_length_exceeded":
                found = _CONTEXT_LIMIT.search(message)
                limit = int(found.group(1).replace(",", "")) if found else None
                raise ContextTooLongError(f"the prompt is too long for {self.model}: {message}", limit) from None
            if _FORMAT_ERROR.search(message):
                raise FormatRejectedError(f"the server refused the answer format: {message}") from None
        if status == 404:
            # No such model, or no chat endpoint at this URL: every paper would be refused the same way.
            if exc.code == "model_not_found" or "model" in message.lower():
                raise LLMModelError(
                    f"the LLM server at {self.shown_url} has no model {self.model!r} (HTTP 404: {message}): "
                    "check --model (or CHATPAPER_MODEL) against the server's models"
                ) from None
            raise LLMModelError(
                f"HTTP 404 from {self.shown_url}/chat/completions ({message}): no chat endpoint there: check "
                f"OPENAI_BASE_URL (or --base-url; it usually ends in /v1) and --model ({self.model})"
            ) from None
        if status == 403:
            raise LLMRequestError(f"HTTP 403 (forbidden): {message}: check the key's access to {self.model}") from None
        raise LLMRequestError(f"HTTP {status}: {message}") from None

    def _connect_failure(self, cause: Exception) -> str:
        """What the OS said about the connection, in a few words ("connection refused", "no such host")."""
        text = str(cause).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "resolve" in text:
            return "no such host"
        return _one_line(str(cause) or type(cause).__name__, self._redact, limit=120)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so workers that failed together do not retry together."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)
