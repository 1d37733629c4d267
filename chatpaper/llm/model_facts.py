"""Model facts: what chatpaper knows of named models, in one place.

Each model's context window (the provider's documented maximum) and list price, looked up by name.
Both drift as providers change their offers, so both are defaults that settings override:
`context_tokens` (--context-tokens) for the window, `[prices."model-name"]` in chatpaper.toml for the
price. An unknown model gets a window any current chat model offers, and no price (`None`: reports
then show tokens only) rather than a guessed number. Which tokenizer a model family uses is the
tokenizer's own rule and stays with it (`chatpaper.tokens.OPENAI_ENCODINGS`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatpaper.settings import ModelPrice

# --- context windows ---------------------------------------------------------------------------------

# First match wins, so specific names come before their families. Windows are the provider's
# documented maximum; a local server may be configured smaller (set --context-tokens then).
KNOWN_CONTEXT: tuple[tuple[str, int], ...] = (
    (r"gpt-4\.1", 1_047_576),
    (r"gpt-5", 400_000),
    (r"gpt-4o|gpt-4-turbo|chatgpt-4o", 128_000),
    (r"gpt-4-32k", 32_768),
    (r"gpt-4", 8_192),
    (r"gpt-3\.5-turbo-instruct", 4_096),
    (r"gpt-3\.5-turbo", 16_385),
    (r"o[134](-mini|-pro)?\b", 200_000),
    (r"deepseek", 65_536),
    (r"qwen", 32_768),
    (r"llama-?3\.[123]|llama-?4", 131_072),
    (r"llama-?3", 8_192),
    (r"llama-?2", 4_096),
    (r"mistral-large|mistral-small|mistral-medium|mistral-nemo|ministral", 131_072),
    (r"mistral|mixtral", 32_768),
    (r"gemma-?[23]", 8_192),
    (r"glm-4|moonshot|kimi|yi-", 128_000),
    (r"claude", 200_000),
    (r"gemini", 1_000_000),
    (r"phi-?3|phi-?4", 16_384),
)
DEFAULT_CONTEXT = 8_192  # unknown names: what any current chat model offers


def context_window(model: str, override: int | None = None) -> int:
    """The model's context window in tokens: `override` (settings.context_tokens) or a known default."""
    if override:
        return override
    # "openai/gpt-4o-mini", "Qwen/Qwen2.5-7B-Instruct", "llama3.1:8b": match on the last path part.
    name = model.strip().lower().rsplit("/", 1)[-1]
    for pattern, tokens in KNOWN_CONTEXT:
        if re.match(pattern, name):
            return tokens
    return DEFAULT_CONTEXT


# --- prices ------------------------------------------------------------------------------------------

# USD per 1M tokens (prompt, completion, cached prompt), list prices as of 2025.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    name: ModelPrice(input=inp, output=out, cached_input=cached)
    for name, (inp, out, cached) in {
        "gpt-4o-mini": (0.15, 0.60, 0.075),
        "gpt-4o": (2.50, 10.00, 1.25),
        "gpt-4.1": (2.00, 8.00, 0.50),
        "gpt-4.1-mini": (0.40, 1.60, 0.10),
        "gpt-4.1-nano": (0.10, 0.40, 0.025),
        "gpt-5": (1.25, 10.00, 0.125),
        "gpt-5-mini": (0.25, 2.00, 0.025),
        "gpt-5-nano": (0.05, 0.40, 0.005),
        "o4-mini": (1.10, 4.40, 0.275),
        "gpt-3.5-turbo": (0.50, 1.50, None),
        "deepseek-chat": (0.28, 0.42, 0.028),
        "deepseek-reasoner": (0.28, 0.42, 0.028),
    }.items()
}

# Dated snapshots ("gpt-4o-mini-2024-07-18") cost what their alias costs.
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def model_price(model: str, prices: Mapping[str, ModelPrice] | None = None) -> ModelPrice | None:
    """The price of `model`: `prices` (the user's table) first, then the defaults; None when unknown."""
    table = {name.lower(): price for name, price in DEFAULT_PRICES.items()}
    table.update({name.lower(): price for name, price in (prices or {}).items()})
    name = model.strip().lower()
    for candidate in (name, _SNAPSHOT.sub("", name)):
        if candidate in table:
            return table[candidate]
    return None
