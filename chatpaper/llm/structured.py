"""Getting a valid `SummaryAnswer` out of a model: format, call, repair, validate, re-ask, fail clearly.

The answer format is the strictest the server supports: `json_schema` (structured outputs), else
`json_object` with the answer's shape described in the prompt, else the prompt alone. In `auto` mode
the first server that refuses a format moves the whole run down one step, once, for every thread.

Replies are repaired before validation (code fences, `<think>` blocks, prose around the object,
LaTeX backslashes that are not JSON escapes, trailing commas), then validated by pydantic. An answer
that still fails is re-asked once with the validation error; then the paper fails with the reason.
The same one re-ask may instead go to a valid answer the caller's `vet` objects to (most of its
quotes are not in the paper): the model's second answer is taken if it is valid, else the first,
and no further call is made.
A reply cut off by the token limit is retried once with more room or a shorter input; a prompt the
server says is too long is shrunk and retried once, never grown.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
from collections.abc import Callable
from functools import cache
from typing import Any, Literal

from pydantic import ValidationError

from chatpaper.errors import ContextLengthError, LLMOutputError, LLMRequestError, PaperError
from chatpaper.llm import prompts
from chatpaper.llm.client import ChatClient, ContextTooLongError, FormatRejectedError, Message, Usage
from chatpaper.llm.client import estimate_request_tokens as request_tokens
from chatpaper.models import POINTS, SummaryAnswer
from chatpaper.settings import StructuredSetting
from chatpaper.words import plural

log = logging.getLogger(__name__)

FormatMode = Literal["json_schema", "json_object", "prompt"]
FALLBACK: dict[str, FormatMode] = {"json_schema": "json_object", "json_object": "prompt"}
SCHEMA_NAME = "paper_summary"
MIN_TEXT_BUDGET = 300  # below this there is nothing left worth summarizing

# --- the schema ----------------------------------------------------------------------------------

# Keywords strict structured outputs accept; pydantic validates the rest (minLength, maxItems) itself.
_SCHEMA_KEYS = {"type", "properties", "required", "additionalProperties", "items", "anyOf", "description", "enum"}


@cache
def answer_schema() -> dict[str, Any]:
    """`SummaryAnswer`'s JSON schema made strict-compatible.

    pydantic already marks every field required and objects closed (extra="forbid"); this checks
    that, inlines `$ref`s (several servers cannot follow them) and drops keywords strict mode rejects
    and titles nobody reads.
    """
    raw = SummaryAnswer.model_json_schema()
    defs = raw.get("$defs", {})

    def strict(node: Any) -> Any:
        if isinstance(node, list):
            return [strict(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]])
            # The referring node's own description wins over the definition's docstring.
            return strict({**target, **{k: v for k, v in node.items() if k != "$ref"}})
        out = {k: strict(v) if k != "properties" else v for k, v in node.items() if k in _SCHEMA_KEYS}
        if "properties" in node:
            out["properties"] = {name: strict(sub) for name, sub in node["properties"].items()}
            out["required"] = list(node["properties"])
            out["additionalProperties"] = False
        return out

    schema = strict(raw)
    schema.pop("description", None)  # the model's docstring speaks to developers, not to the model
    return schema


def response_format(mode: FormatMode) -> dict[str, Any] | None:
    """The `response_format` request parameter for `mode` (None: ask in the prompt only)."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": answer_schema()}}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


@cache
def answer_skeleton() -> str:
    """The answer's fields and their meaning, for prompts sent without a schema the server enforces."""

    def describe(node: dict[str, Any], indent: str) -> list[str]:
        lines = []
        for name, sub in node["properties"].items():
            if "properties" in sub:
                lines.append(f'{indent}"{name}": {{')
                lines += describe(sub, indent + "  ")
                lines.append(f"{indent}}}")
                continue
            kinds = [v.get("type", "?") for v in sub["anyOf"]] if "anyOf" in sub else [sub.get("type", "?")]
            kind = " or ".join("list of strings" if k == "array" else k for k in kinds)
            lines.append(f'{indent}"{name}": {kind}: {sub.get("description", "")}')
        return lines

    return "{\n" + "\n".join(describe(answer_schema(), "  ")) + "\n}"


class FormatChooser:
    """The answer format in use for this run; thread-safe, and only ever moves down in `auto` mode."""

    def __init__(self, setting: StructuredSetting) -> None:
        self.auto = setting == "auto"
        self._mode: FormatMode = "json_schema" if setting == "auto" else setting
        self._lock = threading.Lock()

    @property
    def mode(self) -> FormatMode:
        with self._lock:
            return self._mode

    def fall_back(self, failed: FormatMode) -> bool:
        """After the server refused `failed`: True when another format is there to try."""
        with self._lock:
            if self._mode != failed:
                return True  # another thread already moved on
            if not self.auto or failed not in FALLBACK:
                return False
            self._mode = FALLBACK[failed]
            log.info("the server refused response_format %s; using %s for the rest of the run", failed, self._mode)
            return True


# --- repair and validation -------------------------------------------------------------------------

_THINK = re.compile(r"<think>.*?(</think>|$)", re.S | re.I)
_FENCE = re.compile(r"```[a-zA-Z]*[ \t]*\n?(.*?)(```|$)", re.S)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_LETTERS = re.compile(r"[A-Za-z]*")
# LaTeX commands that begin with a letter JSON reads as an escape (\n, \r, \t): "\theta" is not a tab.
_LATEX_NRT = frozenset(
    {
        "nabla",
        "neq",
        "ne",
        "nu",
        "not",
        "newline",
        "noindent",
        "nolimits",
        "ni",
        "nmid",
        "nleq",
        "ngeq",
        "nparallel",
        "rho",
        "right",
        "rightarrow",
        "rangle",
        "rceil",
        "rfloor",
        "rm",
        "ref",
        "theta",
        "tau",
        "times",
        "text",
        "textbf",
        "textit",
        "textrm",
        "texttt",
        "textsc",
        "textsf",
        "tilde",
        "top",
        "to",
        "triangle",
        "tfrac",
        "tanh",
        "tan",
        "therefore",
        "tt",
    }
)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


class AnswerError(ValueError):
    """A reply that is not a valid answer; the message is what the re-ask tells the model."""


def _fix_escape(match: re.Match[str]) -> str:
    seq = match.group(1)
    if seq in ('"', "\\", "/") or len(seq) == 5:
        return match.group(0)
    if seq in "bfnrt":
        word = seq + _LETTERS.match(match.string, match.end()).group(0)  # type: ignore[union-attr]
        # \b and \f never occur in prose; \n, \r, \t are LaTeX only when a known command follows.
        if (seq in "bf" and len(word) > 1) or word in _LATEX_NRT:
            return "\\" + match.group(0)
        return match.group(0)
    return "\\" + match.group(0)  # not a JSON escape at all: a LaTeX command or a stray backslash


def repair_json(text: str) -> str:
    """The JSON object in a model's reply, with the usual damage undone (fences, prose, LaTeX backslashes)."""
    text = _THINK.sub("", text).strip()
    fenced = _FENCE.search(text)
    if fenced and "{" in fenced.group(1):
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start >= 0 and end > start:
        text = text[start : end + 1]
    return _ESCAPE.sub(_fix_escape, text)


def _load(text: str) -> Any:
    candidate = repair_json(text)
    try:
        return json.loads(candidate, strict=False)  # strict=False: raw newlines inside strings are fine
    except json.JSONDecodeError as first:
        try:
            return json.loads(_TRAILING_COMMA.sub(r"\1", candidate), strict=False)
        except json.JSONDecodeError:
            where = f"{first.msg} at line {first.lineno} column {first.colno}"
            raise AnswerError(f"the reply is not valid JSON ({where})") from None


def _tidy(data: Any) -> Any:
    """Fix what costs a re-ask but has one obvious meaning: a wrapper object, a flattened summary,
    missing nullable fields, a comma-separated list, one keyword too many, a point's single quote
    given as a string or quotes given as {"quote": ...} objects."""
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (inner,) = data.values()
        if isinstance(inner, dict) and ("summary" in inner or "title" in inner):
            data = inner
    data = dict(data)
    if "summary" not in data and all(p in data for p in POINTS):
        data["summary"] = {p: data.pop(p) for p in POINTS}
    if isinstance(data.get("evidence"), dict):
        data["evidence"] = {point: _quotes(given) for point, given in data["evidence"].items()}
    for field in ("title_translated", "first_author_affiliation", "code_url"):
        data.setdefault(field, None)
    for field in ("authors", "keywords"):
        if isinstance(data.get(field), str):
            data[field] = [part.strip() for part in re.split(r"[,;]", data[field]) if part.strip()]
    limit = SummaryAnswer.model_fields["keywords"].metadata
    most = next((m.max_length for m in limit if getattr(m, "max_length", None)), None)
    if most and isinstance(data.get("keywords"), list):
        data["keywords"] = data["keywords"][:most]
    return data


def _quotes(given: Any) -> Any:
    """A point's quotes as a list of strings, when the model wrote one string or quote objects."""
    if isinstance(given, str):
        return [given]
    if isinstance(given, list):
        return [q["quote"] if isinstance(q, dict) and isinstance(q.get("quote"), str) else q for q in given]
    return given


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:6]:
        where = ".".join(str(p) for p in err["loc"]) or "answer"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_answer(text: str) -> SummaryAnswer:
    """Repair and validate a reply; raises AnswerError saying what is wrong."""
    if not text.strip():
        raise AnswerError("the reply was empty")
    data = _tidy(_load(text))
    if not isinstance(data, dict):
        raise AnswerError(f"the reply is a JSON {type(data).__name__}, not an object")
    try:
        return SummaryAnswer.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(f"the JSON does not match the schema ({_describe(exc)})") from None


# --- the conversation ------------------------------------------------------------------------------

# Builds the messages for an answer format and a paper-text budget; also says how many tokens of
# paper text went in (a short paper uses less than its budget, and shrinking must start from that).
PromptBuilder = Callable[[FormatMode, int], tuple[list[Message], int]]
# Looks at a valid answer: why it is worth the one re-ask (said to the model), or None to take it.
Vet = Callable[[SummaryAnswer], str | None]


def ask_for_answer(
    client: ChatClient,
    formats: FormatChooser,
    build: PromptBuilder,
    *,
    budget: int,
    max_tokens: int,
    context: int,
    usage: Usage,
    on_context_limit: Callable[[int], None] | None = None,
    vet: Vet | None = None,
) -> SummaryAnswer:
    """Ask until a valid answer arrives or the retries that make sense are spent.

    One re-ask on an invalid answer, or on a valid one `vet` objects to (never both: a re-ask is one
    extra call at most), one retry on a cut-off answer, one shrink on a context-length error; a
    refused answer format moves to the next format. Raises LLMOutputError (with `attempts`),
    ContextLengthError or the client's errors.
    """
    followups: list[Message] = []
    invalid = answers = 0
    calls_before = usage.calls
    shrunk = length_retried = False
    cut_off = False
    prompt: tuple[FormatMode, int, list[Message]] | None = None  # the last prompt built, and for what
    while True:
        mode = formats.mode
        if prompt is None or prompt[:2] != (mode, budget):
            built, used = build(mode, budget)
            budget = min(budget, used)
            prompt = (mode, budget, built)
        # A re-ask (or a retry with more room) continues the conversation the model answered: the
        # prompt is rebuilt only when the format or the budget changed (building again for the
        # budget actually used can cut a little more, and the model's answer would then refer to
        # text it is no longer shown).
        messages = prompt[2] + followups
        fmt = response_format(mode)
        try:
            reply = client.chat(messages, max_tokens=max_tokens, usage=usage, response_format=fmt)
        except FormatRejectedError as exc:
            if formats.fall_back(mode):
                continue
            hint = "try --structured json_object or prompt" if mode != "prompt" else "try another --base-url"
            raise LLMRequestError(f"{exc}: {hint}") from None
        except ContextTooLongError as exc:
            if exc.limit:
                context = min(context, exc.limit)  # a later cut-off answer must not grow past the real window
                if on_context_limit:
                    on_context_limit(exc.limit)
            smaller = _shrink(budget, request_tokens(messages, fmt, client.counter), max_tokens, exc.limit)
            if shrunk or smaller is None:
                raise ContextLengthError(
                    f"{exc} (still too long after shrinking the input): set --context-tokens to the model's "
                    "real window or lower --prompt-tokens"
                ) from None
            log.debug("context-length error: paper text budget %d -> %d tokens", budget, smaller)
            shrunk, budget = True, smaller
            continue

        answers += 1
        if reply.finish_reason == "length" and not length_retried:
            length_retried = True
            sent = request_tokens(messages, fmt, client.counter)
            room = int(context * 0.9) - sent
            if room >= max_tokens * 3 // 2:
                max_tokens = min(room, max_tokens * 2)
            else:
                # No room to grow the answer: make the input shorter instead (the instructions and the
                # schema stay, so the answer gets what the cut frees, not the whole window).
                shorter = max(MIN_TEXT_BUDGET, budget - max_tokens)
                room += budget - shorter
                budget = shorter
                max_tokens = max(max_tokens, min(max_tokens * 2, room))
            log.debug("answer cut off; retrying with max_tokens=%d, budget=%d", max_tokens, budget)
            continue
        cut_off = reply.finish_reason == "length"

        try:
            if reply.refusal and not reply.content:
                raise AnswerError(f"the model refused: {reply.refusal}")
            answer = parse_answer(reply.content)
        except AnswerError as exc:
            invalid += 1
            reason = str(exc)
            if invalid >= 2:
                if cut_off:
                    reason += (
                        f"; the answer was cut off at {max_tokens} tokens: raise max_output_tokens "
                        "(CHATPAPER_MAX_OUTPUT_TOKENS, or in chatpaper.toml)"
                    )
                # Every answer counts, a cut-off one retried for room too, and so does every request
                # that brought none (a timeout, a 5xx): the message says what the paper cost.
                calls = usage.calls - calls_before
                requests = f" in {plural(calls, 'request')}" if calls != answers else ""
                raise LLMOutputError(
                    f"the model's answer was not a valid summary after {plural(answers, 'answer')}{requests} "
                    f"({reason})",
                    attempts=answers,
                    cut_off=cut_off,
                ) from None
            log.debug("invalid answer (%s); asking again", reason)
            followups = _reask(reply.content, reason)
            continue
        complaint = vet(answer) if vet is not None and not invalid else None
        if complaint is None:
            return answer
        log.debug("valid answer re-asked once: %s", complaint)
        reask = messages + _reask(reply.content, complaint)
        return _answer_again(client, reask, max_tokens=max_tokens, usage=usage, fmt=fmt, fallback=answer)


def _answer_again(
    client: ChatClient,
    messages: list[Message],
    *,
    max_tokens: int,
    usage: Usage,
    fmt: dict[str, Any] | None,
    fallback: SummaryAnswer,
) -> SummaryAnswer:
    """The one re-ask of a valid answer: the new answer if it is valid and whole, else `fallback`;
    nothing is retried (the re-ask is one extra call at most) and no failure costs the paper."""
    try:
        reply = client.chat(messages, max_tokens=max_tokens, usage=usage, response_format=fmt)
    except PaperError as exc:
        log.debug("the re-ask failed (%s); keeping the first answer", exc)
        return fallback
    if reply.finish_reason == "length":
        return fallback
    try:
        return parse_answer(reply.content)
    except AnswerError as exc:
        log.debug("the re-asked answer is not valid (%s); keeping the first answer", exc)
        return fallback


def _reask(content: str, reason: str) -> list[Message]:
    """The model's last reply and the re-ask saying why it could not be used as it is."""
    return [
        {"role": "assistant", "content": content},
        {"role": "user", "content": prompts.render("reask.j2", prompts.reask_vars(reason))},
    ]


def _shrink(budget: int, sent: int, max_tokens: int, limit: int | None) -> int | None:
    """A smaller paper-text budget after a context-length error, or None when nothing useful is left."""
    smaller = int(budget * 0.6)
    if limit:
        # The server named its window: cut the excess and 15% more for our token estimate's error.
        excess = sent + max_tokens - int(limit * 0.85)
        if excess > 0:
            smaller = min(int(budget * 0.8), budget - excess)
    if smaller < MIN_TEXT_BUDGET:
        return None
    return smaller
