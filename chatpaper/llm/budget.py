"""Which parts of a paper go into a prompt, and how much of each, within a token budget.

On a model window of 32k tokens or more the default budget is the whole paper up to 16k tokens of
text: every section whole, the appendix while room is left, the reference list never. When a paper
must be cut (a smaller window, a longer paper, `--prompt-tokens`), the prompt carries the sections
that say the most per token: abstract, introduction, method, experiments/results and conclusion
first, then discussion, background and related work, then the rest; the appendix only with budget
to spare. The budget is shared out by role weight with a water-filling rule (a short section takes
only what it needs and leaves the rest to the others), then within a role among its sections, so
every key section gets its opening paragraphs instead of the first sections eating the whole budget.
Introductions and results keep their closing paragraph too: that is where the contributions list and
the headline numbers usually are. Tokens are counted with the model's own tokenizer where chatpaper
ships it (`chatpaper.tokens`).

The same module knows the context windows of common models, and decides when a paper's key sections
cannot each get a useful share of the window (then the backend summarizes it in map-reduce steps).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from chatpaper.models import ArxivEntry, Paper, Section
from chatpaper.tokens import ESTIMATE, TokenCounter, trim_to_tokens

# --- context windows -------------------------------------------------------------------------------

# First match wins, so specific names come before their families. Windows are the provider's
# documented maximum; a local server may be configured smaller (set --context-tokens then).
KNOWN_CONTEXT: tuple[tuple[str, int], ...] = (
    (r"gpt-4\.1", 1_047_576),
    (r"gpt-5", 400_000),
    (r"gpt-4o|gpt-4-turbo|chatgpt-4o", 128_000),
    (r"gpt-4-32k", 32_768),
    (r"gpt-4", 8_192),
    (r"gpt-3\.5-turbo-instruct", 4_096),
    (r"gpt-3\.5-turbo", 16_385),
    (r"o[134](-mini|-pro)?\b", 200_000),
    (r"deepseek", 65_536),
    (r"qwen", 32_768),
    (r"llama-?3\.[123]|llama-?4", 131_072),
    (r"llama-?3", 8_192),
    (r"llama-?2", 4_096),
    (r"mistral-large|mistral-small|mistral-medium|mistral-nemo|ministral", 131_072),
    (r"mistral|mixtral", 32_768),
    (r"gemma-?[23]", 8_192),
    (r"glm-4|moonshot|kimi|yi-", 128_000),
    (r"claude", 200_000),
    (r"gemini", 1_000_000),
    (r"phi-?3|phi-?4", 16_384),
)
DEFAULT_CONTEXT = 8_192  # unknown names: what any current chat model offers


def context_window(model: str, override: int | None = None) -> int:
    """The model's context window in tokens: `override` (settings.context_tokens) or a known default."""
    if override:
        return override
    # "openai/gpt-4o-mini", "Qwen/Qwen2.5-7B-Instruct", "llama3.1:8b": match on the last path part.
    name = model.strip().lower().rsplit("/", 1)[-1]
    for pattern, tokens in KNOWN_CONTEXT:
        if re.match(pattern, name):
            return tokens
    return DEFAULT_CONTEXT


def answer_room(context: int, max_output_tokens: int) -> int:
    """Tokens reserved for the answer: `max_output_tokens`, but never more than a third of a small window."""
    return max(200, min(max_output_tokens, context // 3))


def text_room(context: int, output: int, overhead: int, counter: TokenCounter = ESTIMATE) -> int:
    """Tokens of paper text that fit the window beside the answer and the template.

    With the model's own tokenizer 3% stays free (pieces counted apart join into a slightly different
    count); with the estimate 15%, because formulas, numbers and other scripts tokenize worse than prose.
    """
    slack = 0.97 if counter is not ESTIMATE else 0.85
    return max(0, int((context - output - overhead) * slack))


# --- the default prompt budget ----------------------------------------------------------------------

# From this window up a paper is sent whole (its body, then the appendix while room is left), up to
# WHOLE_PAPER_TEXT tokens of paper text: the model reads the paper, not a third of it, for about
# $0.003 a paper on gpt-4o-mini. Smaller windows keep the role shares within SMALL_WINDOW_PROMPT.
WHOLE_PAPER_WINDOW = 32_000
WHOLE_PAPER_TEXT = 16_000
SMALL_WINDOW_PROMPT = 3_500


def default_prompt_cap(context: int, overhead: int) -> int:
    """The whole prompt's default token cap (instructions, schema and paper text), when
    `--prompt-tokens` does not set one: room for WHOLE_PAPER_TEXT tokens of paper beside the
    instructions on a window of at least WHOLE_PAPER_WINDOW tokens, else SMALL_WINDOW_PROMPT."""
    if context >= WHOLE_PAPER_WINDOW:
        return overhead + WHOLE_PAPER_TEXT
    return SMALL_WINDOW_PROMPT


def describe_default_cap(model: str, context_override: int | None = None) -> str:
    """What the default prompt cap is for `model`, in words (for `chatpaper config`)."""
    context = context_window(model, context_override)
    if context >= WHOLE_PAPER_WINDOW:
        return f"the whole paper up to {WHOLE_PAPER_TEXT:,} tokens of text, for {model}'s {context:,}-token window"
    return f"{SMALL_WINDOW_PROMPT:,} for the whole prompt, for {model}'s {context:,}-token window"


# --- section choice ---------------------------------------------------------------------------------

# How much of the budget a role gets relative to the others (before water-filling).
ROLE_WEIGHT: dict[str, float] = {
    "abstract": 1.0,  # only when the reader found no separate abstract
    "introduction": 1.0,
    "method": 1.5,
    "experiments": 1.2,
    "results": 1.2,
    "conclusion": 0.8,
    "discussion": 0.5,
    "background": 0.5,
    "related_work": 0.35,
    "other": 0.6,
}
KEY_ROLES = ("introduction", "method", "experiments", "results", "conclusion")
# Below this a key section says too little to summarize from; used to decide on map-reduce.
KEY_MIN_SHARE = 250
MIN_EXCERPT = 40  # a section cut shorter than this is left out rather than shown as a stub
SUB_MIN = 120  # the least a section of a many-section role should get
ABSTRACT_MAX = 400
FRONT_MATTER_MAX = 200
MAX_AUTHORS = 30
MAX_CODE_URLS = 5
_KEEP_TAIL = {"introduction", "experiments", "results"}
# Back matter that costs tokens and says nothing about the research.
_SKIP_HEADING = re.compile(
    r"acknowledg|funding|author contributions?|competing interests?|conflicts? of interest|"
    r"data availability|code availability|checklist|declarations?\b|credit author",
    re.IGNORECASE,
)
CUT = "[...]"


@dataclass(frozen=True)
class Excerpt:
    """A section as the prompt shows it: possibly shortened (`truncated`). `tokens` is its cost as
    the budget counted it (heading, text and the line breaks around them); the estimate when not given."""

    heading: str
    level: int
    role: str
    text: str
    truncated: bool = False
    tokens: int = -1

    def __post_init__(self) -> None:
        if self.tokens < 0:
            object.__setattr__(self, "tokens", _cost(self.heading, self.text, ESTIMATE))


def _cost(heading: str, text: str, counter: TokenCounter) -> int:
    return counter.count(heading) + counter.count(text) + 2


@dataclass(frozen=True)
class PaperText:
    """Everything from the paper that goes into a prompt, already fitted to a budget. `header_tokens`
    is what the metadata and abstract cost as the budget counted them; the estimate when not given."""

    title: str
    authors: list[str]
    affiliation: str | None
    front_matter: str
    abstract: str
    keywords: list[str]
    code_urls: list[str]
    excerpts: list[Excerpt]
    arxiv: ArxivEntry | None = None
    header_tokens: int = -1
    title_source: str = "printed"  # Paper.title_source: a title not printed as one is only a guess

    def __post_init__(self) -> None:
        if self.header_tokens < 0:
            object.__setattr__(self, "header_tokens", _header_tokens(self, ESTIMATE))

    @property
    def tokens(self) -> int:
        return self.header_tokens + sum(e.tokens for e in self.excerpts)


def _header_tokens(text: PaperText, counter: TokenCounter) -> int:
    parts = [text.title, ", ".join(text.authors), text.affiliation or "", text.front_matter, text.abstract]
    parts += [", ".join(text.keywords), " ".join(text.code_urls)]
    if text.arxiv is not None:
        parts += [text.arxiv.title, ", ".join(text.arxiv.authors[:MAX_AUTHORS]), " ".join(text.arxiv.categories)]
    return sum(counter.count(p) for p in parts)


def waterfill(demands: Sequence[int], weights: Sequence[float], budget: int) -> list[int]:
    """Share `budget` by weight; an item never gets more than it demands and its surplus goes to the rest."""
    alloc = [0] * len(demands)
    active = [i for i, (d, w) in enumerate(zip(demands, weights, strict=True)) if d > 0 and w > 0]
    remaining = float(budget)
    while active and remaining >= 1:
        unit = remaining / sum(weights[i] for i in active)
        satisfied = [i for i in active if demands[i] <= unit * weights[i]]
        if not satisfied:
            for i in active:
                alloc[i] = int(unit * weights[i])
            break
        for i in satisfied:
            alloc[i] = demands[i]
            remaining -= demands[i]
        active = [i for i in active if i not in satisfied]
    return alloc


def shorten(text: str, tokens: int, *, keep_tail: bool = False, counter: TokenCounter = ESTIMATE) -> str:
    """`text` within about `tokens`: its opening, plus its last paragraph when `keep_tail` and room allow."""
    if counter.count(text) <= tokens:
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if keep_tail and tokens >= 160 and len(paragraphs) >= 3:
        tail_budget = tokens * 3 // 10
        tail = trim_to_tokens(paragraphs[-1], tail_budget, counter)
        head = trim_to_tokens("\n\n".join(paragraphs[:-1]), tokens - counter.count(tail) - 2, counter)
        return f"{head}\n{CUT}\n{tail}"
    return f"{trim_to_tokens(text, max(1, tokens - 2), counter)} {CUT}"


def _front_matter(paper: Paper, counter: TokenCounter) -> tuple[str, set[int]]:
    """Page-1 text before the abstract/introduction (author blocks), when the reader found no affiliation."""
    used: set[int] = set()
    parts: list[str] = []
    for i, section in enumerate(paper.sections):
        if section.page != 1 or section.role != "other":
            break
        used.add(i)
        # Readers often take the author line for a heading: keep it, it is what this text is for.
        parts += [section.heading, section.text]
    if len(used) == len(paper.sections):
        return "", set()  # no structure found at all (a scan): that text is the body, not front matter
    if paper.first_author_affiliation:
        return "", used
    return trim_to_tokens(" ".join(p for p in parts if p).strip(), FRONT_MATTER_MAX, counter), used


def is_back_matter(heading: str) -> bool:
    """Acknowledgments, funding, declarations...: printed after the research, never sent to the model."""
    return bool(_SKIP_HEADING.search(heading))


def _candidates(paper: Paper, skip: set[int], has_abstract: bool) -> list[tuple[int, Section]]:
    chosen = []
    for i, section in enumerate(paper.sections):
        if i in skip or section.role == "references":
            continue
        if section.role == "abstract" and has_abstract:
            continue  # shown once, as the abstract
        if is_back_matter(section.heading):
            continue
        chosen.append((i, section))
    return chosen


def _useful_members(members: list[Section], share: int) -> list[Section]:
    """The sections of one role that share `share` tokens: all of them, or, when that would leave each
    a useless sliver (a manual with forty short subsections), the top-level ones first, in reading order."""
    keep = max(1, share // SUB_MIN)
    if len(members) <= keep:
        return members
    ranked = sorted(range(len(members)), key=lambda i: (members[i].level, i))[:keep]
    return [members[i] for i in sorted(ranked)]


def select_excerpts(sections: Sequence[Section], budget: int, counter: TokenCounter = ESTIMATE) -> list[Excerpt]:
    """The sections to show within `budget` tokens, in reading order, shortened by role priority."""
    body = [s for s in sections if s.role not in ("references", "appendix")]
    appendix = [s for s in sections if s.role == "appendix"]
    roles = sorted({s.role for s in body}, key=list(ROLE_WEIGHT).index)
    cost = {id(s): _cost(s.heading, s.text, counter) for s in sections}
    role_alloc = waterfill(
        [sum(cost[id(s)] for s in body if s.role == r) for r in roles], [ROLE_WEIGHT[r] for r in roles], budget
    )
    alloc: dict[int, int] = {}
    for role, share in zip(roles, role_alloc, strict=True):
        members = _useful_members([s for s in body if s.role == role and s.text.strip()], share)
        for s, tokens in zip(
            members, waterfill([cost[id(s)] for s in members], [1.0] * len(members), share), strict=True
        ):
            alloc[id(s)] = tokens
    # The appendix only gets what the body left over.
    spare = budget - sum(alloc.values())
    for s, tokens in zip(
        appendix, waterfill([cost[id(s)] for s in appendix], [1.0] * len(appendix), spare), strict=True
    ):
        alloc[id(s)] = tokens

    excerpts: list[Excerpt | None] = []
    for s in sections:
        tokens = alloc.get(id(s), 0)
        if not s.text.strip():
            # A bare parent heading ("3 Method") frames the subsections that follow it.
            bare = Excerpt(s.heading, s.level, s.role, "", tokens=_cost(s.heading, "", counter))
            excerpts.append(bare if s.role != "references" else None)
        elif tokens >= cost[id(s)]:
            excerpts.append(Excerpt(s.heading, s.level, s.role, s.text.strip(), tokens=cost[id(s)]))
        elif tokens >= MIN_EXCERPT:
            room = tokens - counter.count(s.heading) - 2
            text = shorten(s.text.strip(), room, keep_tail=s.role in _KEEP_TAIL, counter=counter)
            excerpts.append(Excerpt(s.heading, s.level, s.role, text, True, tokens=_cost(s.heading, text, counter)))
        else:
            excerpts.append(None)
    # Keep a bare heading only when a deeper section right after it is shown.
    kept: list[Excerpt] = []
    for i, e in enumerate(excerpts):
        if e is None:
            continue
        if not e.text:
            nxt = next((x for x in excerpts[i + 1 :] if x is not None), None)
            if nxt is None or nxt.level <= e.level or not nxt.text:
                continue
        kept.append(e)
    return kept


def abstract_room(budget: int) -> int:
    """Tokens the abstract may take: all of a normal one in a whole-paper prompt, its opening in a small one."""
    return max(ABSTRACT_MAX, budget // 8)


def fit_paper(
    paper: Paper, budget: int, arxiv: ArxivEntry | None = None, counter: TokenCounter = ESTIMATE
) -> PaperText:
    """The paper's metadata, abstract and chosen sections within `budget` tokens of paper text."""
    abstract = (arxiv.abstract if arxiv and arxiv.abstract else paper.abstract).strip()
    abstract = shorten(abstract, abstract_room(budget), counter=counter) if abstract else ""
    front, front_idx = _front_matter(paper, counter)
    code_urls = list(dict.fromkeys(paper.code_urls))[:MAX_CODE_URLS]
    authors = paper.authors[:MAX_AUTHORS] + (["et al."] if len(paper.authors) > MAX_AUTHORS else [])
    text = PaperText(
        title=paper.title.strip(),
        authors=authors,
        affiliation=paper.first_author_affiliation,
        front_matter=front,
        abstract=abstract,
        keywords=paper.keywords[:12],
        code_urls=code_urls,
        excerpts=[],
        arxiv=arxiv,
        header_tokens=0,
        title_source=paper.title_source,
    )
    text = replace(text, header_tokens=_header_tokens(text, counter))
    candidates = [s for _, s in _candidates(paper, front_idx, bool(abstract))]
    excerpts = select_excerpts(candidates, max(0, budget - text.header_tokens), counter)
    return replace(text, excerpts=excerpts)


def key_sections_fit(
    paper: Paper, room: int, arxiv: ArxivEntry | None = None, counter: TokenCounter = ESTIMATE
) -> bool:
    """True when every key section present (intro, method, experiments/results, conclusion) can get
    `KEY_MIN_SHARE` tokens (or all of itself, if shorter) within `room` tokens beside the header."""
    header = fit_paper(paper.model_copy(update={"sections": []}), room, arxiv, counter).header_tokens
    need = header
    for role in KEY_ROLES:
        length = sum(counter.count(s.text) for s in paper.sections if s.role == role)
        need += min(length, KEY_MIN_SHARE)
    return need <= room


def split_for_map(
    excerpts: Sequence[Excerpt], chunk_tokens: int, counter: TokenCounter = ESTIMATE
) -> list[list[Excerpt]]:
    """Group excerpts in reading order into chunks of at most about `chunk_tokens`; long ones are split."""
    chunk_tokens = max(chunk_tokens, 100)
    pieces: list[Excerpt] = []
    for e in excerpts:
        if e.tokens <= chunk_tokens:
            pieces.append(e)
            continue
        rest, part = e.text, 0
        room = chunk_tokens - counter.count(e.heading) - 8
        while rest:
            piece = trim_to_tokens(rest, room, counter) or rest[: room * 4]
            heading = e.heading if part == 0 else f"{e.heading} (continued)"
            pieces.append(Excerpt(heading, e.level, e.role, piece, e.truncated, tokens=_cost(heading, piece, counter)))
            rest = rest[len(piece) :].lstrip()
            part += 1
    chunks: list[list[Excerpt]] = []
    size = 0
    for piece in pieces:
        if chunks and size + piece.tokens <= chunk_tokens:
            chunks[-1].append(piece)
            size += piece.tokens
        else:
            chunks.append([piece])
            size = piece.tokens
    # Heading-only pieces are no use alone in a chunk.
    return [c for c in chunks if any(p.text for p in c)]
