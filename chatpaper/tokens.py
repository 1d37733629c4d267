"""Token estimates without a tokenizer download.

Exact BPE tables (tiktoken) must be fetched from the network at first use, and every server family
tokenizes differently anyway, so budgets use a calibrated estimate: about 4 characters per token
for Latin-script text and about one token per CJK character. Server-reported usage is what gets
recorded; this estimate only sizes prompts and dry-runs.
"""

from __future__ import annotations

import re

from chatpaper.scripts import WIDE

_CJK = re.compile(f"[{WIDE}]")  # full-width characters: about one token each


def estimate_tokens(text: str) -> int:
    """Estimated token count of `text` for budgeting (never 0 for non-empty text)."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    return max(1, cjk + (len(text) - cjk + 3) // 4)


def trim_to_tokens(text: str, tokens: int) -> str:
    """The longest prefix of `text` within about `tokens` tokens, cut at a sentence or word end."""
    if estimate_tokens(text) <= tokens:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # binary search on the character cut; estimate_tokens is monotonic
        mid = (lo + hi + 1) // 2
        if estimate_tokens(text[:mid]) <= tokens:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    for stop in (". ", "。", "\n"):
        at = cut.rfind(stop)
        if at > len(cut) * 0.6:
            return cut[: at + len(stop)].rstrip()
    at = cut.rfind(" ")
    return (cut[:at] if at > len(cut) * 0.6 else cut).rstrip()
