"""Shared fixtures: a clean environment for every test, and the real-paper corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
EXAMPLES = REPO / "examples"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's keys, config or caches."""
    import os

    for name in list(os.environ):
        if name.startswith(("CHATPAPER_", "OPENAI_")):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # no developer's user config either


@pytest.fixture
def corpus_dir() -> Path:
    """../shared/corpus beside the repo; tests using it skip when it is absent (a plain clone)."""
    if not (CORPUS / "pdfs").is_dir():
        pytest.skip(f"real-paper corpus not found at {CORPUS} (it sits beside the repo in CI)")
    return CORPUS


@pytest.fixture
def corpus_truth(corpus_dir: Path) -> list[dict]:
    return json.loads((corpus_dir / "truth.json").read_text(encoding="utf-8"))
