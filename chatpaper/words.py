"""How counts read: "1 paper", "2 papers", "1 LLM call". The one owner of plurals in what chatpaper says."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is one (`many` for irregular ones)."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"
