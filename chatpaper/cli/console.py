"""What the command line prints: every message through the redactor, one line per message, the progress bar,
failures and warnings, and the guard that turns a command's errors into a line and an exit code.

click and tqdm are used here and in the commands (`chatpaper.cli`) only; the library never prints.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

import click
from tqdm import tqdm

from chatpaper.errors import ChatpaperError, UsageError
from chatpaper.models import PaperOutcome
from chatpaper.redaction import Redactor
from chatpaper.settings import Settings

# Usage errors exit 2 through click (click.UsageError, raised by the commands and by `run_guarded`).
EXIT_OK, EXIT_FATAL, EXIT_SOME_FAILED = 0, 1, 3


# Everything this command prints or logs passes the redactor of the settings in use: the first line
# of defence is where messages are made, this is the last (see chatpaper.redaction). Until settings
# are loaded it hides the credentials in URLs only.
_redact = Redactor()


def hide_secrets_of(settings: Settings | None) -> None:
    """From now on, hide the secrets of `settings` (None: the credentials in URLs only) in all that is printed."""
    global _redact
    _redact = Redactor.from_settings(settings) if settings is not None else Redactor()


def echo(message: str) -> None:
    """Print `message` on stdout, secrets hidden."""
    click.echo(_redact(message))


def one_line(text: str) -> str:
    """`text` with control characters shown as escapes: a newline in a file name must not split the
    line a script or a cron mail reads."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def echo_err(message: str) -> None:
    """Print `message` on stderr, secrets hidden."""
    click.echo(_redact(message), err=True)


def fail(message: str) -> None:
    """Print a fatal error's one line on stderr."""
    echo_err(f"chatpaper: error: {message}")


class _RedactingFormatter(logging.Formatter):
    """Log lines, tracebacks included, with the secrets hidden (--debug turns on the HTTP libraries' logs)."""

    def format(self, record: logging.LogRecord) -> str:
        return _redact(super().format(record))


def _configure_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])
    if not debug:
        # The HTTP libraries log every request at INFO; a batch run should stay quiet.
        for noisy in ("httpx", "httpx2", "openai", "urllib3", "arxiv"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def run_guarded(debug: bool, body: Callable[[], int]) -> None:
    """Run a command body; render chatpaper errors as one line (traceback with --debug)."""
    hide_secrets_of(None)  # the settings of an earlier command in this process are not this one's
    _configure_logging(debug)
    try:
        code = body()
    except UsageError as exc:  # found by the library before any request: click's usage message, exit 2
        raise click.UsageError(one_line(_redact(str(exc))), click.get_current_context(silent=True)) from None
    except ChatpaperError as exc:
        if debug:
            echo_err(traceback.format_exc().rstrip("\n"))
        fail(one_line(str(exc)))
        code = EXIT_FATAL
    except KeyboardInterrupt:
        fail("interrupted; finished reports are kept, rerun to resume")
        code = 130
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise  # usage errors: click prints them and exits 2
    except Exception:
        # A bug: its traceback as Python would print it, but redacted (exception text may quote a
        # URL or a server's answer).
        echo_err(traceback.format_exc().rstrip("\n"))
        code = EXIT_FATAL
    sys.exit(code)


def announce_backend(settings: Settings, quiet: bool) -> None:
    if quiet:
        return
    if settings.backend == "auto" and settings.resolved_backend() == "extractive":
        echo_err(
            "chatpaper: neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: using the offline extractive "
            "backend (sentences quoted from each paper, no LLM)."
        )


def report_failures(failed: list[PaperOutcome], stopped: ChatpaperError | None, *, retried: bool = False) -> None:
    """One line per failed paper, then why the batch stopped; a reason shared with the stop is said once."""
    stop_reason = _redact(str(stopped)) if stopped is not None else None  # as the outcomes store it
    later = " (retried on the next run)" if retried else ""
    for outcome in failed:
        if outcome.reason != stop_reason:  # a refused key fails every paper in flight the same way
            echo_err(f"failed: {one_line(outcome.source)}: {one_line(outcome.reason or '')}{later}")
    if stop_reason is not None:
        fail(one_line(stop_reason))


def report_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        echo_err(f"chatpaper: warning: {one_line(warning)}")


# What a bar is drawn in when the terminal reports no width (0 columns: a pty nobody sized, as CI
# runners and `script` give): tqdm would trim the bar to nothing.
FALLBACK_COLUMNS, FALLBACK_LINES = 80, 24


def _terminal_shape(stream: Any) -> tuple[int, int]:
    """(columns, lines) tqdm may use on `stream`, one column short of the edge as tqdm's own reading."""
    try:
        columns, lines = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        columns, lines = 0, 0
    return (columns or FALLBACK_COLUMNS) - 1, (lines or FALLBACK_LINES) - 1


class ProgressBar:
    """Papers finished of the total on stderr, with the failures so far and the last paper's name.

    Drawn only on a terminal and without --quiet; called from worker threads.
    """

    def __init__(self, total: int, *, quiet: bool) -> None:
        show = not quiet and sys.stderr.isatty()
        columns, lines = _terminal_shape(sys.stderr) if show else (None, None)
        self._bar = tqdm(total=total, unit="paper", file=sys.stderr, disable=not show, ncols=columns, nrows=lines)
        if show:
            # follows a resized terminal, never down to 0 columns: tqdm keeps the screen-shape function it calls
            # on each refresh in this attribute (the stubs type only the constructor's flag, a bool)
            self._bar.dynamic_ncols = _terminal_shape  # type: ignore[assignment]
        self._lock = threading.Lock()
        self._failed = 0

    def reset(self, total: int) -> None:
        with self._lock:
            self._bar.reset(total=total)

    def __call__(self, outcome: PaperOutcome) -> None:
        with self._lock:
            self._failed += outcome.status == "failed"
            failed = f"{self._failed} failed · " if self._failed else ""
            self._bar.set_postfix_str(f"{failed}{one_line(outcome.name)[-30:]}", refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        self._bar.close()
