"""Token counts: the model's own BPE for OpenAI-family models, a calibrated estimate for every other model.

OpenAI's encodings (o200k_base, cl100k_base) ship inside the `bpe-openai` wheel (the `tokens` extra),
so exact counts need no download at run time (tiktoken fetches its files on first use, which an
offline machine cannot); without that extra they are estimated too.
Other families (Qwen, Llama, DeepSeek, ...) each tokenize differently and their vocabularies are not
shipped, so they get an estimate: about 4 characters per token for Latin-script text and about one
token per CJK character. Server-reported usage is what gets recorded; counts here size prompts and
dry-runs. This module is the only one that imports `bpe_openai`.
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import cache
from typing import Any, Protocol

from chatpaper.scripts import WIDE

log = logging.getLogger(__name__)

_CJK = re.compile(f"[{WIDE}]")  # full-width characters: about one token each


def estimate_tokens(text: str) -> int:
    """Estimated token count of `text` for budgeting (never 0 for non-empty text)."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    return max(1, cjk + (len(text) - cjk + 3) // 4)


class TokenCounter(Protocol):
    """Counts tokens the way one model family does."""

    name: str

    def count(self, text: str) -> int:
        """Tokens in `text`."""
        ...

    def head(self, text: str, tokens: int) -> str:
        """The longest prefix of `text` that is at most `tokens` tokens (cut anywhere)."""
        ...


class EstimateCounter:
    """The character-based estimate, for models whose tokenizer chatpaper does not ship."""

    name = "estimate"

    def count(self, text: str) -> int:
        return estimate_tokens(text)

    def head(self, text: str, tokens: int) -> str:
        lo, hi = 0, len(text)
        while lo < hi:  # binary search on the character cut; the estimate is monotonic
            mid = (lo + hi + 1) // 2
            if estimate_tokens(text[:mid]) <= tokens:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo]


class BpeCounter:
    """Exact counts with one of OpenAI's encodings, from the files inside the `bpe-openai` wheel."""

    def __init__(self, encoding: Any, name: str) -> None:
        self._encoding = encoding
        self.name = name

    def count(self, text: str) -> int:
        # encode_ordinary: "<|endoftext|>" printed in a paper is text, not a special token (and no error)
        return len(self._encoding.encode_ordinary(text)) if text else 0

    def head(self, text: str, tokens: int) -> str:
        ids = self._encoding.encode_ordinary(text)
        if len(ids) <= tokens:
            return text
        # A token may end inside a multi-byte character: drop the broken tail rather than invent one.
        return self._encoding.decode_bytes(ids[: max(0, tokens)]).decode("utf-8", errors="ignore")


ESTIMATE: TokenCounter = EstimateCounter()

# Which of OpenAI's encodings a model name uses (first match wins; the name is matched without its
# provider prefix, as in "openai/gpt-4o-mini"). Everything else is counted with the estimate.
OPENAI_ENCODINGS: tuple[tuple[str, str], ...] = (
    (r"gpt-4o|chatgpt-4o|gpt-4\.[15]|gpt-5|gpt-oss|o[134](-mini|-pro)?\b", "o200k_base"),
    (r"gpt-4|gpt-3\.5", "cl100k_base"),
)


def model_encoding(model: str) -> str | None:
    """The OpenAI encoding `model` uses, or None when it is not an OpenAI-family model."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    for pattern, encoding in OPENAI_ENCODINGS:
        if re.match(pattern, name):
            return encoding
    return None


@cache
def bpe_counter(encoding: str) -> TokenCounter:
    """The exact counter for one of OpenAI's encodings (loaded once), or the estimate when the
    `bpe-openai` package is not installed (the `tokens` extra) or has no wheel for this platform."""
    with warnings.catch_warnings():
        # bpe-openai 0.1 reads its data with importlib.resources.open_binary, deprecated in Python 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import bpe_openai
        except ImportError:  # installed without the tokens extra: counts are then estimated, not refused
            log.info("bpe-openai is not installed (pip install 'chatpaper[tokens]'): %s counts are estimated", encoding)
            return ESTIMATE
        return BpeCounter(bpe_openai.get_encoding(encoding), encoding)


def counter_for(model: str) -> TokenCounter:
    """How `model` counts tokens: its own encoding for OpenAI-family models, else the estimate."""
    encoding = model_encoding(model)
    return bpe_counter(encoding) if encoding else ESTIMATE


def trim_to_tokens(text: str, tokens: int, counter: TokenCounter = ESTIMATE) -> str:
    """The longest prefix of `text` within `tokens` tokens, cut at a sentence or word end."""
    if counter.count(text) <= tokens:
        return text
    cut = counter.head(text, tokens)
    for stop in (". ", "。", "\n"):
        at = cut.rfind(stop)
        if at > len(cut) * 0.6:
            return cut[: at + len(stop)].rstrip()
    at = cut.rfind(" ")
    return (cut[:at] if at > len(cut) * 0.6 else cut).rstrip()
