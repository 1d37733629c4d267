"""Local PDFs: files and folders -> paper refs, report names and content hashes."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from chatpaper.models import PaperRef

# A problem with one input: (what the user named, one-line reason). The pipeline reports each as a
# failed paper so a typo in one path does not stop the batch.
Problem = tuple[str, str]

NAME_MAX_CHARS = 100
# Bytes matter too: most filesystems cap a name at 255 bytes, and 100 CJK characters are 300 bytes.
NAME_MAX_BYTES = 150
# A name cut to the caps ends in this many hex digits of its full text's SHA-256, so two long names
# sharing their first 90 characters stay apart, and the same input always gets the same name.
NAME_HASH_CHARS = 8
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def cap_name(name: str, original: str) -> str:
    """`name` (already filesystem-safe) when it fits NAME_MAX_CHARS and NAME_MAX_BYTES, else its start
    plus "-" and a hash of `original` (the text it was made from): short enough for any filesystem,
    unique and the same on every run."""
    if len(name) <= NAME_MAX_CHARS and len(name.encode("utf-8")) <= NAME_MAX_BYTES:
        return name
    # surrogatepass: a file name Python could not decode carries lone surrogates
    tag = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:NAME_HASH_CHARS]
    head = name[: NAME_MAX_CHARS - NAME_HASH_CHARS - 1]
    while len(head.encode("utf-8")) > NAME_MAX_BYTES - NAME_HASH_CHARS - 1:
        head = head[:-1]
    head = head.rstrip(".-_ ")
    return f"{head}-{tag}" if head else tag


def report_name(text: str) -> str:
    """A filesystem-safe slug from a file stem or arXiv id; never empty, at most ~100 characters.

    Keeps letters (any script), digits, "." "_" "-"; "/" becomes "_" (old-style arXiv ids such as
    hep-th/9901001 read as hep-th_9901001); anything else collapses to "-". No "..", no leading dot.
    A longer slug is cut and tagged with a hash of `text` (`cap_name`).
    """
    slug = unicodedata.normalize("NFC", text).replace("/", "_").replace("\\", "_")
    slug = "".join(ch if (ch.isalnum() or ch in "._-") else "-" for ch in slug)
    slug = re.sub(r"-{2,}", "-", slug)
    slug = re.sub(r"\.{2,}", ".", slug)
    slug = slug.strip(".-_ ")
    slug = cap_name(slug, text)
    slug = slug.rstrip(".-_ ")  # trailing dots are dropped silently on Windows
    if slug.split(".")[0].casefold() in _WINDOWS_RESERVED:
        slug = f"{slug}_"
    return slug or "paper"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's content, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_pdf_name(name: str) -> bool:
    return name.lower().endswith(".pdf")


def _pdfs_in(folder: Path) -> list[Path]:
    """PDFs under `folder`, recursively, sorted by relative path; hidden files and folders are skipped.

    os.walk without following symlinked folders: a link loop cannot hang the scan.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root) / f for f in files if _is_pdf_name(f) and not f.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _unresolvable(path: Path, exc: BaseException | None) -> str:
    """Why a path named like a PDF leads to no file: a symlink loop, a broken link, another OS error."""
    if isinstance(exc, OSError) and exc.errno not in (errno.ELOOP, errno.ENOENT):
        return f"cannot open ({exc.strerror or exc}): check the path and its permissions"
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop (the link never reaches a file): fix or remove the link"
    return "broken symbolic link (its target is missing): fix or remove the link"


def find_pdfs(paths: Sequence[str | Path]) -> tuple[list[PaperRef], list[Problem]]:
    """Refs for the PDFs named by `paths`, in a stable order, plus the inputs that could not be used.

    Each path is a PDF file (taken as given: the reader checks the content) or a folder searched
    recursively for *.pdf (any case). A missing path or a folder without PDFs becomes a problem
    rather than an exception. A file reached twice is listed once; report names are made unique
    (paper, paper-2, ...) so two "paper.pdf" in different folders do not overwrite each other.
    """
    refs: list[PaperRef] = []
    problems: list[Problem] = []
    seen_files: set[Path] = set()
    used_names: set[str] = set()

    def add(path: Path, source: str) -> None:
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # Python before 3.13 reports a link loop as RuntimeError
            problems.append((source, _unresolvable(path, exc)))
            return
        if resolved in seen_files:
            return
        seen_files.add(resolved)
        base = report_name(path.stem)
        name, n = base, 1
        while name.casefold() in used_names:  # casefold: macOS and Windows filesystems ignore case
            n += 1
            name = f"{base}-{n}"
        used_names.add(name.casefold())
        refs.append(PaperRef(source=source, name=name, path=str(resolved)))

    for raw in paths:
        source = str(raw)
        path = Path(raw).expanduser()
        if path.is_dir():
            pdfs = _pdfs_in(path)
            if not pdfs:
                problems.append((source, "no PDF files in this folder"))
            for pdf in pdfs:
                add(pdf, str(Path(source) / pdf.relative_to(path)))
        elif path.is_file():
            add(path, source)
        elif path.exists():
            problems.append((source, "not a regular file or folder"))
        elif path.is_symlink():
            problems.append((source, _unresolvable(path, None)))
        else:
            problems.append((source, "no such file or folder"))
    return refs, problems
