"""Trust benchmark: are a summary's quotes and numbers checked right, on real papers, through the real pipeline?

Run from the repository root:

    python bench/trust.py                    # every corpus paper, both modes
    python bench/trust.py 2203.00130v1.pdf   # only these PDF file names

Each PDF in ../shared/corpus/pdfs goes through `chatpaper.pipeline.summarize_batch` with the OpenAI
backend (gpt-4o-mini, default settings) against the fake server (in this process, on loopback), twice:

- **lifted**: the fake's replies copy their points and quotes from the paper text in the prompt
  (sentences, a results-table row); nothing in them is made up, so every number or quote chatpaper
  flags is wrongly flagged. Target: at most 2% of the numbers, and of the quotes.
- **planted**: the same replies with made-up numbers (one or two per point: 97.312%, 7,318,265,
  412.73, a range, 3.71x) and made-up quotes (an invented sentence per point, a real sentence with one
  digit changed) planted in them. Target: every planted number is in the report's
  `checks.numbers_unsupported` under its point and on a `not found in the paper: N (point)` line of
  the Markdown; every planted quote is `found: false` in `evidence` and marked so in the Markdown.

Printed per paper: numbers and quotes checked, wrongly flagged (lifted), planted and caught (planted),
and what was wrongly flagged, so a miss can be read. Then the totals and the targets with PASS/FAIL;
exit status 1 when a target fails. Papers the reader refuses (a scan without text) get no call and are
listed as such.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO))

from bench.targets import report_targets  # noqa: E402
from chatpaper.models import PaperRef, PaperSummary  # noqa: E402
from chatpaper.pipeline import summarize_batch  # noqa: E402
from chatpaper.settings import Settings  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer, Plant, lifted, planted  # noqa: E402

TARGET_WRONG = 0.02
TARGET_CAUGHT = 1.0


@dataclass
class Row:
    """One paper's figures in both modes."""

    name: str
    status: str = "done"
    numbers: int = 0
    numbers_wrong: int = 0
    quotes: int = 0
    quotes_wrong: int = 0
    planted_numbers: int = 0
    caught_numbers: int = 0
    planted_quotes: int = 0
    caught_quotes: int = 0
    misses: list[str] = field(default_factory=list)


def run(pdfs: list[Path], server: FakeOpenAIServer, tmp: Path, mode: str) -> dict[str, tuple[PaperSummary, str]]:
    """Every PDF through the pipeline in one batch: {file name: (summary, Markdown report)}."""
    settings = Settings(
        backend="openai",
        base_url=server.url,
        api_key="sk-bench-not-a-real-key",
        model="gpt-4o-mini",
        out=tmp / mode,
        cache_dir=tmp / f"cache-{mode}",
        workers=4,
    )
    refs = [PaperRef(source=str(p), name=p.stem, path=str(p)) for p in pdfs]
    result = summarize_batch(refs, settings)
    found = {}
    for pdf, outcome in zip(pdfs, result.outcomes, strict=True):
        if outcome.summary is not None and outcome.report:
            found[pdf.name] = (outcome.summary, (settings.out / outcome.report).read_text(encoding="utf-8"))
    return found


def measure_lifted(row: Row, summary: PaperSummary) -> None:
    checks = summary.checks
    assert checks is not None
    row.numbers, row.quotes = checks.numbers_checked, checks.quotes_checked
    row.numbers_wrong = len(checks.numbers_unsupported)
    row.quotes_wrong = checks.quotes_unsupported
    row.misses += [f"number {n.number!r} ({n.point})" for n in checks.numbers_unsupported]
    row.misses += [f"quote {e.quote[:90]!r} ({p})" for p, e in summary.evidence.quotes() if not e.found]


def measure_planted(row: Row, summary: PaperSummary, markdown: str, plant: Plant | None) -> None:
    if plant is None:
        row.misses.append("no planted reply recorded for this paper")
        return
    checks = summary.checks
    assert checks is not None
    flagged = {(n.point, n.number) for n in checks.numbers_unsupported}
    row.planted_numbers += len(plant.numbers)
    for point, number in plant.numbers:
        shown = f"not found in the paper: {number} ({point})" in markdown
        if (point, number) in flagged and shown:
            row.caught_numbers += 1
        else:
            row.misses.append(f"planted number {number!r} ({point}) not flagged")
    unfound = {(p, e.quote) for p, e in summary.evidence.quotes() if not e.found}
    row.planted_quotes += len(plant.quotes)
    for point, quote in plant.quotes:
        if (point, " ".join(quote.split())) in unfound:
            row.caught_quotes += 1
        else:
            row.misses.append(f"planted quote {quote[:60]!r} ({point}) not flagged")


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def report(rows: list[Row], verbose: bool) -> bool:
    head = (
        f"{'paper':<46} {'numbers':>7} {'wrong':>5} {'quotes':>6} {'wrong':>5} {'planted n/q':>11} {'caught n/q':>10}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        if r.status != "done":
            print(f"{r.name[:46]:<46} [{r.status}]")
            continue
        print(
            f"{r.name[:46]:<46} {r.numbers:>7} {r.numbers_wrong:>5} {r.quotes:>6} {r.quotes_wrong:>5} "
            f"{f'{r.planted_numbers}/{r.planted_quotes}':>11} {f'{r.caught_numbers}/{r.caught_quotes}':>10}"
        )
        for miss in r.misses if verbose else r.misses[:3]:
            print(f"    {miss}")
    numbers = sum(r.numbers for r in rows)
    quotes = sum(r.quotes for r in rows)
    wrong_n = sum(r.numbers_wrong for r in rows)
    wrong_q = sum(r.quotes_wrong for r in rows)
    planted_n = sum(r.planted_numbers for r in rows)
    planted_q = sum(r.planted_quotes for r in rows)
    caught_n = sum(r.caught_numbers for r in rows)
    caught_q = sum(r.caught_quotes for r in rows)
    done = sum(r.status == "done" for r in rows)
    print(
        f"\n{len(rows)} papers, {done} summarized · lifted: {numbers} numbers, {wrong_n} wrongly flagged "
        f"({share(wrong_n, numbers)}); {quotes} quotes, {wrong_q} wrongly flagged ({share(wrong_q, quotes)}) · "
        f"planted: {caught_n}/{planted_n} numbers and {caught_q}/{planted_q} quotes caught"
    )
    checks = [
        (f"numbers wrongly flagged <= {TARGET_WRONG:.0%}", share(wrong_n, numbers), wrong_n <= TARGET_WRONG * numbers),
        (f"quotes wrongly flagged <= {TARGET_WRONG:.0%}", share(wrong_q, quotes), wrong_q <= TARGET_WRONG * quotes),
        ("planted numbers caught", share(caught_n, planted_n), planted_n > 0 and caught_n == planted_n),
        ("planted quotes caught", share(caught_q, planted_q), planted_q > 0 and caught_q == planted_q),
    ]
    return report_targets(checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder [../shared/corpus]")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrongly flagged item")
    parser.add_argument("papers", nargs="*", help="only these PDF file names")
    args = parser.parse_args()
    folder = args.corpus / "pdfs"
    if not folder.is_dir():
        print(f"corpus not found at {args.corpus} (expected pdfs/ there); nothing to measure")
        return 0
    pdfs = sorted(p for p in folder.glob("*.pdf") if not args.papers or p.name in args.papers)
    with tempfile.TemporaryDirectory(prefix="chatpaper-trust-bench-") as tmp, FakeOpenAIServer() as server:
        server.default = lifted()
        honest = run(pdfs, server, Path(tmp), "lifted")
        server.default = planted()
        lying = run(pdfs, server, Path(tmp), "planted")
        plants = {p.title: p for p in server.plants}
    rows = []
    for pdf in pdfs:
        row = Row(pdf.name)
        if pdf.name not in honest or pdf.name not in lying:
            row.status = "not summarized (the reader refused it)"
        else:
            measure_lifted(row, honest[pdf.name][0])
            summary, markdown = lying[pdf.name]
            measure_planted(row, summary, markdown, plants.get(summary.title))
        rows.append(row)
    return 0 if report(rows, args.verbose) else 1


if __name__ == "__main__":
    raise SystemExit(main())
