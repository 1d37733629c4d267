"""Parse benchmark: chatpaper's PDF reader against the hand-checked corpus truth, pymupdf4llm beside it.

Run from the repository root:

    python bench/parse.py                 # both readers
    python bench/parse.py --no-reference  # chatpaper only (pymupdf4llm is slow)

For every PDF in ../shared/corpus/pdfs it prints title exact match (case, space and punctuation
normalised), author-name F1, top-level section heading precision / recall / F1 (numbering stripped) and
pages per second, then totals, then the same per class of paper: the first batch (set dev-2026-11) and the
reader-failure classes (a)-(f) the corpus README gives each second-batch file (a file counts in each of its
classes; Type-3 files are also told by pdf_stats.type3_fonts, other languages by the truth's language).
Headings are compared in the truth's window: after the abstract and before the references. For
pymupdf4llm, headings are its Markdown `#` lines in the same window, its title is the first heading (or
first line) and it reports no authors. PDFs without a text layer are listed but left out of the totals
(both readers have nothing to read there).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO))

from chatpaper.errors import NoTextLayerError, PdfError  # noqa: E402
from chatpaper.pdf import read_paper  # noqa: E402
from chatpaper.pdf.headings import strip_numbering  # noqa: E402


def norm(text: str) -> str:
    """Case, accents (also spacing accents), spaces and punctuation removed; letters of every script kept
    (as tests/corpus.py compares: Cyrillic and kana headings count)."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text.casefold() if ch.isalnum() and not unicodedata.combining(ch))


@dataclass
class Score:
    """Matches for one reader on one file."""

    title_ok: bool = False
    titles: int = 0  # titles matched (totals only)
    authors: tuple[int, int, int] = (0, 0, 0)  # true positives, found, expected
    headings: tuple[int, int, int] = (0, 0, 0)
    pages: int = 0
    seconds: float = 0.0
    note: str = ""
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def overlap(found: list[str], expected: list[str]) -> tuple[int, int, int, list[str], list[str]]:
    f, e = Counter(norm(x) for x in found if norm(x)), Counter(norm(x) for x in expected if norm(x))
    tp = sum((f & e).values())
    missed = [x for x in expected if norm(x) in (e - f)]
    extra = [x for x in found if norm(x) in (f - e)]
    return tp, sum(f.values()), sum(e.values()), missed, extra


def prf(tp: int, found: int, expected: int) -> tuple[float, float, float]:
    p = tp / found if found else (1.0 if not expected else 0.0)
    r = tp / expected if expected else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


_ABSTRACT = {"abstract", "summary", "摘要"}
_REFERENCES = {"references", "bibliography", "referencesandnotes", "literaturecited", "参考文献"}
# An abstract heading opens the paper: a "Summary" further on is a section (a survey's last one).
_ABSTRACT_AMONG_FIRST = 3


def window(headings: list[str], references: str | None = None) -> list[str]:
    """Headings after an abstract heading and before the references heading (the truth's window);
    `references` is the truth's references heading as printed (any language)."""
    ends = _REFERENCES | ({norm(strip_numbering(references))} if references else set())
    keys = [norm(strip_numbering(h)) for h in headings]
    start = 0
    for i, k in enumerate(keys[:_ABSTRACT_AMONG_FIRST]):
        if k in _ABSTRACT:
            start = i + 1
            break
    out = []
    for h, k in zip(headings[start:], keys[start:], strict=True):
        if k in ends:
            break
        if k:
            out.append(strip_numbering(h))
    return out


OCR = "never"  # the text-layer reader's accuracy and speed; --ocr auto also reads the scan by OCR (minutes)


def score_chatpaper(pdf: Path, truth: dict) -> Score:
    s = Score()
    start = time.perf_counter()
    try:
        paper = read_paper(pdf, ocr=OCR)
    except NoTextLayerError:
        s.seconds = time.perf_counter() - start
        s.pages = truth["pages"]
        s.note = "no text layer (NoTextLayerError, as expected)" if not truth["text_layer"] else "NoTextLayerError!"
        return s
    except PdfError as exc:
        s.seconds = time.perf_counter() - start
        s.note = f"error: {exc}"
        return s
    s.seconds = time.perf_counter() - start
    s.pages = paper.pages
    s.title_ok = norm(paper.title) == norm(truth["title"])
    tp, f, e, _, _ = overlap(paper.authors, truth["authors"])
    s.authors = (tp, f, e)
    top: list[str] = []
    for sec in paper.sections:
        if sec.role == "references":
            break
        if sec.level == 1 and sec.heading.strip() and sec.role != "abstract":  # as tests/test_pdf_corpus.py
            top.append(sec.heading)
    tp, f, e, s.missed, s.extra = overlap(window(top, truth.get("references_heading")), truth["sections"])
    s.headings = (tp, f, e)
    return s


def score_reference(pdf: Path, truth: dict) -> Score:
    import pymupdf4llm

    s = Score(pages=truth["pages"])
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            md = pymupdf4llm.to_markdown(str(pdf), show_progress=False)
    except Exception as exc:  # the reference may fail where chatpaper does not
        s.seconds = time.perf_counter() - start
        s.note = f"error: {type(exc).__name__}"
        return s
    s.seconds = time.perf_counter() - start
    lines = [ln.strip() for ln in md.splitlines() if ln.strip()]
    heads = [_md_text(ln.lstrip("#")) for ln in lines if ln.startswith("#")]
    title = heads[0] if heads else (_md_text(lines[0]) if lines else "")
    s.title_ok = norm(title) == norm(truth["title"])
    s.authors = (0, 0, len(truth["authors"]))
    heads = heads[1:] if heads else []
    tp, f, e, s.missed, s.extra = overlap(window(heads, truth.get("references_heading")), truth["sections"])
    s.headings = (tp, f, e)
    return s


def _md_text(text: str) -> str:
    return re.sub(r"[*_`]|<[^>]+>", "", text).strip()


def row(name: str, s: Score) -> str:
    if s.note and not s.pages:
        return f"{name:<10} {s.note}"
    _, _, af = prf(*s.authors)
    hp, hr, hf = prf(*s.headings)
    speed = s.pages / s.seconds if s.seconds else 0.0
    if s.note:
        return f"{name:<10} {'':>5} {'':>6} {'':>5} {'':>5} {'':>5} {speed:>8.1f}  {s.note}"
    return f"{name:<10} {'yes' if s.title_ok else 'NO':>5} {af:>6.2f} {hp:>5.2f} {hr:>5.2f} {hf:>5.2f} {speed:>8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-reference", action="store_true", help="skip the (slow) pymupdf4llm reference run")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (default: ../shared/corpus)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed and extra headings")
    parser.add_argument(
        "--ocr", choices=["never", "auto"], default="never", help="auto: read the scan by OCR too (minutes) [never]"
    )
    args = parser.parse_args()
    corpus: Path = args.corpus
    global OCR
    OCR = args.ocr
    truth_file = corpus / "truth.json"
    if not truth_file.is_file():
        print(f"corpus not found at {corpus} (expected truth.json and pdfs/ there); nothing to benchmark")
        return 0
    truths = json.loads(truth_file.read_text(encoding="utf-8"))
    reference = not args.no_reference
    if reference:
        try:
            import pymupdf
            import pymupdf4llm  # noqa: F401

            # pymupdf4llm prints parser notices ("RapidOCR is missing") that would break up the table
            pymupdf.set_messages(path=os.devnull)
        except ImportError:
            print("pymupdf4llm is not installed (pip install -e '.[bench]'); running without the reference")
            reference = False

    readers = ["chatpaper"] + (["pymupdf4llm"] if reference else [])
    classes = paper_classes(corpus, truths)
    # per class (and "total") and reader: the summed Score and how many PDFs went into it
    sums: dict[str, dict[str, Score]] = {c: {r: Score() for r in readers} for c in [*CLASSES, "total"]}
    counts: dict[str, dict[str, int]] = {c: dict.fromkeys(readers, 0) for c in sums}
    header = f"{'reader':<10} {'title':>5} {'authF1':>6} {'hP':>5} {'hR':>5} {'hF1':>5} {'pages/s':>8}"
    print(header)
    for truth in truths:
        pdf = corpus / "pdfs" / truth["file"]
        if not pdf.is_file():
            print(f"\n{truth['file']}: missing, skipped")
            continue
        print(f"\n{truth['file']} ({truth['pages']} pages)")
        for name in readers:
            s = score_chatpaper(pdf, truth) if name == "chatpaper" else score_reference(pdf, truth)
            print(row(name, s))
            if args.verbose and (s.missed or s.extra):
                print(f"{'':<10} missed {s.missed}  extra {s.extra}")
            if not truth["text_layer"]:
                continue  # nothing to read for either reader: not in the totals
            for group in ["total", *classes.get(truth["file"], ())]:
                add(sums[group][name], s)
                counts[group][name] += 1

    n = max(counts["total"].values(), default=0)
    print(f"\nTOTAL over {n} PDFs with a text layer (authors and headings: micro-averaged)")
    print(f"{'reader':<10} {'title':>6} {'authF1':>6} {'hP':>5} {'hR':>5} {'hF1':>5} {'pages/s':>8}")
    for name in readers:
        print(total_row(name, sums["total"][name], counts["total"][name]))
    speeds = {name: speed(sums["total"][name]) for name in readers}
    if reference and speeds.get("pymupdf4llm"):
        print(f"\nspeed ratio chatpaper / pymupdf4llm: {speeds['chatpaper'] / speeds['pymupdf4llm']:.0f}x")

    print("\nBY CLASS (a paper counts in each of its classes; see the corpus README)")
    columns = f"{'reader':<10} {'title':>6} {'authF1':>6} {'hP':>5} {'hR':>5} {'hF1':>5} {'pages/s':>8}"
    print(f"{'class':<34} {'PDFs':>4} {columns}")
    for group, label in [*CLASSES.items(), ("total", "all PDFs with a text layer")]:
        for name in readers:
            count = counts[group][name]
            if count:
                print(f"{label:<34} {count:>4} {total_row(name, sums[group][name], count)}")
    return 0


# The classes of the corpus README: its first batch, then the second batch's (a)-(f).
CLASSES = {
    "first": "first batch (dev-2026-11)",
    "a": "(a) dvips Type-3 bitmap fonts",
    "b": "(b) cover or title pages",
    "c": "(c) author line under the title",
    "d": "(d) hard author lines",
    "e": "(e) unusual headings",
    "f": "(f) other languages",
}
_README_ROW = re.compile(r"^\|\s*(?P<file>[^|\s]+\.pdf)\s*\|(?:[^|]*\|){4}\s*(?P<why>[^|]*)\|")


def paper_classes(corpus: Path, truths: list[dict]) -> dict[str, set[str]]:
    """Each file's classes: the first batch by its set, (a)-(f) as the README's second-batch table lists
    them at the start of 'why it is here', Type-3 fonts and the language from truth.json as well."""
    out: dict[str, set[str]] = {}
    readme = corpus / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    batch = text.split("## The second batch", 1)[-1] if "## The second batch" in text else ""
    for line in batch.splitlines():
        m = _README_ROW.match(line)
        if m:
            lead = re.match(r"^(?:\s*\([a-f](?: [a-z]{2})?\))+", m.group("why"))
            out[m.group("file")] = set(re.findall(r"\(([a-f])", lead.group(0))) if lead else set()
    for truth in truths:
        listed = truth["file"] in out  # the README's own word, when it has one
        groups = out.setdefault(truth["file"], set())
        if truth.get("set") == "dev-2026-11":
            groups.add("first")
        elif not listed:
            # a later file the README does not list yet: classes from the truth (some Type-3 glyphs alone, as
            # in a thesis's symbols, do not make a dvips bitmap-font paper, so the README comes first)
            if truth.get("pdf_stats", {}).get("type3_fonts"):
                groups.add("a")
            if truth.get("language", "en") != "en":
                groups.add("f")
    return out


def add(total: Score, s: Score) -> None:
    total.pages += s.pages
    total.seconds += s.seconds
    total.authors = _plus(total.authors, s.authors)
    total.headings = _plus(total.headings, s.headings)
    total.titles += s.title_ok


def _plus(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def speed(s: Score) -> float:
    return s.pages / s.seconds if s.seconds else 0.0


def total_row(name: str, t: Score, count: int) -> str:
    _, _, af = prf(*t.authors)
    hp, hr, hf = prf(*t.headings)
    title = t.titles / (count or 1)
    return f"{name:<10} {title:>6.0%} {af:>6.2f} {hp:>5.2f} {hr:>5.2f} {hf:>5.2f} {speed(t):>8.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
