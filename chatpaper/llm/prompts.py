"""The prompt templates (`prompts/*.j2`) and the exact variables each one is rendered with.

Templates are rendered under StrictUndefined, so a variable the code forgets to pass is an error,
not a silent blank in a prompt. Each template's variables are built by one function below; the
tests render every template through the same functions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

import chatpaper
from chatpaper.llm.budget import Excerpt, PaperText
from chatpaper.models import Language, SummaryPoints

TEMPLATES = ("system.j2", "user.j2", "map.j2", "reduce.j2", "reask.j2")


def prompts_dir() -> Path:
    """Where the templates are: inside the installed package (wheel), else the source tree's `prompts/`."""
    package = Path(chatpaper.__file__).resolve().parent
    for candidate in (package / "prompts", package.parent / "prompts"):
        if (candidate / "system.j2").is_file():
            return candidate
    raise FileNotFoundError(f"prompt templates not found beside {package}: reinstall chatpaper")


@cache
def environment() -> jinja2.Environment:
    """The shared jinja2 environment (StrictUndefined, no HTML escaping: prompts are plain text)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(prompts_dir()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def template_variables(name: str) -> set[str]:
    """Every variable `name` reads, its includes' variables included (for the tests)."""
    env = environment()
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    ast = env.parse(source)
    found = set(jinja2.meta.find_undeclared_variables(ast))
    for included in jinja2.meta.find_referenced_templates(ast):
        if included:
            found |= template_variables(included)
    return found


def render(name: str, variables: Mapping[str, Any]) -> str:
    """Render one template with exactly `variables`; blank-line runs are collapsed to keep prompts short."""
    text = environment().get_template(name).render(**variables)
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines)


def prompt_version(schema: Mapping[str, Any]) -> str:
    """A short hash of every template and the answer schema: cached summaries are redone when it changes."""
    digest = hashlib.sha256()
    directory = prompts_dir()
    for path in sorted(directory.glob("*.j2")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(schema, sort_keys=True).encode())
    return digest.hexdigest()[:12]


# --- the variables of each template -----------------------------------------------------------------


def _sections(excerpts: Sequence[Excerpt]) -> list[dict[str, Any]]:
    return [
        {"heading": e.heading, "level": max(1, min(e.level, 3)), "text": e.text, "table": e.table} for e in excerpts
    ]


def system_vars(language: Language, answer_format: str | None) -> dict[str, Any]:
    """system.j2: the four points' definitions with their judgement questions (the `SummaryPoints`
    descriptions, their one owner), the output language, and the answer's shape when the server cannot
    enforce a schema (servers that only constrain decoding with the schema never show it to the model)."""
    points = [
        {"name": name, "definition": field.description or ""} for name, field in SummaryPoints.model_fields.items()
    ]
    return {"language": language, "answer_format": answer_format, "points": points}


def paper_vars(text: PaperText) -> dict[str, Any]:
    """_paper.j2 (included by user.j2 and reduce.j2): metadata and abstract."""
    arxiv = None
    if text.arxiv is not None:
        arxiv = {
            "id": text.arxiv.versioned_id,
            "title": text.arxiv.title,
            "authors": ", ".join(text.arxiv.authors) or "(not listed)",
        }
    return {
        "title": text.title or "(not found)",
        "title_printed": bool(text.title) and text.title_source == "printed",
        "authors": ", ".join(text.authors),
        "affiliation": text.affiliation,
        "front_matter": text.front_matter,
        "keywords": ", ".join(text.keywords),
        "code_urls": " ".join(text.code_urls),
        "abstract": text.abstract,
        "arxiv": arxiv,
    }


def user_vars(text: PaperText) -> dict[str, Any]:
    """user.j2: the one-call prompt with the chosen sections."""
    return {**paper_vars(text), "sections": _sections(text.excerpts)}


def reduce_vars(text: PaperText, notes: Sequence[str]) -> dict[str, Any]:
    """reduce.j2: metadata plus the notes the map step took."""
    return {**paper_vars(text), "notes": list(notes)}


def map_vars(title: str, excerpts: Sequence[Excerpt], part: int, parts: int, words: int) -> dict[str, Any]:
    """map.j2: one chunk of sections to take notes on."""
    return {"title": title, "sections": _sections(excerpts), "part": part, "parts": parts, "words": words}


def reask_vars(error: str) -> dict[str, Any]:
    """reask.j2: why the last answer was rejected."""
    return {"error": error}


# For the tests: a builder per template, so every template is checked against the code's variables.
VARIABLE_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "system.j2": system_vars,
    "user.j2": user_vars,
    "map.j2": map_vars,
    "reduce.j2": reduce_vars,
    "reask.j2": reask_vars,
}
