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

The same module decides when a paper's key sections cannot each get a useful share of the model's
window (`chatpaper.llm.model_facts`; then the backend summarizes it in map-reduce steps).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from chatpaper.llm.model_facts import context_window
from chatpaper.models import ArxivEntry, Paper, Section, SectionRole, Table
from chatpaper.tokens import ESTIMATE, TokenCounter, trim_to_tokens


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
# The reference list, and end matter (acknowledgments, funding, ethics, limitations: statements about the
# paper, as the reader marks them) cost tokens and say nothing about the research.
NEVER_SHOWN = ("references", "end_matter")
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
    table: bool = False  # a table as text (caption line, then rows): shown without a heading of its own

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


# Author blocks the reader took for headings are short; a longer unnamed page-1 section is the body
# itself (a magazine article whose headings were not found: its first six pages).
FRONT_MATTER_CHARS = 2_000


def front_matter_indices(paper: Paper) -> set[int]:
    """The page-1 sections before the body (author blocks the reader took for headings), by index; none
    when nothing else was found (a scan without structure: that text is the body)."""
    used: set[int] = set()
    for i, section in enumerate(paper.sections):
        if section.page != 1 or section.role != "other" or len(section.text) > FRONT_MATTER_CHARS:
            break
        used.add(i)
    return used if len(used) < len(paper.sections) else set()


def _front_matter(paper: Paper, counter: TokenCounter) -> tuple[str, set[int]]:
    """Page-1 text before the abstract/introduction (author blocks), when the reader found no affiliation."""
    used = front_matter_indices(paper)
    if not used or paper.first_author_affiliation:
        return "", used
    # Readers often take the author line for a heading: keep it, it is what this text is for.
    parts = [part for i in sorted(used) for part in (paper.sections[i].heading, paper.sections[i].text)]
    return trim_to_tokens(" ".join(p for p in parts if p).strip(), FRONT_MATTER_MAX, counter), used


# An abstract-role section whose words are mostly the abstract's is the abstract again; a second summary
# in other words (Cell Press's "In Brief", a "Significance" box) says the paper differently and is sent.
SAME_ABSTRACT_WORDS = 0.9
_WORD = re.compile(r"\w+")


def _repeats(text: str, abstract: str) -> bool:
    words = _WORD.findall(text.casefold())
    known = set(_WORD.findall(abstract.casefold()))
    return bool(words) and sum(w in known for w in words) >= SAME_ABSTRACT_WORDS * len(words)


def _candidates(paper: Paper, skip: set[int], abstract: str) -> list[tuple[int, Section]]:
    chosen = []
    for i, section in enumerate(paper.sections):
        if i in skip or section.role in NEVER_SHOWN:
            continue
        if section.role == "abstract" and abstract and _repeats(section.text, abstract):
            continue  # shown once, as the abstract
        chosen.append((i, section))
    return chosen


def _useful_members(members: list[Section], share: int, rank: dict[int, float]) -> list[Section]:
    """The sections of one role that share `share` tokens: all of them, or, when that would leave each
    a useless sliver (a manual with forty short subsections), the ones about the paper's own work and
    the top-level ones first (by `rank`, then level), in reading order."""
    keep = max(1, share // SUB_MIN)
    if len(members) <= keep:
        return members
    ranked = sorted(range(len(members)), key=lambda i: (-rank.get(id(members[i]), 1.0), members[i].level, i))[:keep]
    return [members[i] for i in sorted(ranked)]


# --- whose method: the paper's own contribution or the baselines it compares with ---------------------

# When the method share must be cut, sections about the paper's own method get this much more of it
# than neutral ones, and sections about the methods it compares with (baselines) this much less: a
# summary's method point is about what the paper proposes, not about what it beat.
OWN_WEIGHT = 3.0
BASELINE_WEIGHT = 0.4
# "Retrieval Augmented Prompt Tuning (RAPT)": a name the paper defines for something, and its acronym.
_DEFINED = re.compile(r"((?:[A-Z][\w'-]*\s+){0,6}[A-Z][\w'-]*)\s*\(([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\)")
# "we propose X", "this paper presents X", "we introduce a new model, X": X a capitalised name.
_PROPOSED = re.compile(
    r"\b(?:we|this (?:paper|work|article))\s+(?:propose|present|introduce|develop|design)s?\s+"
    r"(?:(?:a|an|the)\s+)?(?:(?:new|novel|simple|general)\s+)?(?:\w+\s+){0,3}?"
    r"(?:called\s+|named\s+|dubbed\s+)?([A-Z][\w-]*[A-Z0-9][\w-]*)",
)
# Words in a title that look like a system's name: capitals or digits inside the word ("olmOCR", "S2ORC").
_NAME_WORD = re.compile(r"\b[A-Za-z]*[a-z]*[A-Z0-9][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*\b|\b[A-Z]{3,}\b")
_CLAIM = re.compile(r"\b(?:propose|present|introduce|develop|design|call|name|dub|build)(?:s|d|ed)?\b", re.I)
_OWN_HEADING = re.compile(r"\b(?:proposed|our|ours)\b", re.IGNORECASE)
_BASELINE_HEADING = re.compile(
    r"\bbaselines?\b|\bcompared (?:methods|models|systems|approaches)\b|\bcompeting\b|"
    r"\bprior (?:methods|approaches|models)\b|\bexisting (?:methods|approaches)\b",
    re.IGNORECASE,
)


def own_method_names(title: str, abstract: str) -> set[str]:
    """Names the paper gives its own method, read from its title and abstract: acronyms it defines and
    their long forms, names after "we propose", a title's lead before its colon, name-like title words."""
    names: set[str] = set()
    # Only acronyms defined where the paper says what it proposes: an abstract also defines the field's
    # terms ("large language models (LLMs)"), and those name everybody's methods.
    claims = [title] + [c for c in re.split(r"(?<=[.;!?])\s+", abstract) if _CLAIM.search(c)]
    for text in claims:
        for long, short in _DEFINED.findall(text):
            names.add(short)
            words = long.split()
            if len(words) >= 2:
                names.add(" ".join(words[-min(len(words), 4) :]))
        names.update(_PROPOSED.findall(text))
    lead = title.split(":", 1)[0].strip() if ":" in title else ""
    if lead and len(lead.split()) <= 4:
        names.add(lead)
    if not title.isupper():  # in a title set in capitals every word looks like a name
        names.update(_NAME_WORD.findall(title))
    return {n for n in names if len(n) >= 3}


def _mentions(text: str, names: set[str]) -> int:
    return sum(len(re.findall(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)) for n in names)


def method_weights(sections: Sequence[Section], names: set[str]) -> dict[int, float]:
    """Weight within the method share of each method section (by id): OWN_WEIGHT for one about the
    paper's own method (its heading names it, or sits under a "Proposed ..." heading, or its text keeps
    naming it), BASELINE_WEIGHT for one about the methods compared with (under a "Baselines" heading)."""
    weights: dict[int, float] = {}
    parents: list[Section] = []  # the open headings above the current section
    for s in sections:
        while parents and parents[-1].level >= s.level:
            parents.pop()
        if s.role == "method":
            headings = [p.heading for p in parents] + [s.heading]
            named = _mentions(s.heading, names) > 0
            dense = _mentions(s.text, names) * 1000 >= max(1, len(s.text)) * 2  # twice per 1000 characters
            if named or _OWN_HEADING.search(s.heading):
                weights[id(s)] = OWN_WEIGHT
            elif any(_BASELINE_HEADING.search(h) for h in headings):
                weights[id(s)] = BASELINE_WEIGHT
            elif dense or any(_OWN_HEADING.search(h) for h in headings):
                weights[id(s)] = OWN_WEIGHT
        parents.append(s)
    return weights


def select_excerpts(
    sections: Sequence[Section],
    budget: int,
    counter: TokenCounter = ESTIMATE,
    *,
    own: set[str] | None = None,
    tables: set[int] | None = None,
) -> list[Excerpt]:
    """The sections to show within `budget` tokens, in reading order, shortened by role priority.

    `own` names the paper's own method (its method sections get more of the method share than the
    baselines'); `tables` are the ids of items that are tables as text (shortened by whole rows).
    """
    tables = tables or set()
    body = [s for s in sections if s.role not in (*NEVER_SHOWN, "appendix")]
    appendix = [s for s in sections if s.role == "appendix"]
    roles = sorted({s.role for s in body}, key=list(ROLE_WEIGHT).index)
    cost = {id(s): _cost(s.heading, s.text, counter) for s in sections}
    weight = method_weights(sections, own or set())
    role_alloc = waterfill(
        [sum(cost[id(s)] for s in body if s.role == r) for r in roles], [ROLE_WEIGHT[r] for r in roles], budget
    )
    alloc: dict[int, int] = {}
    for role, share in zip(roles, role_alloc, strict=True):
        members = _useful_members([s for s in body if s.role == role and s.text.strip()], share, weight)
        demands = [cost[id(s)] for s in members]
        for s, tokens in zip(
            members, waterfill(demands, [weight.get(id(s), 1.0) for s in members], share), strict=True
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
        table = id(s) in tables
        if not s.text.strip():
            # A bare parent heading ("3 Method") frames the subsections that follow it.
            bare = Excerpt(s.heading, s.level, s.role, "", tokens=_cost(s.heading, "", counter))
            excerpts.append(bare if s.role not in NEVER_SHOWN else None)
        elif tokens >= cost[id(s)]:
            excerpts.append(Excerpt(s.heading, s.level, s.role, s.text.strip(), tokens=cost[id(s)], table=table))
        elif tokens >= MIN_EXCERPT:
            room = tokens - counter.count(s.heading) - 2
            if table:
                text = _first_rows(s.text.strip(), room, counter)
            else:
                text = shorten(s.text.strip(), room, keep_tail=s.role in _KEEP_TAIL, counter=counter)
            cut = Excerpt(s.heading, s.level, s.role, text, True, tokens=_cost(s.heading, text, counter), table=table)
            excerpts.append(cut)
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


def _first_rows(text: str, tokens: int, counter: TokenCounter) -> str:
    """A table cut to its caption, header and the first rows within `tokens`: never half a row."""
    lines = text.split("\n")
    kept = lines[:1]
    used = counter.count(kept[0]) + counter.count(CUT) + 2
    for line in lines[1:]:
        used += counter.count(line) + 1
        if used > tokens:
            break
        kept.append(line)
    return "\n".join([*kept, CUT])


# --- tables ---------------------------------------------------------------------------------------------

# A table sits with the section that first cites it ("Table 4" in the text), else where it is printed;
# it is a results table when either of them reports experiments, results or their discussion. Results
# tables are shown inside the results share; other tables (notation, dataset statistics in a method
# section) are not sent.
_RESULTS_HOMES = ("experiments", "results", "discussion")


def _table_homes(table: Table, sections: Sequence[Section]) -> tuple[Section | None, Section | None]:
    """(the section that first cites the table, the section it is printed in)."""
    cited = None
    if table.label:
        cite = re.compile(rf"(?<!\w){re.escape(table.label)}(?![\d.]\d|\w)", re.IGNORECASE)
        cited = next((s for s in sections if cite.search(s.text)), None)
    printed = next((s for s in sections if table.section and s.heading == table.section), None)
    return cited, printed


def with_tables(sections: Sequence[Section], tables: Sequence[Table]) -> tuple[list[Section], set[int]]:
    """`sections` with each results table inserted as an item after its home section (role "results",
    or "appendix" for one that lives there), and the ids of those items."""
    after: dict[int, list[Section]] = {}
    for table in tables:
        if not (table.caption or table.header):
            continue  # a grid without a caption or column names says too little on its own
        cited, printed = _table_homes(table, sections)
        home = cited or printed
        if home is None:
            continue
        if any(s is not None and s.role in _RESULTS_HOMES for s in (cited, printed)):
            role: SectionRole = "results"
        elif home.role == "appendix":
            role = "appendix"
        else:
            continue
        item = Section(heading="", level=home.level + 1, page=table.page, text=table.as_text(), role=role)
        after.setdefault(id(home), []).append(item)
    items: list[Section] = []
    ids: set[int] = set()
    for s in sections:
        items.append(s)
        for item in after.get(id(s), []):
            items.append(item)
            ids.add(id(item))
    return items, ids


def abstract_room(budget: int) -> int:
    """Tokens the abstract may take: all of a normal one in a whole-paper prompt, its opening in a small one."""
    return max(ABSTRACT_MAX, budget // 8)


def fit_paper(
    paper: Paper, budget: int, arxiv: ArxivEntry | None = None, counter: TokenCounter = ESTIMATE
) -> PaperText:
    """The paper's metadata, abstract and chosen sections within `budget` tokens of paper text."""
    full_abstract = (arxiv.abstract if arxiv and arxiv.abstract else paper.abstract).strip()
    abstract = shorten(full_abstract, abstract_room(budget), counter=counter) if full_abstract else ""
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
    candidates = [s for _, s in _candidates(paper, front_idx, full_abstract)]
    items, tables = with_tables(candidates, paper.tables)
    own = own_method_names(arxiv.title if arxiv else paper.title, abstract)
    excerpts = select_excerpts(items, max(0, budget - text.header_tokens), counter, own=own, tables=tables)
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
            cost = _cost(heading, piece, counter)
            pieces.append(Excerpt(heading, e.level, e.role, piece, e.truncated, tokens=cost, table=e.table))
            rest = rest[len(piece) :].lstrip()
            part += 1
    chunks: list[list[Excerpt]] = []
    size = 0
    for excerpt in pieces:
        if chunks and size + excerpt.tokens <= chunk_tokens:
            chunks[-1].append(excerpt)
            size += excerpt.tokens
        else:
            chunks.append([excerpt])
            size = excerpt.tokens
    # Heading-only pieces are no use alone in a chunk.
    return [c for c in chunks if any(p.text for p in c)]
