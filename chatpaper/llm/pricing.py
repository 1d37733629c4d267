"""What a summary cost: a small default price table, extended or overridden by `settings.prices`.

Prices drift, so the table only covers a few well-known models and is meant to be overridden in
`chatpaper.toml` (`[prices."model-name"] input = .. output = ..`). An unknown model costs `None`
(reports then show tokens only) rather than a guessed number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatpaper.settings import ModelPrice

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


def estimate_cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, ModelPrice],
    cached_tokens: int = 0,
) -> float | None:
    """Estimated USD cost of the given usage, or None when the model's price is unknown. `cached_tokens`
    (part of `prompt_tokens`) cost the cached price when the model has one."""
    price = model_price(model, prices)
    if price is None:
        return None
    cached = min(cached_tokens, prompt_tokens)
    cached_price = price.input if price.cached_input is None else price.cached_input
    prompt_cost = (prompt_tokens - cached) * price.input + cached * cached_price
    return (prompt_cost + completion_tokens * price.output) / 1_000_000
