"""Extractive backend benchmark: how long the offline summary of one paper takes.

Run from the repository root:

    python bench/extractive.py                  # a synthetic 40-page paper, then every corpus PDF with a text layer
    python bench/extractive.py --no-corpus --repeat 10

The synthetic paper is the test suite's four sections of prose (`tests/test_extractive.py`) repeated
into fourteen sections of about three pages each, about 40 pages. Corpus papers in
`../shared/corpus/pdfs` are read first (text layer only, not timed); only `ExtractiveBackend.summarize`
is timed, the best of `--repeat` runs, so a busy moment of a shared machine counts less.

Printed per paper: pages, words of text, best seconds; then the target (the 40-page paper summarized
in under 1.0 s) with PASS/FAIL. Exit status 1 when it fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS_PDFS = REPO.parent / "shared" / "corpus" / "pdfs"
sys.path.insert(0, str(REPO))

from chatpaper.errors import ChatpaperError  # noqa: E402
from chatpaper.llm.extractive import ExtractiveBackend  # noqa: E402
from chatpaper.models import Paper  # noqa: E402
from chatpaper.pdf import read_paper  # noqa: E402
from tests.test_extractive import ABSTRACT, EXPERIMENTS, INTRODUCTION, METHOD, RELATED, make_paper  # noqa: E402

# The target a 40-page paper must meet: well under the time one LLM call takes, so the offline
# backend never holds a batch up.
FORTY_PAGES_SECONDS = 1.0


def forty_page_paper() -> Paper:
    """Fourteen sections of about three pages of prose each."""
    body = "\n\n".join([INTRODUCTION, RELATED, METHOD, EXPERIMENTS] * 8)
    sections = [(f"{i} Section", "other", body) for i in range(14)]
    return make_paper(*sections, abstract=ABSTRACT, pages=40)


def best_seconds(backend: ExtractiveBackend, paper: Paper, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        backend.summarize(paper, "en")
        times.append(time.perf_counter() - start)
    return min(times)


def words(paper: Paper) -> int:
    return len(paper.abstract.split()) + sum(len(s.text.split()) for s in paper.sections)


def corpus_papers() -> list[tuple[str, Paper]]:
    """The corpus PDFs with a text layer, read without OCR (a scan is left out, not read for minutes)."""
    papers = []
    for path in sorted(CORPUS_PDFS.glob("*.pdf")):
        try:
            papers.append((path.name, read_paper(path, ocr="never")))
        except ChatpaperError as exc:
            print(f"{path.name}: left out ({exc})", file=sys.stderr)
    return papers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per paper; the best counts (default 3)")
    parser.add_argument("--no-corpus", action="store_true", help="time the synthetic 40-page paper only")
    args = parser.parse_args()

    backend = ExtractiveBackend()
    rows = [("synthetic 40-page paper", forty_page_paper())]
    if not args.no_corpus:
        if CORPUS_PDFS.is_dir():
            rows += corpus_papers()
        else:
            print(f"no corpus at {CORPUS_PDFS}: the synthetic paper only", file=sys.stderr)

    print(f"{'paper':<48} {'pages':>5} {'words':>7} {'best s':>7}")
    timed = {}
    for name, paper in rows:
        timed[name] = seconds = best_seconds(backend, paper, max(args.repeat, 1))
        print(f"{name[:48]:<48} {paper.pages:>5} {words(paper):>7,} {seconds:>7.3f}")
    if len(rows) > 1:
        corpus = [timed[name] for name, _ in rows[1:]]
        pages = sum(paper.pages for _, paper in rows[1:])
        print(f"corpus: {len(corpus)} papers, {sum(corpus):.2f} s in all, {pages / sum(corpus):.0f} pages/s")

    forty = timed["synthetic 40-page paper"]
    passed = forty < FORTY_PAGES_SECONDS
    print(f"target: 40-page paper under {FORTY_PAGES_SECONDS:g} s: {forty:.3f} s {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
