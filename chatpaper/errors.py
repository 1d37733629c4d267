"""The one error root and its typed subclasses.

Every message is one sentence a researcher can act on: what went wrong, with which file or paper,
and what to do about it. The library raises; only the CLI prints.
"""

from __future__ import annotations

import errno
from pathlib import Path


class ChatpaperError(Exception):
    """Root of every error chatpaper raises on purpose."""


class ConfigError(ChatpaperError):
    """Bad or contradictory settings: fatal for the whole run (exit 1)."""


class UsageError(ChatpaperError):
    """The command line asks for something that cannot be done as written (a field arXiv does not
    have, a malformed arXiv id, nothing to follow): the CLI shows its usage and exits 2, before any
    request is made or anything is written."""


# What a user can do about an OS error on a path, by errno: the one place that words it, so every
# message naming a path gives the same advice.
_OS_ADVICE = {
    errno.ENOSPC: "free some space",
    errno.EDQUOT: "free some space (the disk quota is reached)",
    errno.EFBIG: "raise the file size limit (ulimit -f)",
    errno.EROFS: "the filesystem is read-only: remount it writable",
    errno.EACCES: "check its permissions",
    errno.EPERM: "check its permissions",
    errno.ENOTDIR: "a file stands where a folder is needed: move it",
    errno.EEXIST: "a file stands where a folder is needed: move it",
    errno.EISDIR: "a folder stands where a file is needed: move it",
    errno.ENAMETOOLONG: "use a shorter path",
    errno.ELOOP: "a symbolic link loop is in the way: fix the link",
}
# Errors that hit every file written to the same place, not one file: a run that meets one while
# writing a report stops starting papers, whose summaries would be paid for and then lost.
EVERY_FILE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def describe_os_error(exc: OSError) -> tuple[str, str]:
    """(what the OS said, what the user can do about it) for a message that names the path itself."""
    return exc.strerror or str(exc), _OS_ADVICE.get(exc.errno or 0, "check the path")


# --- one paper --------------------------------------------------------------------------------


class PaperError(ChatpaperError):
    """A single paper cannot be summarized; the rest of the batch goes on.

    A backend that gives up on a paper after calling the LLM records what those calls cost here, so
    run totals and budgets count a failed paper's tokens too (the server billed them).
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    # True when a later try may well succeed (a flaky model or server), so the batch tries once more.
    transient: bool = False


class PdfError(PaperError):
    """The file cannot be read as a paper."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[PdfError], tuple[str, str]]:
        # rebuilt from its parts, so that it crosses from the process that read the PDF to the pipeline
        return type(self), (self.path, self.reason)


class NotAPdfError(PdfError):
    """Not a PDF at all (wrong content, empty file, missing path)."""


class BrokenPdfError(PdfError):
    """A PDF that is truncated or damaged beyond repair."""


class EncryptedPdfError(PdfError):
    """A password-protected PDF."""


class NoTextLayerError(PdfError):
    """An image-only (scanned) PDF: nothing to read without OCR."""


class UnreadableTextError(PdfError):
    """A text layer that reads as junk, or as nothing like a paper (no title, no body), even after any OCR."""


class OcrError(ChatpaperError):
    """OCR could not run (a broken install) or failed on a page; the reader turns it into a `PdfError`."""


class OutputError(PaperError):
    """A report or page could not be written (a full disk, a read-only folder, a name too long)."""

    def __init__(self, path: Path, exc: OSError, *, setting: str = "output folder (-o)") -> None:
        self.path = path
        self.errno = exc.errno
        reason, advice = describe_os_error(exc)
        super().__init__(f"cannot write {path} ({reason}): {advice}, or choose another {setting}")

    @property
    def every_file(self) -> bool:
        """True when every later write to the same folder would fail the same way (a full disk)."""
        return self.errno in EVERY_FILE_ERRNOS


class ReadBudgetError(PdfError):
    """Reading the PDF needed more memory or CPU time than the reader may spend on one paper (`[reader]`)."""


class SourceError(PaperError):
    """A paper could not be fetched (download failed, bad arXiv id)."""


# --- the LLM ------------------------------------------------------------------------------------


class LLMError(PaperError):
    """The language model did not produce a usable summary for a paper."""


class LLMOutputError(LLMError):
    """The model's answers never validated; `attempts` is how many answers it gave.

    Transient unless the answers were cut off by the token limit, which a second try repeats.
    """

    def __init__(self, message: str, attempts: int, *, cut_off: bool = False) -> None:
        self.attempts = attempts
        self.transient = not cut_off
        super().__init__(message)


class LLMRequestError(LLMError):
    """The server refused the request in a way retrying cannot fix (HTTP 400/404...)."""


class ContextLengthError(LLMRequestError):
    """The prompt did not fit the model's context window."""


class LLMUnavailableError(LLMError):
    """The server kept failing (429/5xx/timeouts) until the retry budget ran out."""

    transient = True


class LLMServiceError(ChatpaperError):
    """Every paper would fail the same way at this LLM server, so the batch stops with one message
    (exit 1) and the papers not yet started are listed as such."""


class LLMAuthError(LLMServiceError):
    """The API key was refused (or the account has no quota left)."""


class LLMUnreachableError(LLMServiceError):
    """Nothing answers at the base URL (connection refused, no such host) and nothing has this run."""


class LLMModelError(LLMServiceError):
    """The server has no such model, or no chat endpoint at the base URL (HTTP 404)."""


class BudgetExceededError(ChatpaperError):
    """The run's cost or token budget is spent; no new papers are started."""


# --- the arXiv service ---------------------------------------------------------------------------


class ArxivError(ChatpaperError):
    """arXiv's API or feed could not be queried."""


class ArxivQueryError(ArxivError, UsageError):
    """The query as written cannot be sent (a field arXiv does not have, an open quote, an empty
    date window): a usage error, found before any request."""


class ArxivRejectedError(ArxivError):
    """arXiv answered with an error feed (HTTP 400): the request itself is wrong, so no retry.

    `message` is arXiv's own text, e.g. "incorrect id format for abc".
    """

    def __init__(self, text: str, message: str) -> None:
        self.message = message
        super().__init__(text)


class ArxivUnavailableError(ArxivError):
    """arXiv kept failing (429/5xx, broken connections, empty pages) until the retries ran out.

    `reason` is the last failure, e.g. "HTTP 503" or "empty page at start=100".
    """

    def __init__(self, text: str, reason: str) -> None:
        self.reason = reason
        super().__init__(text)


# --- files chatpaper keeps -----------------------------------------------------------------------


class StoreError(ChatpaperError):
    """A SQLite file (the summary cache, the digest state) cannot be opened, read or written."""


class CorruptStoreError(StoreError):
    """The file is not a SQLite database, or pages of it were overwritten or lost."""


class DeliveryError(ChatpaperError):
    """The digest could not be e-mailed (the digest itself is kept on disk)."""
