"""Reading PDFs in child processes, each paper within a memory and CPU-time budget.

A hostile or broken PDF (a decompression bomb, text drawn over itself a million times, a file that crashes
MuPDF) then costs its own paper: the child reading it runs into its address-space or CPU-time limit, or dies,
and the parent turns that into a one-line `PdfError` while the batch goes on. Each paper gets a fresh child,
so no paper inherits another's memory, and MuPDF's global lock is no longer shared: papers are read on every
core at once.

Children are forked from multiprocessing's fork server, which has imported the reader once: cheap to start,
and safe with the threads the pipeline runs (a plain fork of a threaded process can copy a held lock).

    reader = PaperReader(settings.reader)
    paper = reader.read(path, sha256=digest)  # raises PdfError like read_paper
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import signal
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from chatpaper.errors import BrokenPdfError, PdfError, ReadBudgetError
from chatpaper.models import Paper
from chatpaper.pdf import OcrMode, read_paper
from chatpaper.settings import ReaderSettings

try:  # POSIX only; elsewhere children still isolate crashes and the wall-clock limit still holds
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

__all__ = ["PaperReader"]

# A child still running after this many times its CPU budget in wall time (and at least WALL_MIN seconds) is
# stopped as well: it is waiting (a stalled network disk) or starved on an overloaded machine, and the batch
# must not wait for ever. The floor keeps a small budget from being cut short by a busy machine.
WALL_PER_CPU = 4
WALL_MIN = 60
# CPU seconds each page read by OCR may take on top of `[reader] cpu_seconds`, which is sized for text layers:
# OCR takes up to ~13 CPU seconds a page (200 ppi, a dense two-column page of the corpus's 30-page scan), so
# without this a scan of ten pages would fail a budget set for the text PDFs beside it. Twice that, for slower
# cores; bounded all the same, as the pages to read are counted before OCR starts.
OCR_CPU_SECONDS_PER_PAGE = 25
# An allocation the memory limit refused, as MuPDF reports it ("malloc (N bytes) failed", or calloc/realloc)
# and as the OCR engine's C++ code does (ONNX Runtime: "std::bad_alloc"; OpenCV: "Failed to allocate N bytes").
_OUT_OF_MEMORY = re.compile(
    r"\b(?:malloc|calloc|realloc) \([^)]*\) failed|out of memory|bad_alloc|failed to allocate|insufficient memory",
    re.I,
)

# Exit codes of a child ended by a signal: SIGKILL without a reply is the kernel's out-of-memory killer, SIGXCPU
# is the CPU limit (neither signal exists on Windows, where neither limit is set).
_KILLED = -getattr(signal, "SIGKILL", 9)
_OUT_OF_CPU = -getattr(signal, "SIGXCPU", 24)

_context_lock = threading.Lock()
_context: BaseContext | None = None


def _mp_context() -> BaseContext:
    """The fork server where there is one (Linux, macOS), preloaded with the reader; spawn elsewhere."""
    global _context
    with _context_lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = multiprocessing.get_context("forkserver")
                # Each child runs the main script again (multiprocessing's rule); with the chatpaper modules the
                # parent uses already loaded in the server, that costs the child nothing (else ~40 ms a paper).
                loaded = sorted(name for name in sys.modules if name.startswith("chatpaper."))
                _context.set_forkserver_preload([__name__, *loaded])
            else:  # pragma: no cover - Windows
                _context = multiprocessing.get_context("spawn")
        return _context


class PaperReader:
    """Reads papers in child processes within `budget`; at most `at_once` children run at a time."""

    def __init__(self, budget: ReaderSettings, *, at_once: int | None = None) -> None:
        self.budget = budget
        self._slots = threading.BoundedSemaphore(at_once or os.cpu_count() or 1)

    @property
    def wall_seconds(self) -> int:
        """Wall time after which a child still reading is stopped."""
        return max(WALL_PER_CPU * self.budget.cpu_seconds, WALL_MIN)

    def read(
        self, path: Path | str, *, sha256: str | None = None, figures: bool = False, ocr: OcrMode = "auto"
    ) -> Paper:
        """Read `path` into a `Paper` as `read_paper` does (with `figures`, its Figure 1 too); raises
        `ReadBudgetError` when the PDF needs more memory or CPU time than the budget, `BrokenPdfError` when the
        reader crashes on it, and the other `PdfError`s as `read_paper` raises them."""
        path = Path(path)
        with self._slots:
            reply, exitcode, by_ocr = self._run(path, sha256, figures, ocr)
        return self._outcome(path, reply, exitcode, by_ocr)

    def _run(
        self, path: Path, sha256: str | None, figures: bool, ocr: OcrMode
    ) -> tuple[tuple[Any, ...] | None, int | None, bool]:
        """The child's reply (None when it sent none), its exit code (None when it had to be stopped), and
        whether it went on to read pages by OCR."""
        ctx = _mp_context()
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(  # type: ignore[attr-defined]
            target=_read_in_child,
            # absolute: the fork server's working folder is the one it started in
            args=(sender, str(path.absolute()), sha256, figures, ocr, self.budget),
            name=f"chatpaper-read-{path.name}"[:60],
            daemon=True,
        )
        try:
            child.start()
        except BaseException:
            receiver.close()
            raise
        finally:
            sender.close()  # the child holds the only writing end: its death reads as end of file here
        reply: tuple[Any, ...] | None = None
        deadline = time.monotonic() + self.wall_seconds
        by_ocr = False
        try:
            while True:
                if not receiver.poll(max(0.0, deadline - time.monotonic())):
                    return None, None, by_ocr
                try:
                    reply = receiver.recv()
                except EOFError:  # died without a word: killed or crashed
                    reply = None
                if reply is None or reply[0] != "ocr":
                    break
                by_ocr = True
                # the child is about to read reply[1] pages by OCR, with their CPU allowance: so much more wall time
                deadline += WALL_PER_CPU * OCR_CPU_SECONDS_PER_PAGE * reply[1]
        finally:  # also on KeyboardInterrupt: no child outlives its paper
            if child.is_alive():
                child.kill()
            child.join()
            exitcode = child.exitcode
            receiver.close()
            child.close()
        return reply, exitcode, by_ocr

    def _outcome(self, path: Path, reply: tuple[Any, ...] | None, exitcode: int | None, by_ocr: bool) -> Paper:
        budget = self.budget
        if reply is not None and reply[0] == "paper":
            return reply[1].model_copy(update={"path": str(path)})
        if reply is not None and reply[0] == "error":  # named by the path as given, like read_paper's errors
            raise type(reply[1])(path, reply[1].reason)
        if reply is not None and reply[0] == "bug":  # a reader bug: the pipeline reports it as an internal error
            error: BaseException = reply[1]
            error.add_note(f"in the process reading {path}:\n{reply[2]}")
            raise error
        if ((reply is not None and reply[0] == "memory") or exitcode == _KILLED) and by_ocr:
            raise ReadBudgetError(
                path,
                f"reading it by OCR needs more than the {budget.memory_mb + budget.ocr_memory_mb} MiB of memory "
                f"the reader may use ({budget.memory_mb} + {budget.ocr_memory_mb} for OCR); if it is a genuine "
                "paper, raise [reader] ocr_memory_mb in chatpaper.toml or CHATPAPER_READER_OCR_MEMORY_MB",
            )
        if (reply is not None and reply[0] == "memory") or exitcode == _KILLED:
            raise ReadBudgetError(
                path,
                f"reading it needs more than the {budget.memory_mb} MiB of memory the reader may use (a "
                "decompression bomb, or an uncommonly heavy PDF); if it is a genuine paper, raise "
                "[reader] memory_mb in chatpaper.toml or CHATPAPER_READER_MEMORY_MB",
            )
        if exitcode is None or exitcode == _OUT_OF_CPU:
            spent = (
                f"more than the {budget.cpu_seconds} CPU seconds the reader may use"
                if exitcode is not None
                else f"longer than {self.wall_seconds} s of wall time (for {budget.cpu_seconds} CPU seconds)"
            )
            raise ReadBudgetError(
                path,
                f"reading it took {spent} (text drawn over itself many times, or an uncommonly long PDF); if it "
                "is a genuine paper, raise [reader] cpu_seconds in chatpaper.toml or CHATPAPER_READER_CPU_SECONDS",
            )
        how = f"signal {signal.Signals(-exitcode).name}" if exitcode < 0 else f"exit code {exitcode}"
        raise BrokenPdfError(path, f"damaged PDF: the reader crashed on it ({how}); download or export it again")


def _read_in_child(
    sender: Connection, path: str, sha256: str | None, figures: bool, ocr: OcrMode, budget: ReaderSettings
) -> None:
    """The child: set the limits, read, send back ("paper", Paper) or what went wrong. It never prints."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops its children
    _limit(budget.memory_mb, budget.cpu_seconds)

    memory_raised = False

    def before_ocr(pages: int) -> None:
        nonlocal memory_raised
        if resource is not None:  # pages read by OCR bring their own CPU time, and OCR its own memory
            _raise_soft_limit(resource.RLIMIT_CPU, OCR_CPU_SECONDS_PER_PAGE * pages)
            if not memory_raised:  # once: the OCR engine is loaded once, and its pages come and go
                _raise_soft_limit(resource.RLIMIT_DATA, budget.ocr_memory_mb * 1024 * 1024)
                memory_raised = True
        sender.send(("ocr", pages))

    try:
        paper = read_paper(path, sha256=sha256, figures=figures, ocr=ocr, before_ocr=before_ocr)
        reply: tuple[Any, ...] = ("paper", paper)
    except BaseException as exc:  # whatever happens goes back to the parent as data
        reply = _failure(exc)
    try:
        sender.send(reply)
    except MemoryError:
        sender.send(("memory",))
    sender.close()


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    if resource is None:  # pragma: no cover - Windows
        return
    # The budget is what reading may add to the process as it stands (Python and MuPDF loaded), so the setting
    # means the same wherever it runs. It limits the data segment (memory written: the heap and private
    # mappings, Linux >= 4.7), not the address space: threaded native code (ONNX Runtime's OCR, one malloc
    # arena per thread) reserves far more address space than it touches, and how much depends on the number
    # of cores, so an address-space limit fails OCR on one machine and passes it on another.
    _set_soft_limit(resource.RLIMIT_DATA, _data_segment() + memory_mb * 1024 * 1024)
    # SIGXCPU at the budget ends the child (its default action); the parent's wall-time limit is the backstop.
    _set_soft_limit(resource.RLIMIT_CPU, cpu_seconds)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a child stopped by a signal leaves no core file


def _raise_soft_limit(kind: int, by: int) -> None:
    """Move a budget `by` further (unless it has no limit)."""
    soft, _ = resource.getrlimit(kind)
    if soft != resource.RLIM_INFINITY:
        _set_soft_limit(kind, soft + by)


def _set_soft_limit(kind: int, amount: int) -> None:
    """Set the soft limit, up to the hard one. The hard limit stays where it is, so that the soft one can be
    raised later: an unprivileged process cannot raise a hard limit again."""
    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (amount if hard == resource.RLIM_INFINITY else min(amount, hard), hard))


def _data_segment() -> int:
    """Bytes of data segment (heap and private writable mappings) this process has (Linux); 0 where the
    system does not say."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[5]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _failure(exc: BaseException) -> tuple[Any, ...]:
    """What to tell the parent about `exc`: out of memory, a PdfError, or a reader bug with its traceback."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, MemoryError) or _OUT_OF_MEMORY.search(str(cause)):
            return ("memory",)
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, PdfError):
        return ("error", exc)
    try:  # a reader bug keeps its type (IndexError, ...) when it can cross to the parent
        pickle.dumps(exc)
    except Exception:  # anything unpicklable is described instead
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    return ("bug", exc, traceback.format_exc())
