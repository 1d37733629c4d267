"""The `chatpaper` command: the only place that prints, draws progress bars or picks exit codes.

Exit codes: 0 every paper done; 3 the batch finished but some papers failed; 1 a fatal error
(bad config, refused API key); 2 a usage error.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from chatpaper import __version__
from chatpaper.errors import BudgetExceededError, ChatpaperError
from chatpaper.models import PaperOutcome
from chatpaper.render import tally_line
from chatpaper.settings import LoadedSettings, Settings, describe_settings, load_settings

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_SOME_FAILED = 0, 1, 2, 3


class _DefaultToRun(click.Group):
    """`chatpaper papers/` and `chatpaper --query x` mean `chatpaper run ...`: the main job needs no verb."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _fail(message: str) -> None:
    _echo_err(f"chatpaper: error: {message}")


def _configure_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not debug:
        # The HTTP libraries log every request at INFO; a batch run should stay quiet.
        for noisy in ("httpx", "httpx2", "openai", "urllib3", "arxiv"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def _load(overrides: dict[str, Any], config: str | None) -> LoadedSettings:
    return load_settings({k: v for k, v in overrides.items() if v is not None}, config_path=config)


def _run_guarded(debug: bool, body: Callable[[], int]) -> None:
    """Run a command body; render chatpaper errors as one line (traceback with --debug)."""
    _configure_logging(debug)
    try:
        code = body()
    except ChatpaperError as exc:
        if debug:
            raise
        _fail(str(exc))
        code = EXIT_FATAL
    except KeyboardInterrupt:
        _fail("interrupted; finished reports are kept, rerun to resume")
        code = 130
    sys.exit(code)


common_options = [
    click.option("--config", "config", type=click.Path(dir_okay=False), help="chatpaper.toml to read settings from."),
    click.option("--debug", is_flag=True, help="Log details and show tracebacks."),
]


def with_common(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(common_options):
        func = option(func)
    return func


@click.group(cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chatpaper")
def main() -> None:
    """Structured summaries of research papers.

    \b
    chatpaper papers/ paper.pdf -o reports     summarize local PDFs
    chatpaper parse paper.pdf --json            show what the PDF reader sees
    chatpaper config                            effective settings and where they come from

    With neither OPENAI_API_KEY nor OPENAI_BASE_URL set, an offline extractive backend is used.
    Run `chatpaper run --help` for all options of the main job.
    """


@main.command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--pdf", "pdfs", multiple=True, type=click.Path(), help="A PDF or folder (same as a PATH argument).")
@click.option("-o", "--out", type=click.Path(file_okay=False), help="Folder for the reports [reports].")
@click.option("-m", "--model", help="Model name on the OpenAI-compatible server.")
@click.option("--language", type=click.Choice(["en", "zh"]), help="Language of the summaries [en].")
@click.option("--backend", type=click.Choice(["auto", "openai", "extractive"]), help="Summarizer [auto].")
@click.option("--base-url", help="OpenAI-compatible server URL (else OPENAI_BASE_URL).")
@click.option("--workers", type=int, help="Papers in flight at once [4].")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Downloads and summary cache [~/.cache/chatpaper].")
@click.option("--force", is_flag=True, default=None, help="Redo papers already summarized.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or notices; errors only.")
@with_common
def run_command(
    paths: tuple[str, ...],
    pdfs: tuple[str, ...],
    quiet: bool,
    config: str | None,
    debug: bool,
    **overrides: Any,
) -> None:
    """Summarize local PDFs (files or folders, searched recursively)."""

    def body() -> int:
        inputs = [*paths, *pdfs]
        if not inputs:
            raise click.UsageError("give at least one PDF or folder (or --pdf PATH)")
        loaded = _load(overrides, config)
        from chatpaper.sources.local import find_pdfs

        refs, problems = find_pdfs(inputs)
        return _summarize(refs, problems, loaded.settings, quiet=quiet)

    _run_guarded(debug, body)


def _announce_backend(settings: Settings, quiet: bool) -> None:
    if quiet:
        return
    if settings.backend == "auto" and settings.resolved_backend() == "extractive":
        _echo_err(
            "chatpaper: neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: using the offline extractive "
            "backend (sentences quoted from each paper, no LLM)."
        )


def _summarize(refs: list[Any], problems: list[tuple[str, str]], settings: Settings, *, quiet: bool) -> int:
    from chatpaper.pipeline import summarize_batch

    _announce_backend(settings, quiet)
    total = len(refs) + len(problems)
    show_bar = not quiet and sys.stderr.isatty()
    bar = tqdm(total=total, unit="paper", file=sys.stderr, disable=not show_bar, dynamic_ncols=True)
    lock = threading.Lock()

    def progress(outcome: PaperOutcome) -> None:
        with lock:
            bar.set_postfix_str(outcome.name[-30:], refresh=False)
            bar.update(1)

    try:
        result = summarize_batch(refs, settings, problems=problems, progress=progress)
    finally:
        bar.close()

    for outcome in result.failed:
        _echo_err(f"failed: {outcome.source}: {outcome.reason}")
    if result.stopped is not None:
        _fail(str(result.stopped))
    if not quiet:
        usage = result.usage.describe()
        out = settings.out.expanduser()
        _echo_err(f"{tally_line(result.outcomes)}{' · ' + usage if usage else ''} · reports in {out}/ (index.md)")
    if result.stopped is not None and not isinstance(result.stopped, BudgetExceededError):
        return EXIT_FATAL
    return EXIT_SOME_FAILED if result.failed or result.stopped else EXIT_OK


@main.command("parse")
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the parsed structure as JSON.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def parse_command(file: str, as_json: bool, debug: bool) -> None:
    """Show what the PDF reader extracts from FILE: title, authors, abstract, sections, code links."""

    def body() -> int:
        from chatpaper.pdf import read_paper

        paper = read_paper(Path(file))
        if as_json:
            data = paper.model_dump(
                include={
                    "title",
                    "authors",
                    "first_author_affiliation",
                    "abstract",
                    "keywords",
                    "sections",
                    "pages",
                    "code_urls",
                    "language",
                    "has_outline",
                }
            )
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return EXIT_OK
        click.echo(f"{paper.title}\n{', '.join(paper.authors)}")
        if paper.first_author_affiliation:
            click.echo(paper.first_author_affiliation)
        click.echo(f"{paper.pages} pages · {paper.language} · outline: {'yes' if paper.has_outline else 'no'}")
        for url in paper.code_urls:
            click.echo(f"code: {url}")
        click.echo("")
        for section in paper.sections:
            indent = "  " * (section.level - 1)
            click.echo(f"{indent}{section.heading}  [p.{section.page}, {section.role}, {len(section.text):,} chars]")
        return EXIT_OK

    _run_guarded(debug, body)


@main.command("config")
@with_common
def config_command(config: str | None, debug: bool) -> None:
    """Print the effective settings and where each comes from (API keys redacted)."""

    def body() -> int:
        loaded = load_settings(config_path=config)
        rows = describe_settings(loaded)
        width = max(len(name) for name, _, _ in rows)
        for name, value, source in rows:
            click.echo(f"{name.ljust(width)} = {value}  ({source})")
        return EXIT_OK

    _run_guarded(debug, body)
