"""What a summary cost: a small default price table, extended or overridden by `settings.prices`.

Prices drift, so the table only covers a few well-known models and is meant to be overridden in
`chatpaper.toml` (`[prices."model-name"] input = .. output = ..`). An unknown model costs `None`
(reports then show tokens only) rather than a guessed number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatpaper.settings import ModelPrice

# USD per 1M tokens (prompt, completion), list prices as of 2025.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    name: ModelPrice(input=inp, output=out)
    for name, (inp, out) in {
        "gpt-4o-mini": (0.15, 0.60),
        "gpt-4o": (2.50, 10.00),
        "gpt-4.1": (2.00, 8.00),
        "gpt-4.1-mini": (0.40, 1.60),
        "gpt-4.1-nano": (0.10, 0.40),
        "gpt-5": (1.25, 10.00),
        "gpt-5-mini": (0.25, 2.00),
        "gpt-5-nano": (0.05, 0.40),
        "o4-mini": (1.10, 4.40),
        "gpt-3.5-turbo": (0.50, 1.50),
        "deepseek-chat": (0.28, 0.42),
        "deepseek-reasoner": (0.28, 0.42),
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
    model: str, prompt_tokens: int, completion_tokens: int, prices: Mapping[str, ModelPrice]
) -> float | None:
    """Estimated USD cost of the given usage, or None when the model's price is unknown."""
    price = model_price(model, prices)
    if price is None:
        return None
    return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000
