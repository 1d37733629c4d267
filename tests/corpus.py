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

_TYPE3 = "dvips Type-3 bitmap fonts: words and lines are not yet rebuilt from glyph geometry"
_COVER = "a cover or banner page's biggest text is taken for the title"
_AUTHOR_UNDER_TITLE = "the author line right under the title in a similar font is not told from the title"
_HARD_AUTHORS = "hard author lines (grids, glued markers, 'and' joins, cover profiles) are read only in part"
_HEADINGS = "headings that are not 'number + text, bigger or bold' are missed or over-found"
_LANGUAGE = "language detection knows only en/zh"

KNOWN_GAPS: dict[str, dict[str, str]] = {
    "lelewer-1987-data-compression-t3.pdf": dict.fromkeys(("title", "authors", "sections", "abstract"), _TYPE3),
    "ecoop98-predicate-dispatching-t3.pdf": dict.fromkeys(
        ("title", "authors", "sections", "affiliation", "abstract", "appendices"), _TYPE3
    ),
    "lavalle-1998-rrt-t3.pdf": dict.fromkeys(("title", "authors", "sections", "affiliation", "abstract"), _TYPE3),
    "escholarship-devcel-2023-heart-enhancers.pdf": {
        "title": _COVER,
        "authors": _COVER,
        "affiliation": _COVER,
        "sections": "front-matter boxes (In Brief, Graphical Abstract) are taken for sections",
    },
    "science-2023-enzyme-cascade.pdf": dict.fromkeys(("sections", "affiliation", "appendices"), _HEADINGS),
    "springer-diabetologia-2024-kcnj11.pdf": {
        "authors": _HARD_AUTHORS,
        "affiliation": _HARD_AUTHORS,
        "abstract": "a structured abstract's run-in label ('Aims/hypothesis') is kept",
    },
    "acm-spaa04-bicriteria-author-grid.pdf": dict.fromkeys(("authors", "affiliation"), _HARD_AUTHORS),
    "de-zaac-2008-hydrolyse.pdf": {
        "title": "a second-language title of the same size is joined to the first",
        "sections": _HEADINGS,
        "language": _LANGUAGE,
    },
    "aip-apl-2011-tip-apex.pdf": {"authors": _HARD_AUTHORS},
    "amsart-arxiv-2015-influential-nodes.pdf": dict.fromkeys(("authors", "affiliation"), _HARD_AUTHORS),
    "aimag-2010-open-ie-domain.pdf": {
        "authors": _HARD_AUTHORS,
        "affiliation": _HARD_AUTHORS,
        "sections": _HEADINGS,
        "abstract": "an unlabelled side-bar abstract is not found",
    },
    "pt-cilamce2017-researchgate-cover.pdf": {
        "authors": _COVER,
        "affiliation": _COVER,
        "abstract": _COVER,
        "sections": _HEADINGS,
        "language": _LANGUAGE,
    },
    "ja-master-thesis-osaka-2022.pdf": {
        "authors": _COVER,
        "affiliation": _COVER,
        "abstract": _COVER,
        "sections": _HEADINGS,
        "language": _LANGUAGE,
    },
    "ru-poetry-topic-modeling.pdf": {
        "title": "a classification code line (UDC) above the title is taken for it",
        "authors": _HARD_AUTHORS,
        "affiliation": _HARD_AUTHORS,
        "abstract": "a run-in abstract label in Russian ('Аннотация:') is kept",
        "sections": _HEADINGS,
        "language": _LANGUAGE,
    },
    "ru-dissertation-urfu-2021.pdf": {
        "title": "a thesis title page: the author's name, printed as big as the title, is taken for it",
        "authors": _COVER,
        "affiliation": _COVER,
        "sections": _HEADINGS,
        "appendices": _HEADINGS,
        "language": _LANGUAGE,
        "code_url": "the author's own repository is not told from third-party links in a dissertation",
    },
    "es-baaa-2020-awsom.pdf": {
        "sections": "a Spanish reference heading (Referencias) is not recognised",
        "affiliation": "spacing accents in the affiliation are not joined",
        "abstract": "the abstract split across columns is not found",
        "language": _LANGUAGE,
    },
    "springer-inflammopharm-2007.pdf": dict.fromkeys(
        ("authors", "sections", "affiliation", "abstract"), _AUTHOR_UNDER_TITLE
    ),
    "elsevier-epidemics-2017-chikv-zikv.pdf": dict.fromkeys(
        ("title", "authors", "sections", "affiliation", "abstract"),
        "words drawn as separate spans with zero-size spaces are glued; " + _AUTHOR_UNDER_TITLE,
    ),
    "elsevier-eswa-2024-stock-gcn.pdf": {
        **dict.fromkeys(("title", "authors", "affiliation", "abstract"), _COVER),
        "sections": "an outline with the title at level 1 is taken as the truth",
        "code_url": "a code URL inside the abstract is not preferred over the journal's home page",
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
