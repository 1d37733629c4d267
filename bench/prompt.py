"""Prompt benchmark: what the model is shown of each corpus paper, through the real pipeline and the fake server.

Run from the repository root:

    python bench/prompt.py                              # the corpus, default settings, gpt-4o-mini
    python bench/prompt.py --model llama3:8b            # a small window: the role shares
    python bench/prompt.py --save-prompts /tmp/prompts  # keep every prompt sent, one file per paper

Each PDF in ../shared/corpus/pdfs goes through `chatpaper.pipeline.summarize_batch` with the OpenAI
backend at default settings against the fake server (in this process, on loopback), which keeps every
request. Printed per paper:

- `calls`: LLM requests made for it (a paper the reader refuses gets none);
- `prompt`: the prompt tokens of those requests by the model's real tokenizer (o200k for gpt-4o-mini;
  the estimate for models chatpaper ships no tokenizer for), schema included;
- `cover`: the mean share of its top-level sections present in the prompts, each section counted with
  its subsections (the share of its sentences found verbatim), over the body the model may see: the
  reference list, the appendix, front matter and end matter (acknowledgments, funding...) left out;
  the lowest section is named;
- `tables`: the paper's results tables (as the budget picks them) whose caption and first row reached a
  prompt / those it has;
- `leak`: whether a prompt carries reference-list entries: lines printed under the truth's references
  heading (any language, found in the PDF's own text), or a run of numbered entries with years;
- `junk`: whether the prose the reader got is junk by this benchmark's own judge (under 100 characters
  of it a page, under 45% of it in paragraphs of 200 or more, or under 75% word-like letter runs), and
  so whether its calls were junk calls. Prose is the paragraphs made mostly of words: a display equation
  (symbols, digits, single-letter variables) is set aside, so a mathematical note is judged on its
  sentences, while a text layer of wrong letters or of fragments has little prose or fails the tests.

Then the totals and the issue's targets (mean coverage >= 0.95 over the papers that are not junk,
0 leaks, 0 junk calls) with PASS/FAIL; exit status 1 when a target fails.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO))

from bench.targets import report_targets  # noqa: E402
from chatpaper.errors import ChatpaperError  # noqa: E402
from chatpaper.llm.budget import NEVER_SHOWN, front_matter_indices, with_tables  # noqa: E402
from chatpaper.llm.client import estimate_request_tokens  # noqa: E402
from chatpaper.models import Paper, PaperRef  # noqa: E402
from chatpaper.pdf import read_paper  # noqa: E402
from chatpaper.pdf.lines import Line  # noqa: E402
from chatpaper.pdf.reader import PdfDocument  # noqa: E402
from chatpaper.pipeline import summarize_batch  # noqa: E402
from chatpaper.settings import Settings  # noqa: E402
from chatpaper.tokens import counter_for  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer, RecordedRequest  # noqa: E402

TARGET_COVERAGE = 0.95
# the benchmark's junk judge (see the module docstring)
JUNK_CHARS_PER_PAGE = 100
JUNK_LONG_PARAGRAPHS = 0.45
JUNK_WORDLIKE = 0.75
LEAK_LINES = 3  # reference-list lines found in a prompt before it counts as a leak
_NUMBER = re.compile(r"^\s*[\dIVX]+\.?\s*")  # "6. REFERENCES"
_ENTRY = re.compile(r"(?:^|\s)\[\d{1,3}\]\s+\S[^\[\n]{10,400}?\b(?:19|20)\d\d\b")  # "[12] A. Author ... 2019"


@dataclass
class PaperRow:
    """What the benchmark measured for one paper."""

    name: str
    status: str
    calls: int = 0
    prompt_tokens: int = 0
    coverage: float | None = None
    lowest: str = ""
    tables_sent: int = 0
    tables: int = 0
    leak: str = ""
    junk: str = ""
    cost: float | None = None
    sections: list[tuple[str, float]] = field(default_factory=list)

    @property
    def junk_calls(self) -> int:
        return self.calls if self.junk else 0


# --- what the model saw ---------------------------------------------------------------------------------


def _space(text: str) -> str:
    return " ".join(text.split())


def _pieces(text: str) -> list[str]:
    """A section's text as sentences (and lines), the unit the coverage counts in."""
    parts = re.split(r"(?<=[.!?])\s+|(?<=[。！？．])|\n+", text)  # CJK sentences end without a space
    return [_space(p) for p in parts if len(p.strip()) >= 2]


def section_coverage(paper: Paper, prompt: str) -> list[tuple[str, float]]:
    """(heading, share present) for each top-level section the model may be shown, with its subsections."""
    shown = _space(prompt)
    skip = front_matter_indices(paper)
    groups: list[tuple[str, list[str]]] = []
    counted = True
    for i, s in enumerate(paper.sections):
        shown_to_model = i not in skip and s.role not in (*NEVER_SHOWN, "appendix")
        if s.level == 1 or not groups:
            counted = shown_to_model
            if counted:
                groups.append((s.heading or "(untitled)", []))
        if counted and groups and shown_to_model:
            groups[-1][1].extend(_pieces(s.text))
    out = []
    for heading, pieces in groups:
        total = sum(len(p) for p in pieces)
        if total:
            out.append((heading, sum(len(p) for p in pieces if p in shown) / total))
    return out


def tables_sent(paper: Paper, prompt: str) -> tuple[int, int]:
    """(results tables whose caption line and first row reached the prompt, results tables): the tables
    the budget's own rule picks as results tables (cited or printed in experiments/results/discussion)."""
    items, ids = with_tables(paper.sections, paper.tables)
    tables = [s.text for s in items if id(s) in ids and s.role == "results"]
    sent = sum(1 for text in tables if all(line in prompt for line in text.splitlines()[:2]))
    return sent, len(tables)


# --- end matter in the prompt ------------------------------------------------------------------------------


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[\W_]+", "", "".join(ch for ch in text if not unicodedata.combining(ch)).casefold())


def reference_lines(pdf: Path, heading: str | None, appendix: Sequence[str] = ()) -> list[str]:
    """Keys of the lines printed under the references heading (its last occurrence), from the PDF's own
    text as PyMuPDF gives it, not the reader's sections: a list the reader missed is found all the same.

    Lines are taken in reading order, not in the order the PDF stores them: on the heading's page only
    the lines below it in its own column (lines overlapping its horizontal span) and the columns to its
    right; a two-column page often stores the other column's body after the heading. The list ends at
    the first appendix heading the truth names (an appendix printed after the references is body).
    """
    if not heading:
        return []
    with PdfDocument(pdf) as doc:
        pages = [page.lines for page in doc.pages()]
    wanted = _key(_NUMBER.sub("", heading))
    spots = [
        (p, i)
        for p, lines in enumerate(pages)
        for i, ln in enumerate(lines)
        if _key(_NUMBER.sub("", ln.text)) == wanted
    ]
    if not spots:
        return []
    at_page, at = spots[-1]
    head = pages[at_page][at]

    def after_heading(ln: Line) -> bool:
        in_column = ln.x0 < head.x1 and ln.x1 > head.x0
        return (in_column and ln.y0 > head.y0) or ln.x0 > head.x1

    lines = [ln for ln in pages[at_page] if after_heading(ln)]
    lines += [ln for page in pages[at_page + 1 :] for ln in page]
    ends = {_key(re.sub(r"^\s*(?:[A-Z]|\d+)\.?\s+", "", a)) for a in appendix} | {_key(a) for a in appendix}
    keys = []
    for ln in lines[:120]:
        key = _key(ln.text)
        if key in ends or _key(re.sub(r"^\s*(?:[A-Z]|\d+)\.?\s+", "", ln.text)) in ends:
            break
        keys.append(key)
    return [k for k in keys if len(k) >= 25]


def leaked(prompt: str, references: list[str]) -> str:
    """Why the prompt carries a reference list, or ''."""
    squeezed = _key(prompt)
    found = sum(1 for k in references if k in squeezed)
    if found >= LEAK_LINES:
        return f"{found} reference lines"
    entries = len(_ENTRY.findall(prompt))
    return f"{entries} numbered entries" if entries >= 5 else ""


# --- junk ---------------------------------------------------------------------------------------------------

_VOWEL = re.compile(r"[aeiouyà-åè-ëì-ïò-öù-üýæœ]", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")


def _wordlike(run: str) -> bool:
    if not _LATIN.fullmatch(run):
        return True  # other scripts: letters are letters
    if len(run) == 1:
        return run in "aAIyo"
    return bool(_VOWEL.search(run)) or (run.isupper() and len(run) <= 6)


def _prose(paragraph: str) -> bool:
    """Made mostly of words: not a display equation (symbols, digits, single-letter variables)."""
    tokens = paragraph.split()
    words = sum(1 for t in tokens if any(len(r) >= 2 and _wordlike(r) for r in re.findall(r"[^\W\d_]+", t)))
    return words * 2 >= len(tokens)


def junk_reason(paper: Paper) -> str:
    """Why the prose the reader got is junk by this benchmark's judge, or ''."""
    paragraphs = [p for s in paper.sections if s.role != "references" for p in re.split(r"\n\s*\n", s.text)]
    body = [p for p in paragraphs if _prose(p)]
    text = " ".join([paper.abstract, *body] if _prose(paper.abstract) else body)
    if len(text.strip()) < JUNK_CHARS_PER_PAGE * max(1, paper.pages):
        return f"{len(text.strip()) / max(1, paper.pages):.0f} characters of prose a page"
    total = sum(len(p) for p in body) or 1
    long = sum(len(p) for p in body if len(p) >= 200) / total
    if long < JUNK_LONG_PARAGRAPHS:
        return f"{long:.0%} of the prose in paragraphs"
    runs = re.findall(r"[^\W\d_]+", text)
    share = sum(map(_wordlike, runs)) / max(1, len(runs))
    return f"{share:.0%} word-like" if share < JUNK_WORDLIKE else ""


# --- the run ---------------------------------------------------------------------------------------------------


def measure(pdf: Path, truth: dict, server: FakeOpenAIServer, settings: Settings, save: Path | None) -> PaperRow:
    row = PaperRow(pdf.name, "done")
    try:
        # read as the pipeline reads it (the same OCR mode), so a scan it summarized is judged on the same text
        paper: Paper | None = read_paper(pdf, ocr=settings.ocr)
    except ChatpaperError as exc:
        paper, row.status = None, f"refused: {str(exc).replace(str(pdf) + ': ', '')[:60]}"
    server.reset()
    result = summarize_batch([PaperRef(source=str(pdf), name=pdf.stem, path=str(pdf))], settings)
    (outcome,) = result.outcomes
    if outcome.status == "failed" and paper is not None:
        row.status = f"failed: {(outcome.reason or '')[:60]}"
    requests: list[RecordedRequest] = server.chat_requests
    row.calls = len(requests)
    counter = counter_for(settings.model)
    row.prompt_tokens = sum(
        estimate_request_tokens(r.messages, (r.body or {}).get("response_format"), counter) for r in requests
    )
    row.cost = result.usage.cost_usd
    prompt = "\n\n".join(r.prompt for r in requests)
    if save is not None and requests:
        (save / f"{pdf.stem}.txt").write_text(prompt, encoding="utf-8")
    if paper is None:
        row.junk = "refused by the reader"
        return row
    row.junk = junk_reason(paper)
    row.sections = section_coverage(paper, prompt)
    if row.sections:
        row.coverage = statistics.fmean(share for _, share in row.sections)
        row.lowest = min(row.sections, key=lambda hs: hs[1])[0]
    row.tables_sent, row.tables = tables_sent(paper, prompt)
    row.leak = (
        leaked(prompt, reference_lines(pdf, truth.get("references_heading"), truth.get("appendix_sections") or ()))
        if prompt
        else ""
    )
    return row


def print_rows(rows: list[PaperRow], model: str) -> None:
    head = (
        f"{'paper':<44} {'calls':>5} {'prompt':>7} {'cover':>6} {'tables':>7} {'leak':<20} {'junk':<26} lowest section"
    )
    print(f"\nmodel {model}; prompt tokens by {counter_for(model).name}")
    print(head)
    print("-" * len(head))
    for r in rows:
        cover = f"{r.coverage:.2f}" if r.coverage is not None else "-"
        tables = f"{r.tables_sent}/{r.tables}" if r.tables else "-"
        low = min((share for _, share in r.sections), default=1.0)
        lowest = f"{r.lowest[:30]} ({low:.2f})" if low < 1 else ""
        note = "" if r.status == "done" else f"  [{r.status}]"
        print(
            f"{r.name[:44]:<44} {r.calls:>5} {r.prompt_tokens:>7,} {cover:>6} {tables:>7} {r.leak[:20]:<20} "
            f"{r.junk[:26]:<26} {lowest}{note}"
        )


def check_targets(rows: list[PaperRow]) -> bool:
    counted = [r for r in rows if not r.junk]
    covers = [r.coverage if r.coverage is not None else 0.0 for r in counted]
    mean = statistics.fmean(covers) if covers else 0.0
    leaks = sum(bool(r.leak) for r in rows)
    junk_calls = sum(r.junk_calls for r in rows)
    sent = [r.prompt_tokens for r in rows if r.calls]
    tables = sum(r.tables for r in rows)
    cost = sum(r.cost or 0.0 for r in rows)
    mean_sent = statistics.fmean(sent) if sent else 0.0
    print(
        f"\n{len(rows)} papers · {len(counted)} not junk · prompt tokens mean {mean_sent:,.0f} "
        f"max {max(sent, default=0):,} · tables sent {sum(r.tables_sent for r in rows)}/{tables} · "
        f"cost ~${cost:.4f} (fake replies; prompt at list price)"
    )
    checks = [
        (f"mean section coverage >= {TARGET_COVERAGE}", f"{mean:.3f}", mean >= TARGET_COVERAGE),
        ("prompts with a reference list", str(leaks), leaks == 0),
        ("junk calls", str(junk_calls), junk_calls == 0),
    ]
    return report_targets(checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder [../shared/corpus]")
    parser.add_argument("--model", default="gpt-4o-mini", help="model name sent (sets window, tokenizer, price)")
    parser.add_argument("--prompt-tokens", type=int, default=None, help="--prompt-tokens for the run [default cap]")
    parser.add_argument("--save-prompts", type=Path, default=None, help="write each paper's prompts here")
    parser.add_argument("papers", nargs="*", help="only these PDF file names")
    args = parser.parse_args()
    truth_file = args.corpus / "truth.json"
    if not truth_file.is_file():
        print(f"corpus not found at {args.corpus} (expected truth.json and pdfs/ there); nothing to measure")
        return 0
    truths = {t["file"]: t for t in json.loads(truth_file.read_text(encoding="utf-8"))}
    pdfs = sorted(p for p in (args.corpus / "pdfs").glob("*.pdf") if not args.papers or p.name in args.papers)
    if args.save_prompts:
        args.save_prompts.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="chatpaper-prompt-bench-") as tmp, FakeOpenAIServer() as server:
        settings = Settings(
            backend="openai",
            base_url=server.url,
            api_key="sk-bench-not-a-real-key",
            model=args.model,
            prompt_tokens=args.prompt_tokens,
            out=Path(tmp) / "out",
            cache_dir=Path(tmp) / "cache",
            force=True,
        )
        for pdf in pdfs:
            print(f"  {pdf.name}", file=sys.stderr, flush=True)
            rows.append(measure(pdf, truths.get(pdf.name, {}), server, settings, args.save_prompts))
    print_rows(rows, args.model)
    return 0 if check_targets(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
