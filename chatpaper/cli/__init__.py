"""The `chatpaper` command and its subcommands (run, parse, config, digest): with `console` (what they print,
the progress bar, the exit codes), the only place that prints, draws progress bars or picks exit codes.

Exit codes: 0 every paper done; 3 the batch finished but some papers failed; 1 a fatal error
(bad config, refused API key); 2 a usage error.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from chatpaper import __version__
from chatpaper.cli.console import (
    EXIT_FATAL,
    EXIT_OK,
    EXIT_SOME_FAILED,
    ProgressBar,
    announce_backend,
    echo,
    echo_err,
    fail,
    hide_secrets_of,
    one_line,
    report_failures,
    report_warnings,
    run_guarded,
)
from chatpaper.errors import BudgetExceededError
from chatpaper.models import PaperOutcome
from chatpaper.render import tally_line
from chatpaper.settings import LoadedSettings, Settings, describe_settings, load_settings
from chatpaper.words import plural


class _DefaultToRun(click.Group):
    """`chatpaper papers/` and `chatpaper --query x` mean `chatpaper run ...`: the main job needs no verb.

    A first word that is no command is a path for `run`, unless it looks like a misspelt command:
    a bare word (no folder, no extension) that is not a file here and is close to a command's name
    (`digets`, `confg`) is a typo, told with click's suggestion (exit 2) instead of being searched
    for as a file, or read as the start of an arXiv run that would spend money.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            first = args[0]
            if _bare_word(first) and not Path(first).exists():
                error = click.exceptions.NoSuchCommand(first, possibilities=self.commands, ctx=ctx)
                if error.possibilities:
                    raise error
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _bare_word(text: str) -> bool:
    """A word that cannot be a path someone meant: no folder separator, no extension, no option dash."""
    return bool(text) and not text.startswith("-") and not any(ch in text for ch in "/\\.~")


def _load(overrides: dict[str, Any], config: str | None) -> LoadedSettings:
    loaded = load_settings({k: v for k, v in overrides.items() if v is not None}, config_path=config)
    hide_secrets_of(loaded.settings)
    return loaded


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


engine_options = [
    click.option("--rpm", type=click.IntRange(min=1), help="Client-side limit on LLM requests per minute."),
    click.option("--tpm", type=click.IntRange(min=1), help="Client-side limit on LLM tokens per minute."),
    click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        help="Seconds one LLM request may take in all, connect to last byte, before it is cut off and retried [120].",
    ),
    click.option("--context-tokens", type=click.IntRange(min=1024), help="The model's context window."),
    click.option(
        "--prompt-tokens",
        type=click.IntRange(min=500),
        help="Cap on one prompt's tokens, instructions and schema included [the whole paper up to 16,000 tokens "
        "of text when the model's window is 32k or more, else 3,500].",
    ),
    click.option(
        "--long-paper",
        type=click.Choice(["map-reduce", "truncate"]),
        help="Key sections too long for the window: summarize in parts, or trim [map-reduce].",
    ),
    click.option(
        "--structured",
        type=click.Choice(["auto", "json_schema", "json_object", "prompt"]),
        help="How the JSON answer is requested [auto: falls back when the server refuses].",
    ),
    click.option("--max-cost", type=click.FloatRange(min=0, min_open=True), help="Stop starting papers past this USD."),
    click.option("--max-tokens-total", type=click.IntRange(min=1), help="Stop starting papers past this many tokens."),
]


def _field_range(name: str) -> click.IntRange:
    """A flag's range from the Settings field's own bounds, so a value out of range is a usage error
    (exit 2) in every command and the limit is written once."""
    rules = Settings.model_fields[name].metadata
    low = next((rule.ge for rule in rules if getattr(rule, "ge", None) is not None), None)
    high = next((rule.le for rule in rules if getattr(rule, "le", None) is not None), None)
    return click.IntRange(min=low, max=high)


WORKERS = _field_range("workers")


# Options several commands share, defined once so their help and choices stay the same.
ocr_option = click.option(
    "--ocr",
    type=click.Choice(["auto", "always", "never"]),
    help="Read page images by OCR (pip install 'chatpaper[ocr]'): auto for scans and unreadable text layers [auto].",
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar or notices; errors only.")


def with_engine(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(engine_options):
        func = option(func)
    return func


def _split_list(values: tuple[str, ...] | str | None) -> list[str]:
    """Repeated flags and comma lists alike: ("a, b", "c") -> [a, b, c]."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else values
    return [part.strip() for value in items for part in value.split(",") if part.strip()]


@main.command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--pdf", "pdfs", multiple=True, type=click.Path(), help="A PDF or folder (same as a PATH argument).")
@click.option("--query", help="arXiv search: a phrase, or arXiv syntax (ti:, au:, abs:, cat:, AND, OR, ANDNOT).")
@click.option("--ids", "ids", multiple=True, help="arXiv ids to summarize: 2301.00001,2302.00002v2.")
@click.option(
    "-n",
    "--max-results",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Papers from --query, counted after filtering.",
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "submitted", "updated"]),
    default="relevance",
    show_default=True,
    help="Order of --query results (newest first for dates).",
)
@click.option("-c", "--category", "categories", multiple=True, help="Only these arXiv categories (repeatable): cs.CL.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Submitted on or after this date.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Submitted on or before this date.")
@click.option("--filter-keys", help='Keep papers whose title+abstract has every one of these words: "a,b".')
@click.option("--exclude-keys", help='Drop papers whose title+abstract has any of these words: "survey".')
@click.option("--dry-run", is_flag=True, help="List what would be summarized and the prompt tokens; no LLM calls.")
@click.option(
    "--jsonl",
    is_flag=True,
    help="One JSON line per paper on stdout, for scripts: source, status, reason, report paths, tokens, cost.",
)
@click.option("-o", "--out", type=click.Path(file_okay=False), help="Folder for the reports [reports].")
@click.option("-m", "--model", help="Model name on the OpenAI-compatible server.")
@click.option("--language", type=click.Choice(["en", "zh"]), help="Language of the summaries [en].")
@click.option("--backend", type=click.Choice(["auto", "openai", "extractive"]), help="Summarizer [auto].")
@click.option("--base-url", help="OpenAI-compatible server URL (else OPENAI_BASE_URL).")
@click.option("--workers", type=WORKERS, help="Papers in flight at once [4].")
@click.option(
    "--cache-dir", type=click.Path(file_okay=False), help="Downloads and summary cache [$XDG_CACHE_HOME/chatpaper]."
)
@ocr_option
@click.option("--force", is_flag=True, default=None, help="Redo papers already summarized.")
@click.option("--figures/--no-figures", default=None, help="Render each paper's Figure 1 beside its report [on].")
@quiet_option
@with_engine
@with_common
def run_command(
    paths: tuple[str, ...],
    pdfs: tuple[str, ...],
    query: str | None,
    ids: tuple[str, ...],
    max_results: int,
    sort: str,
    categories: tuple[str, ...],
    since: Any,
    until: Any,
    filter_keys: str | None,
    exclude_keys: str | None,
    dry_run: bool,
    jsonl: bool,
    quiet: bool,
    config: str | None,
    debug: bool,
    **overrides: Any,
) -> None:
    """Summarize local PDFs (files or folders, searched recursively) and/or papers found on arXiv.

    \b
    chatpaper papers/ paper.pdf -o reports
    chatpaper --query "diffusion" -n 5
    chatpaper --query 'ti:"retrieval augmented" AND cat:cs.CL' --since 2025-01-01 --sort submitted
    chatpaper --ids 2301.00001,2302.00002v2 --dry-run
    """

    def body() -> int:
        inputs = [*paths, *pdfs]
        id_list = _split_list(ids)
        searching = bool(query or id_list or categories or since or until)
        if not inputs and not searching:
            raise click.UsageError("give PDFs or folders, or --query / --ids to summarize papers from arXiv")
        if (filter_keys or exclude_keys) and not searching:
            raise click.UsageError("--filter-keys and --exclude-keys apply to --query / --ids results")
        if since and until and since > until:
            raise click.UsageError("--since is after --until")
        _check_inputs(inputs, id_list, searching=searching)
        settings = _load(overrides, config).settings
        from chatpaper.sources.local import find_pdfs

        refs, problems = find_pdfs(inputs) if inputs else ([], [])
        if searching:
            from chatpaper.pipeline import find_arxiv_papers
            from chatpaper.sources.arxiv import ArxivQuery

            arxiv_query = ArxivQuery(
                text=query or "",
                ids=id_list,
                categories=_split_list(categories),
                since=since.date() if since else None,
                until=until.date() if until else None,
                sort=sort,  # type: ignore[arg-type]  # click.Choice checked it
                max_results=max_results,
                filter_keys=_split_list(filter_keys),
                exclude_keys=_split_list(exclude_keys),
            )
            found, missing = find_arxiv_papers(arxiv_query, settings)
            refs += found
            problems += missing
            if not found and not missing and not quiet:
                echo_err("chatpaper: arXiv found no papers for this query")
        if dry_run:
            return _dry_run(refs, problems, settings, jsonl=jsonl)
        return _summarize(refs, problems, settings, quiet=quiet, jsonl=jsonl)

    run_guarded(debug, body)


def _check_inputs(inputs: list[str], ids: list[str], *, searching: bool) -> None:
    """Usage errors in what to summarize, found before anything is read, asked or written.

    A missing path beside other inputs costs one paper (it is listed as failed); a run whose every
    path is missing has nothing to do and is a typo. An arXiv id that cannot be one never goes out.
    """
    from chatpaper.sources.arxiv import normalize_id

    bad = [raw for raw in ids if normalize_id(raw) is None]
    if bad:
        raise click.UsageError(
            f"not an arXiv id: {', '.join(map(repr, bad))} (expected e.g. 2301.00001, 2301.00001v2 or hep-th/9901001)"
        )
    if searching or not inputs or any(os.path.lexists(Path(path).expanduser()) for path in inputs):
        return
    missing = ", ".join(one_line(path) for path in inputs)
    commands = ", ".join(sorted(main.commands))
    words = [path for path in inputs if _bare_word(path)]
    hint = f"; nor is {one_line(words[0])!r} a command ({commands})" if words else ""
    raise click.UsageError(f"no such file or folder: {missing}{hint}")


def _dry_run(refs: list[Any], problems: list[tuple[str, str]], settings: Settings, *, jsonl: bool) -> int:
    """Print what `run` would summarize, with prompt-token estimates for an LLM backend; no download,
    no LLM call. The offline extractive backend sends no prompt, so it shows no tokens and no price."""
    from chatpaper.llm.pricing import estimate_cost
    from chatpaper.pipeline import plan_papers

    plans = plan_papers(refs, settings)
    extractive = settings.resolved_backend() == "extractive"
    if jsonl:
        for plan in plans:
            echo(json.dumps(_plan_record(plan, settings, extractive=extractive), ensure_ascii=False))
        for source, reason in problems:
            echo(json.dumps({"source": source, "status": "failed", "reason": reason}, ensure_ascii=False))
        return EXIT_OK
    rows = []
    for plan in plans:
        entry = plan.ref.arxiv
        when = entry.published.date().isoformat() if entry and entry.published else ""
        if plan.problem:
            tokens, title = "-", f"cannot read: {plan.problem}"
        elif plan.done_before:
            tokens, title = "0", f"{plan.title} (summarized before: skipped)"
        else:
            tokens, title = f"{'' if plan.measured else '~'}{plan.prompt_tokens:,}", plan.title
        rows.append((plan.ref.source, when, tokens, title))
    rows += [(source, "", "-", f"cannot summarize: {reason}") for source, reason in problems]
    columns = 2 if extractive else 3  # no prompt is sent offline: no token column
    if rows:
        head = ("paper", "date", "tokens", "")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
        for row in [head, *rows]:
            cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2])][:columns]
            echo("  ".join([*cells, row[3] or "title"]))
    usable = [p for p in plans if p.would_spend]
    done_before = sum(p.done_before for p in plans)
    before = f" · {done_before} summarized before (skipped, free)" if done_before else ""
    if extractive:
        echo(
            f"{plural(len(usable), 'paper')} would be summarized offline by the extractive backend "
            f"(sentences quoted from each paper): no LLM calls, no cost{before}"
        )
        return EXIT_OK
    total = sum(p.prompt_tokens for p in usable)
    price = estimate_cost(settings.model, total, len(usable) * settings.max_output_tokens, settings.prices)
    cost = f"at most ~${price:.4f} with answers" if price is not None else f"no known price for {settings.model}"
    line = f"{plural(len(usable), 'paper')} would be summarized by {settings.model} · {total:,} prompt tokens · {cost}"
    line += before
    if any(not p.measured for p in usable):
        line += " (~: estimated from the budget, PDF not downloaded yet)"
    echo(line)
    return EXIT_OK


def _plan_record(plan: Any, settings: Settings, *, extractive: bool) -> dict[str, Any]:
    """One --dry-run --jsonl line: what would happen to the paper and what it would cost at most."""
    from chatpaper.llm.pricing import estimate_cost

    entry = plan.ref.arxiv
    status = "failed" if plan.problem else "skipped" if plan.done_before else "planned"
    spends = status == "planned" and not extractive
    cost = estimate_cost(settings.model, plan.prompt_tokens, settings.max_output_tokens, settings.prices)
    if not spends:
        cost = 0.0
    return {
        "source": plan.ref.source,
        "title": plan.title or None,
        "date": entry.published.date().isoformat() if entry and entry.published else None,
        "status": status,
        "reason": plan.problem,
        "backend": "extractive" if extractive else "openai",
        "model": None if extractive else settings.model,
        "prompt_tokens": plan.prompt_tokens if spends else 0,
        "estimated": spends and not plan.measured,
        "cost_usd": round(cost, 6) if cost is not None else None,  # None: no known price for the model
    }


def _outcome_record(outcome: PaperOutcome, out: Path) -> dict[str, Any]:
    """One --jsonl line: the paper's fate in this run, its report files and what this run spent on it."""
    report = out / outcome.report if outcome.report else None
    meta = outcome.summary.meta if outcome.summary else None
    return {
        "source": outcome.source,
        "status": outcome.status,
        "reason": outcome.reason,
        "title": outcome.title,
        "report": str(report) if report else None,
        "json": str(report.with_suffix(".json")) if report else None,
        "backend": meta.backend if meta else None,
        "model": meta.model if meta else None,
        "calls": outcome.calls,
        "prompt_tokens": outcome.prompt_tokens,
        "completion_tokens": outcome.completion_tokens,
        "cost_usd": round(outcome.cost_usd, 6) if outcome.cost_usd is not None else None,
    }


def _summarize(
    refs: list[Any], problems: list[tuple[str, str]], settings: Settings, *, quiet: bool, jsonl: bool
) -> int:
    from chatpaper.pipeline import summarize_batch

    announce_backend(settings, quiet)
    bar = ProgressBar(len(refs) + len(problems), quiet=quiet)
    out = settings.out.expanduser()
    lock = threading.Lock()

    def progress(outcome: PaperOutcome) -> None:
        bar(outcome)
        if jsonl:  # as each paper finishes, so a script can follow a long batch
            with lock:
                echo(json.dumps(_outcome_record(outcome, out), ensure_ascii=False))

    try:
        result = summarize_batch(refs, settings, problems=problems, progress=progress)
    finally:
        bar.close()

    report_warnings(result.warnings)
    report_failures(result.failed, result.stopped)
    if not quiet:
        usage = result.usage.describe()
        out = settings.out.expanduser()
        index = "index.md not written" if result.index_error else "index.md"
        echo_err(f"{tally_line(result.outcomes)}{' · ' + usage if usage else ''} · reports in {out}/ ({index})")
    if result.index_error is not None:
        fail(one_line(str(result.index_error)))
    if result.index_error is not None or (
        result.stopped is not None and not isinstance(result.stopped, BudgetExceededError)
    ):
        return EXIT_FATAL
    return EXIT_SOME_FAILED if result.failed or result.stopped else EXIT_OK


@main.command("parse")
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the parsed structure as JSON.")
@ocr_option
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def parse_command(file: str, as_json: bool, ocr: str | None, debug: bool) -> None:
    """Show what the PDF reader extracts from FILE: title, authors, abstract, sections, code links."""

    def body() -> int:
        from chatpaper.pdf.worker import PaperReader

        # within the same budget as a run, so that a hostile file cannot take the machine down here either
        settings = _load({"ocr": ocr}, None).settings
        paper = PaperReader(settings.reader).read(Path(file), ocr=settings.ocr)
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
        click.echo(
            f"{plural(paper.pages, 'page')} · {paper.language} · outline: {'yes' if paper.has_outline else 'no'}"
        )
        for url in paper.code_urls:
            click.echo(f"code: {url}")
        click.echo("")
        for section in paper.sections:
            indent = "  " * (section.level - 1)
            click.echo(f"{indent}{section.heading}  [p.{section.page}, {section.role}, {len(section.text):,} chars]")
        return EXIT_OK

    run_guarded(debug, body)


@main.command("config")
@with_common
def config_command(config: str | None, debug: bool) -> None:
    """Print the effective settings and where each comes from (API keys redacted)."""

    def body() -> int:
        from chatpaper.llm.budget import describe_default_cap

        loaded = load_settings(config_path=config)
        hide_secrets_of(loaded.settings)
        rows = describe_settings(loaded)
        width = max(len(name) for name, _, _ in rows)
        settings = loaded.settings
        files = [f"{path} ({role}, {'read' if read else 'none there'})" for role, path, read in loaded.config_files]
        echo(f"# config files, lowest first: {' · '.join(files)}")
        for name, value, source in rows:
            if name == "prompt_tokens" and settings.prompt_tokens is None:
                value = f"(unset: {describe_default_cap(settings.model, settings.context_tokens)})"
            echo(f"{name.ljust(width)} = {value}  ({source})")
        return EXIT_OK

    run_guarded(debug, body)


# --- chatpaper digest ----------------------------------------------------------------------------


def _keyword_flags(values: tuple[str, ...]) -> list[str] | None:
    """Repeated flags and comma lists alike, None when none was given (the config then applies)."""
    return _split_list(values) or None


def _digest_settings(
    loaded: LoadedSettings, categories: list[str] | None, includes: list[str] | None, excludes: list[str] | None
) -> Settings:
    """Apply the digest's keyword flags to the configured `[digest]` and its topics.

    `--category` or `--include` say what to follow: they replace the configured topics with one
    implicit topic for this run. `--exclude` only narrows: it adds to every topic's exclusions
    (through `[digest] exclude`, which every topic applies), so it never drops the topics.
    """
    settings = loaded.settings
    digest = settings.digest
    update: dict[str, Any] = {}
    if (categories or includes) and digest.topics:
        topic_categories = [c for t in digest.topics for c in t.categories]
        followed = categories or digest.categories or list(dict.fromkeys(topic_categories))
        update.update(topics=[], categories=followed)
    if excludes:
        update["exclude"] = list(dict.fromkeys([*digest.exclude, *excludes]))
    if update:
        settings.digest = digest.model_copy(update=update)
    return settings


@main.command("digest")
@click.option("-c", "--category", "categories", multiple=True, help="arXiv category to follow (repeatable): cs.CL.")
@click.option("--cross-lists/--no-cross-lists", default=None, help="Also keep cross-listed announcements.")
@click.option("--include", "includes", multiple=True, help='Keywords to rank by, e.g. "retrieval, diffusion".')
@click.option(
    "--exclude", "excludes", multiple=True, help='Keywords that drop a paper, e.g. "survey"; adds to the configured.'
)
@click.option("--top", type=click.IntRange(min=1), help="Papers summarized per day, after ranking [20].")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Backfill one day through the API.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Backfill every day from this one to today.")
@click.option(
    "--state", type=click.Path(dir_okay=False), help="SQLite state file [$XDG_STATE_HOME/chatpaper/state.db]."
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Downloaded PDFs and the summary cache [$XDG_CACHE_HOME/chatpaper].",
)
@click.option("-o", "--out", type=click.Path(file_okay=False), help="Folder for the digest pages [digests].")
@click.option("--email", help="E-mail the page to this address (comma-separated for several); SMTP from [smtp].")
@click.option("-m", "--model", help="Model name on the OpenAI-compatible server.")
@click.option("--language", type=click.Choice(["en", "zh"]), help="Language of the summaries [en].")
@click.option("--backend", type=click.Choice(["auto", "openai", "extractive"]), help="Summarizer [auto].")
@click.option("--base-url", help="OpenAI-compatible server URL (else OPENAI_BASE_URL).")
@click.option("--workers", type=WORKERS, help="Papers in flight at once [4].")
@click.option("--figures/--no-figures", default=None, help="Show each paper's Figure 1 on the page [on].")
@ocr_option
@quiet_option
@with_engine
@with_common
def digest_command(
    categories: tuple[str, ...],
    includes: tuple[str, ...],
    excludes: tuple[str, ...],
    day: Any,
    since: Any,
    quiet: bool,
    config: str | None,
    debug: bool,
    **flags: Any,
) -> None:
    """Today's new arXiv papers in your categories, ranked by keywords and summarized into one page.

    \b
    chatpaper digest -c cs.CL -c cs.LG --include "retrieval, long context" --top 10 -o digests/
    chatpaper digest --date 2025-08-18          backfill a missed day (arXiv API, submitted that day)
    chatpaper digest --since 2025-08-15         one page per day up to today

    Writes OUT/YYYY-MM-DD.md, .html, .json and .bib (Figure 1s in OUT/figures/), OUT/index.md,
    OUT/index.html and the Atom feed OUT/feed.xml. Re-running a day reuses the state file: finished
    papers are not summarized again, failed ones are retried. Meant for cron/CI.
    """

    def body() -> int:
        if day is not None and since is not None:
            raise click.UsageError("give either --date or --since, not both")
        category_list, include_list = _keyword_flags(categories), _keyword_flags(includes)
        overrides = {
            "digest.categories": category_list,
            "digest.include": include_list,
            "digest.cross_lists": flags.pop("cross_lists"),
            "digest.top": flags.pop("top"),
            "digest.state": flags.pop("state"),
            "digest.out": flags.pop("out"),
            "digest.email": flags.pop("email"),
            **flags,
        }
        loaded = _load(overrides, config)
        settings = _digest_settings(loaded, category_list, include_list, _keyword_flags(excludes))
        from chatpaper.ranking import digest_topics

        digest_topics(settings.digest)  # nothing to follow is a usage error, said before anything else
        return _digest(settings, day=day.date() if day else None, since=since.date() if since else None, quiet=quiet)

    run_guarded(debug, body)


def _digest(settings: Settings, *, day: Any, since: Any, quiet: bool) -> int:
    from chatpaper.digest import run_digest

    announce_backend(settings, quiet)
    bar = ProgressBar(0, quiet=quiet)

    def on_wait(holder: str) -> None:
        if not quiet:
            state = settings.digest.state.expanduser()
            echo_err(f"chatpaper: waiting for the digest run that holds {state} ({holder}) to finish")

    try:
        result = run_digest(settings, date=day, since=since, progress=bar, on_plan=bar.reset, on_wait=on_wait)
    finally:
        bar.close()

    report_warnings(result.warnings)
    report_failures(result.failed, result.stopped, retried=True)
    for page in result.pages:
        echo(str(page.markdown))
    if not quiet:
        usage = result.usage.describe() or "no LLM calls"
        if result.empty_days:
            days = ", ".join(result.empty_days)
            echo_err(f"no page for {plural(len(result.empty_days), 'day')} arXiv had no papers for: {days}")
        for page in result.pages:
            what = "" if page.fresh else " (updated after a retry)"
            unfinished = f" · {page.unfinished} not summarized yet" if page.unfinished else ""
            echo_err(f"{page.day}: {page.summarized} summarized{unfinished}{what} · {page.markdown}")
        done = sum(o.status in ("done", "cached") for o in result.outcomes)
        failed = f", {len(result.failed)} failed" if result.failed else ""
        echo_err(f"this run: {done} summarized{failed} · {usage} · index: {result.index}")
        if result.emailed:
            echo_err(f"e-mailed to {settings.digest.email}: {', '.join(result.emailed)}")
        if result.email_unchanged:
            unchanged = ", ".join(result.email_unchanged)
            echo_err(f"not e-mailed again (unchanged since sent to {settings.digest.email}): {unchanged}")
    if result.delivery_error is not None:
        fail(f"{result.delivery_error} (the digest is saved in {settings.digest.out.expanduser()}/)")
    if result.write_error is not None:
        fail(f"{one_line(str(result.write_error))} (the summaries are kept in the state: rerun to write the pages)")
        return EXIT_FATAL
    if result.stopped is not None and not isinstance(result.stopped, BudgetExceededError):
        return EXIT_FATAL
    if result.failed or result.stopped or result.delivery_error:
        return EXIT_SOME_FAILED
    return EXIT_OK
