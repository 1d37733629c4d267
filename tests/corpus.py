"""The real-paper corpus (../shared/corpus) as pytest parameters, one per paper, with the reader's known gaps.

`KNOWN_GAPS` lists, per paper, the checks the reader does not meet yet and why (issue 11). Each is a strict
expected failure: the truth is never weakened, and a paper the reader starts to meet turns the test red
until its entry here is removed.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from tests.conftest import CORPUS

KNOWN_GAPS: dict[str, dict[str, str]] = {
    "ja-master-thesis-osaka-2022.pdf": {
        "abstract": "the truth's first sentence ('... the factor of high speed.') is not the one printed on p.2"
        " ('... factors enhancing falling speed.'); the reader returns the printed one",
    },
}


def norm(text: str | None) -> str:
    """Case, accents (also spacing accents), spaces and punctuation do not count; letters of every script do."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in text.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def load_truth() -> list[dict[str, Any]]:
    """truth.json, or [] when the corpus is absent (the tests then skip)."""
    path = CORPUS / "truth.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def corpus_params(check: str, *, where: Any = None) -> list[Any]:
    """One pytest param per corpus record (optionally filtered by `where(record)`), marked as a strict
    expected failure where KNOWN_GAPS names `check` for that paper; a single skip when the corpus is absent."""
    records = [r for r in load_truth() if where is None or where(r)]
    if not records:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"real-paper corpus not found at {CORPUS}"))]
    params = []
    for record in records:
        reason = KNOWN_GAPS.get(record["file"], {}).get(check)
        marks = [pytest.mark.xfail(reason=f"issue 11: {reason}", strict=True)] if reason else []
        params.append(pytest.param(record, id=record["file"], marks=marks))
    return params
