"""Engine benchmark: a batch of papers through the real pipeline against the fake OpenAI server.

Run from the repository root:

    python bench/engine.py                                   # 100 papers, 8 workers, 3 s latency, 0% and 20% faults
    python bench/engine.py --papers 40 --latency 1 --faults 0.3

The papers are byte-distinct copies (a PDF comment appended after `%%EOF`, so each has its own
sha256 and its own cache entry) of the sample papers in `examples/` and, when present, of the corpus
in `../shared/corpus/pdfs` (papers without a text layer are left out). For each fault rate, a fresh
fake server (in this process, on loopback) answers every chat request after `--latency` seconds and
turns that share of replies into a seeded mix of 429 with `Retry-After`, 500, broken JSON and
schema-invalid JSON. `chatpaper.pipeline.summarize_batch` runs the batch with the OpenAI backend at
default settings apart from `--workers`, into a fresh output and cache folder; then a second run
over the same papers (new output folder, same cache) measures the cache.

Printed per fault rate: wall time against the ideal `ceil(papers / workers) x latency` and the
start-up (until the first request reaches the server: reading the first papers), chat requests
per paper (every HTTP attempt the server saw), prompt tokens per paper from the reports' `meta`
(mean, max), papers done/failed, and the cache run's wall time and requests; then the issue's
targets with PASS/FAIL. Exit status 1 when a target fails.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS_PDFS = REPO.parent / "shared" / "corpus" / "pdfs"
sys.path.insert(0, str(REPO))

from chatpaper.errors import ChatpaperError  # noqa: E402
from chatpaper.llm import make_prompt_estimator  # noqa: E402
from chatpaper.llm.budget import KEY_ROLES  # noqa: E402
from chatpaper.models import Paper, PaperRef  # noqa: E402
from chatpaper.pdf import read_paper  # noqa: E402
from chatpaper.pipeline import RunResult, summarize_batch  # noqa: E402
from chatpaper.settings import Settings  # noqa: E402
from chatpaper.sources.local import find_pdfs  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer, RecordedRequest  # noqa: E402

API_KEY = "sk-bench-not-a-real-key"
# Experiments and results are one point of the summary ("tasks and performance"): either will do.
ROLE_GROUPS = {"experiments": "experiments/results", "results": "experiments/results"}


@dataclass
class Source:
    """A sample paper the batch copies, with the key roles its reader found (for the coverage check)."""

    path: Path
    title: str
    key_headings: dict[str, set[str]]  # role group -> headings of that group with text


@dataclass
class RunStats:
    """What one batch run at one fault rate measured."""

    fault_rate: float
    papers: int
    wall: float
    ideal: float
    requests: int
    done: int
    failed: int
    prompt_tokens: list[int]
    cost_usd: float | None
    faults: dict[str, int]
    failures: list[str]
    covered: int
    checked: int
    prompt_cap: int = 0  # the default cap on one prompt for this model (instructions + paper text)
    startup: float = 0.0  # from the start to the first request the server saw (reading the first papers)
    cache_wall: float = 0.0
    cache_requests: int = 0
    cache_done: int = 0
    uncovered: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.wall / self.ideal if self.ideal else 0.0

    @property
    def calls_per_paper(self) -> float:
        return self.requests / self.papers if self.papers else 0.0

    @property
    def prompt_mean(self) -> float:
        return statistics.fmean(self.prompt_tokens) if self.prompt_tokens else 0.0

    @property
    def prompt_max(self) -> int:
        return max(self.prompt_tokens, default=0)


def find_sources(folders: Sequence[Path]) -> list[Source]:
    """Readable sample PDFs in `folders`, in a stable order; papers without a text layer are skipped."""
    sources = []
    for folder in folders:
        for pdf in sorted(folder.glob("*.pdf")):
            try:
                # text layers only, as the docstring says: a scan read by OCR (minutes of CPU) would measure
                # the OCR engine, not the batch engine
                paper = read_paper(pdf, ocr="never")
            except ChatpaperError as exc:
                print(f"  skipped {pdf.name}: {exc}".replace(str(pdf) + ": ", ""), file=sys.stderr)
                continue
            sources.append(Source(pdf, paper.title.strip(), _key_headings(paper)))
    return sources


def _key_headings(paper: Paper) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for section in paper.sections:
        if section.role in KEY_ROLES and section.text.strip():
            groups.setdefault(ROLE_GROUPS.get(section.role, section.role), set()).add(section.heading.strip())
    return groups


def make_copies(sources: Sequence[Source], count: int, folder: Path) -> list[PaperRef]:
    """`count` copies of the sources, round robin, each with its own bytes (and so its own sha256).

    A comment after `%%EOF` is ignored by PDF readers, which look for the last `startxref` near the
    end of the file; the first copy of each source is parsed to make sure of that.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        source = sources[i % len(sources)]
        data = source.path.read_bytes() + f"\n%chatpaper-bench copy {i}\n".encode()
        copy = folder / f"{i:03d}-{source.path.stem}.pdf"
        copy.write_bytes(data)
        if i < len(sources):
            read_paper(copy)  # raises if the appended bytes broke the file
    refs, problems = find_pdfs([folder])
    if problems:
        raise SystemExit(f"cannot list the copies: {problems}")
    return refs


def _prompt_sections(request: RecordedRequest) -> tuple[str | None, set[str]]:
    """The paper title and the section headings a one-call summary request carried."""
    prompt = request.prompt
    title = re.search(r"^Title: (.*)$", prompt, re.MULTILINE)
    headings = {h.strip() for h in re.findall(r"^#+ (.+)$", prompt, re.MULTILINE)}
    return (title.group(1).strip() if title else None), headings


def coverage(sources: Sequence[Source], requests: Sequence[RecordedRequest]) -> tuple[int, int, list[str]]:
    """(sources whose prompt carried every key role the paper has, sources checked, misses).

    Copies of one source send the same prompt; a request is matched to its source by title, and
    sources whose title is empty or shared are not checked.
    """
    titles = Counter(s.title for s in sources)
    by_title = {s.title: s for s in sources if s.title and titles[s.title] == 1}
    seen: dict[str, set[str]] = {}
    for request in requests:
        if request.response_format is None and "JSON" not in request.prompt:
            continue  # a map step's notes request, not the summary prompt
        title, headings = _prompt_sections(request)
        if title in by_title and title not in seen:
            seen[title] = headings
    covered, misses = 0, []
    for title, headings in seen.items():
        source = by_title[title]
        missing = [group for group, names in source.key_headings.items() if not names & headings]
        if missing:
            misses.append(f"{source.path.name}: no {', '.join(missing)}")
        else:
            covered += 1
    return covered, len(seen), misses


def timed_batch(refs: Sequence[PaperRef], settings: Settings) -> tuple[RunResult, float, float]:
    """The batch's result, its wall time, and its start on the clock the fake server stamps requests with."""
    start = time.monotonic()
    result = summarize_batch(refs, settings)
    return result, time.monotonic() - start, start


def measure(args: argparse.Namespace, sources: Sequence[Source], fault_rate: float, root: Path) -> RunStats:
    """One batch at `fault_rate` in fresh folders, then the cache run over the same papers."""
    refs = make_copies(sources, args.papers, root / "papers")
    with FakeOpenAIServer(
        latency=args.latency, fault_rate=fault_rate, seed=args.seed, fault_retry_after=args.retry_after
    ) as server:
        # Defaults everywhere else: the targets are about the engine as users get it.
        settings = Settings(
            backend="openai",
            base_url=server.url,
            api_key=API_KEY,
            model=args.model,
            workers=args.workers,
            out=root / "out",
            cache_dir=root / "cache",
        )
        result, wall, start = timed_batch(refs, settings)
        requests = server.chat_requests
        faults = dict(server.faults)
        done = [o for o in result.outcomes if o.status in ("done", "cached")]
        covered, checked, misses = coverage(sources, requests)
        stats = RunStats(
            fault_rate=fault_rate,
            papers=len(refs),
            wall=wall,
            ideal=math.ceil(len(refs) / args.workers) * args.latency,
            requests=len(requests),
            done=len(done),
            failed=len(result.failed),
            prompt_tokens=[o.summary.meta.prompt_tokens for o in done if o.summary is not None],
            cost_usd=result.usage.cost_usd,
            faults=faults,
            failures=[f"{Path(o.source).name}: {o.reason}" for o in result.failed],
            covered=covered,
            checked=checked,
            uncovered=misses,
            startup=(requests[0].time - start) if requests else 0.0,
        )
        # One call per paper here, so a paper's prompt tokens are its one prompt's.
        stats.prompt_cap = make_prompt_estimator(settings).estimate_prompt_tokens(None, settings.language)
        server.reset()
        again, stats.cache_wall, _ = timed_batch(refs, settings.model_copy(update={"out": root / "out-cached"}))
        stats.cache_requests = len(server.chat_requests)
        stats.cache_done = sum(o.status in ("done", "cached") for o in again.outcomes)
    return stats


@contextlib.contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    if keep:
        path = Path(tempfile.mkdtemp(prefix="chatpaper-bench-"))
        print(f"  working in {path} (kept)", file=sys.stderr)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="chatpaper-bench-") as name:
        yield Path(name)


def print_table(rows: Sequence[RunStats], args: argparse.Namespace) -> None:
    print(
        f"\n{args.papers} papers · {args.workers} workers · latency {args.latency:g} s · "
        f"Retry-After {args.retry_after:g} s · model {args.model} · seed {args.seed}"
    )
    head = (
        f"{'faults':>6} {'wall s':>7} {'start s':>7} {'ideal s':>7} {'ratio':>6} {'calls/paper':>11} "
        f"{'prompt mean':>11} {'prompt max':>10} {'done':>5} {'failed':>6} {'cost $':>8} {'cache wall s':>12} "
        f"{'cache calls':>11}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        cost = f"{r.cost_usd:.4f}" if r.cost_usd is not None else "-"
        print(
            f"{r.fault_rate:>6.0%} {r.wall:>7.1f} {r.startup:>7.1f} {r.ideal:>7.1f} {r.ratio:>5.2f}x "
            f"{r.calls_per_paper:>11.2f} "
            f"{r.prompt_mean:>11,.0f} {r.prompt_max:>10,} {r.done:>5} {r.failed:>6} {cost:>8} "
            f"{r.cache_wall:>12.1f} {r.cache_requests:>11}"
        )
    for r in rows:
        injected = sum(r.faults.values())
        if injected:
            mix = ", ".join(f"{k} {v}" for k, v in r.faults.items())
            print(f"{r.fault_rate:.0%} faults: {injected} injected ({mix})")
            # Half the faults are invalid answers and a conversation gets one re-ask, so it fails when
            # two replies in a row are invalid; a failed paper gets one fresh conversation at the end
            # of the batch, so it fails when both do: "every paper done" is still partly luck.
            invalid = r.fault_rate / 2
            print(
                f"  expected failed papers (one re-ask, one second try): ~{r.papers * invalid**4:.3f} "
                f"(each reply invalid with p={invalid:.2f}); try other --seed values"
            )
        for line in r.failures:
            print(f"  failed: {line}")
        for line in r.uncovered:
            print(f"  prompt lacks a key section: {line}")


def check_targets(rows: Sequence[RunStats]) -> bool:
    """Print each of the issue's targets with PASS/FAIL; True when all pass."""
    checks: list[tuple[str, str, bool]] = []
    for r in rows:
        label = f"{r.fault_rate:.0%} faults"
        if r.fault_rate == 0:
            checks.append((f"{label}: wall <= 1.25x ideal", f"{r.ratio:.2f}x", r.ratio <= 1.25))
            checks.append((f"{label}: 1.00 call per paper", f"{r.calls_per_paper:.2f}", r.calls_per_paper <= 1.0))
        else:
            if r.fault_rate <= 0.2:  # the issue sets a bound at 20% only
                # Start-up (reading the first papers before any request) is the same with or without
                # faults; the bound is on what the faults add.
                bound = 2 * r.ideal + r.startup
                seen = f"{r.wall:.1f}s / {bound:.1f}s"
                checks.append((f"{label}: wall <= 2x ideal + start-up", seen, r.wall <= bound))
        checks.append((f"{label}: every paper done", f"{r.done}/{r.papers}", r.done == r.papers))
        if r.fault_rate == 0:
            checks.append(
                (
                    f"{label}: every prompt within the default cap ({r.prompt_cap:,})",
                    f"{r.prompt_max:,}",
                    0 < r.prompt_max <= r.prompt_cap,
                )
            )
            checks.append(
                (
                    f"{label}: prompt covers intro, method, experiments, conclusion",
                    f"{r.covered}/{r.checked} sources",
                    r.checked > 0 and r.covered == r.checked,
                )
            )
        # Failed papers are not cached, so the cache run may only call the LLM for those.
        expected = "0" if r.failed == 0 else f"only for the {r.failed} failed"
        ok = r.cache_requests == 0 if r.failed == 0 else r.cache_done >= r.done
        checks.append((f"{label}: cache run, LLM calls {expected}", str(r.cache_requests), ok))
    width = max(len(name) for name, _, _ in checks)
    print("\ntargets")
    for name, value, ok in checks:
        print(f"  {name.ljust(width)}  {value:>12}  {'PASS' if ok else 'FAIL'}")
    return all(ok for _, _, ok in checks)


def parse_rates(text: str) -> list[float]:
    rates = [float(part) for part in text.split(",") if part.strip()]
    if not rates or any(not 0 <= r < 1 for r in rates):
        raise argparse.ArgumentTypeError("fault rates are shares between 0 and 1, e.g. 0,0.2")
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100, help="papers per run [100]")
    parser.add_argument("--workers", type=int, default=8, help="papers in flight [8]")
    parser.add_argument("--latency", type=float, default=3.0, help="seconds per fake reply [3]")
    parser.add_argument("--faults", type=parse_rates, default=[0.0, 0.2], help="fault rates to run [0,0.2]")
    parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of the fake's 429s [1]")
    parser.add_argument("--seed", type=int, default=1, help="the fake server's fault seed [1]")
    parser.add_argument("--model", default="gpt-4o-mini", help="model name sent (sets window and price)")
    parser.add_argument("--corpus", type=Path, default=CORPUS_PDFS, help="extra PDFs [../shared/corpus/pdfs]")
    parser.add_argument("--no-corpus", action="store_true", help="copy only the sample papers in examples/")
    parser.add_argument("--keep", action="store_true", help="keep the temp folders (reports, caches)")
    args = parser.parse_args()

    folders = [REPO / "examples"]
    if not args.no_corpus and args.corpus.is_dir():
        folders.append(args.corpus)
    print(f"reading the sample papers in {', '.join(str(f) for f in folders)}", file=sys.stderr)
    sources = find_sources(folders)
    if not sources:
        print("no readable sample PDFs found", file=sys.stderr)
        return 1
    print(f"{len(sources)} sources, {args.papers} copies", file=sys.stderr)
    rows = []
    with workdir(args.keep) as root:
        for rate in args.faults:
            print(f"running at {rate:.0%} faults...", file=sys.stderr, flush=True)
            rows.append(measure(args, sources, rate, root / f"faults-{rate:g}"))
    print_table(rows, args)
    return 0 if check_targets(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
