"""Markdown for the nightly digest: one page per day, a JSON twin, and an index of all days.

What a page shows is worked out in `digest_view.py`, shared with the HTML page and the feed; here it
is escaped for Markdown. Re-rendering an unchanged day gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from chatpaper import __version__
from chatpaper.render.digest_view import DigestIndexRow, DigestPage, Usage, page_facts, usage
from chatpaper.render.environment import markdown_environment
from chatpaper.render.safe import md_text


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _usage_line(facts: Usage | None) -> str:
    """The usage line in Markdown, the backend in bold (model names come from the config or a cached JSON)."""
    if facts is None:
        return ""
    if facts.extractive:
        return "Summaries: **extractive, no LLM** (sentences quoted from each paper)."
    return md_text(facts.describe())


def render_digest(page: DigestPage) -> str:
    """The Markdown page for one day: header with counts, contents by topic, then each paper."""
    facts = page_facts(page)
    facts["usage"] = _usage_line(usage(page.summarized))
    text = markdown_environment().get_template("digest.md.j2").render(**facts, version=__version__)
    return _tidy(text)


def render_digest_text(pages: Sequence[DigestPage]) -> str:
    """The e-mail's plain-text part: the pages one after the other, every point in full, no markup (a mail
    client without HTML shows it as it is, so Markdown's asterisks and `<details>` would show as such)."""
    template = markdown_environment().get_template("digest.txt.j2")
    bodies = []
    for page in pages:
        facts = page_facts(page)
        described = usage(page.summarized)
        facts["usage"] = "" if described is None else described.describe()
        bodies.append(_tidy(template.render(**facts, version=__version__)))
    return "\n\n".join(bodies)


def render_digest_json(page: DigestPage) -> str:
    """`YYYY-MM-DD.json`: the validated summaries on the page, in page order."""
    data = [p.summary.model_dump(mode="json") for p in page.summarized if p.summary is not None]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_digest_index(rows: Sequence[DigestIndexRow]) -> str:
    """`index.md`: every digest day, newest first, with its counts."""
    ordered = sorted(rows, key=lambda r: r.day, reverse=True)
    return _tidy(markdown_environment().get_template("digest_index.md.j2").render(rows=ordered, version=__version__))
