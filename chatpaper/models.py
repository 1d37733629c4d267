"""The data chatpaper passes between layers.

`PaperSummary` is the single source of truth for three things: the JSON schema sent to the LLM
(through `SummaryAnswer`, the part the model writes), the JSON report, and the Markdown template.
Other tools read the JSON reports, so field names here are a public contract.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Language = Literal["en", "zh"]
# The summarizing backends: an OpenAI-compatible server, or the offline extractive one.
BackendName = Literal["openai", "extractive"]

SectionRole = Literal[
    "abstract",
    "introduction",
    "related_work",
    "background",
    "method",
    "experiments",
    "results",
    "discussion",
    "conclusion",
    "end_matter",  # statements about the paper, not its research: acknowledgments, funding, ethics, limitations
    "appendix",
    "references",
    "other",
]

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# --- what the PDF reader produces ----------------------------------------------------------------


class Section(BaseModel):
    """One section of a paper, in reading order. `level` 1 is a top-level heading."""

    heading: str
    level: int = 1
    page: int = Field(1, description="1-based page where the heading is printed")
    text: str = ""
    role: SectionRole = "other"
    text_pages: list[tuple[int, int]] = Field(
        [],
        description="(character offset in `text`, 1-based page) where each page's part of the text begins, in "
        "order; empty when the reader did not say (then the text is taken to be on `page`)",
    )

    def page_at(self, offset: int) -> int:
        """The page the character at `offset` of `text` is printed on."""
        page = self.page
        for start, on in self.text_pages:
            if start > offset:
                break
            page = on
        return page


class Table(BaseModel):
    """A table as the reader found it: its caption, header row and rows of cells, where it is printed."""

    caption: str = ""
    label: str | None = Field(None, description='the label its caption starts with, e.g. "Table 3"')
    header: list[str] = Field([], description="the column names (the last header row above the numbers)")
    rows: list[list[str]] = Field([], description="the other rows, top to bottom, cells left to right")
    page: int = Field(1, description="1-based page where the table is printed")
    section: str | None = Field(None, description="heading of the section the table is printed in")

    def as_text(self) -> str:
        """The table as compact text: the caption, then one line per row with cells joined by " | "."""
        lines = [self.caption or (f"{self.label} (no caption)" if self.label else "Table (no caption)")]
        lines += [" | ".join(row) for row in ([self.header] if self.header else []) + self.rows]
        return "\n".join(lines)


class Figure(BaseModel):
    """A paper's first figure: its caption as printed, where it is, and that region of the page as a PNG."""

    caption: str
    page: int = Field(description="1-based page")
    bbox: tuple[float, float, float, float] = Field(description="the figure's region in PDF points, caption excluded")
    width: int = Field(description="the PNG's size in pixels")
    height: int
    png: bytes = Field(b"", repr=False, exclude=True)


class Paper(BaseModel):
    """A paper as read from its PDF: metadata, the section list and what the LLM may see."""

    path: str
    sha256: str
    pages: int
    title: str
    authors: list[str] = []
    first_author_affiliation: str | None = None
    abstract: str = ""
    abstract_page: int | None = Field(None, description="1-based page where the abstract begins, when known")
    keywords: list[str] = Field([], description="the paper's own keyword line, if it prints one")
    sections: list[Section] = []
    captions: list[str] = Field([], description="figure and table captions, kept apart from body text")
    tables: list[Table] = Field([], description="tables as rows of cells (their lines are not in any section's text)")
    code_urls: list[str] = []
    code_url: str | None = Field(None, description="the paper's own repository among code_urls, when it says so")
    language: str = "en"
    has_outline: bool = False
    title_source: Literal["printed", "document-info", "file-name"] = Field(
        "printed",
        description="where `title` comes from: printed as the title on the paper, or (when none was found) the "
        "PDF's document information or its file name",
    )
    figure: Figure | None = Field(None, description="the first figure, when the reader was asked to render it")
    year: int | None = Field(None, description="the year the front matter prints (copyright, venue), if any")

    def body_sections(self) -> list[Section]:
        """Sections an LLM may read: everything but the reference list."""
        return [s for s in self.sections if s.role != "references"]


# --- where a paper comes from --------------------------------------------------------------------


class ArxivEntry(BaseModel):
    """arXiv's own metadata for one paper version; authoritative over what the PDF says."""

    arxiv_id: str = Field(description="id without version, e.g. 2301.00001 or hep-th/9901001")
    version: int | None = None
    title: str
    authors: list[str] = []
    abstract: str = ""
    categories: list[str] = []
    primary_category: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    pdf_url: str | None = None
    announce_type: str | None = Field(None, description="new / cross / replace, from the announcement feed")

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}" if self.version else self.arxiv_id

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.versioned_id}"


class PaperRef(BaseModel):
    """A paper to summarize: a local PDF, or an arXiv entry whose PDF may still need downloading."""

    source: str = Field(description="what the user named: a file path or an arXiv id")
    name: str = Field(description="filesystem-safe report name (file stem or arXiv id)")
    path: str | None = None
    arxiv: ArxivEntry | None = None


# --- what the LLM (or the extractive backend) writes ----------------------------------------------


# The two judgement calls a ChatPaper summary makes, by the point that answers each. The schema's
# descriptions below and the visible system prompt (chatpaper/llm/prompts.py) both read them from here.
JUDGEMENT_QUESTIONS: dict[str, str] = {
    "prior_work": "Is the paper's motivation sound?",
    "results": "Do the results support the paper's goals?",
}


class SummaryPoints(BaseModel):
    """The four points of a ChatPaper summary. Their descriptions are the definitions the model is shown."""

    model_config = ConfigDict(extra="forbid")

    background: NonBlank = Field(description="(1) The research background: the problem and why it matters.")
    prior_work: NonBlank = Field(
        description="(2) Past methods and their problems; then answer, with a reason: "
        + JUDGEMENT_QUESTIONS["prior_work"]
    )
    method: NonBlank = Field(description="(3) The method the paper proposes: what it is and how it works.")
    results: NonBlank = Field(
        description="(4) The tasks, datasets and performance achieved, with the key numbers; then answer, with a "
        "reason: " + JUDGEMENT_QUESTIONS["results"]
    )


Point = Literal["background", "prior_work", "method", "results"]
POINTS: tuple[Point, ...] = ("background", "prior_work", "method", "results")

_QUOTES = "Quotes supporting point "


class PointQuotes(BaseModel):
    """What the model quotes from the paper for each point; chatpaper looks every quote up in the paper."""

    model_config = ConfigDict(extra="forbid")

    background: list[str] = Field(default=[], description=_QUOTES + "(1).")
    prior_work: list[str] = Field(default=[], description=_QUOTES + "(2).")
    method: list[str] = Field(default=[], description=_QUOTES + "(3).")
    results: list[str] = Field(default=[], description=_QUOTES + "(4).")


class SummaryFields(BaseModel):
    """The fields the model's answer and the report share (see `SummaryAnswer` and `PaperSummary`).

    Every field is required (nullable where a value may be absent) so the schema is valid for
    strict structured outputs.
    """

    model_config = ConfigDict(extra="forbid")

    title: NonBlank = Field(description="The paper's title, as printed, in its original language.")
    title_translated: str | None = Field(
        description="The title translated into the output language; null when the output language is English."
    )
    authors: list[str] = Field(description="Author names in paper order, as printed.")
    first_author_affiliation: str | None = Field(
        description="The first author's affiliation as printed, or null if none is printed."
    )
    keywords: list[str] = Field(description="3-8 keywords, in English.", max_length=12)
    code_url: str | None = Field(
        description="URL of the paper's own code repository if one is printed in the paper, else null."
    )
    summary: SummaryPoints


class SummaryAnswer(SummaryFields):
    """The part of the summary the model writes; its JSON schema is the `response_format`. The quotes
    default to none so that an answer without them is still a summary (its points then show no evidence)."""

    evidence: PointQuotes = Field(
        default_factory=lambda: PointQuotes(),
        description="For each point, 1-3 short quotes copied verbatim from the paper (no paraphrase, no ellipsis).",
    )


class Evidence(BaseModel):
    """One quote supporting a point, and where chatpaper found it in the paper."""

    model_config = ConfigDict(extra="forbid")

    quote: str
    section: str | None = Field(default=None, description="heading of the section it is in (Abstract for the abstract)")
    page: int | None = Field(default=None, description="1-based page it is printed on, when known")
    found: bool = Field(default=False, description="whether the quote is in the paper's text")


class PointEvidence(BaseModel):
    """Each point's quotes as checked against the paper (the report's `evidence`)."""

    model_config = ConfigDict(extra="forbid")

    background: list[Evidence] = []
    prior_work: list[Evidence] = []
    method: list[Evidence] = []
    results: list[Evidence] = []

    def quotes(self) -> list[tuple[Point, Evidence]]:
        """Every quote with its point, in point order."""
        return [(point, e) for point in POINTS for e in getattr(self, point)]


class UnsupportedNumber(BaseModel):
    """A number a point states that the paper's text does not print."""

    model_config = ConfigDict(extra="forbid")

    point: Point
    number: str = Field(description="as the summary writes it, e.g. 97.3%")


class SummaryChecks(BaseModel):
    """What chatpaper checked of a summary against the paper's text (the report's `checks`)."""

    model_config = ConfigDict(extra="forbid")

    numbers_checked: int = 0
    numbers_unsupported: list[UnsupportedNumber] = []
    quotes_checked: int = 0
    quotes_unsupported: int = 0


class SummaryMeta(BaseModel):
    """How a summary was made: provenance, cost and cache identity."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="file path or arXiv id")
    sha256: str | None = Field(description="SHA-256 of the PDF")
    backend: BackendName
    model: str
    language: Language
    prompt_version: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = Field(0, description="prompt tokens the server served from its prompt cache")
    calls: int = Field(0, description="LLM requests made for this paper, retries included")
    cost_usd: float | None = Field(None, description="estimated price, when the model's prices are known")
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))


class ArxivInfo(BaseModel):
    """arXiv metadata carried into a report."""

    model_config = ConfigDict(extra="forbid")

    id: str
    primary_category: str | None = None
    categories: list[str] = []
    published: date | None = None
    updated: date | None = None
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None


class FigureInfo(BaseModel):
    """The paper's first figure in a report: its caption and the PNG written beside the report."""

    model_config = ConfigDict(extra="forbid")

    caption: str
    page: int = Field(description="1-based page of the PDF the figure is printed on")
    image: str | None = Field(None, description="the PNG's file name, relative to the report; null when not written")


class PaperSummary(SummaryFields):
    """A validated summary of one paper: the JSON report, field for field."""

    evidence: PointEvidence = Field(
        default_factory=lambda: PointEvidence(), description="each point's quotes, found in the paper or not"
    )
    checks: SummaryChecks | None = Field(
        default=None,
        description="numbers and quotes checked against the paper; null in summaries made before the checks",
    )

    paper_url: str | None = Field(None, description="the paper's landing page (arXiv abs page), if known")
    abstract: str | None = Field(None, description="the abstract (arXiv's when the paper came from arXiv)")
    arxiv: ArxivInfo | None = None
    year: int | None = Field(None, description="year of publication: arXiv's first version, else what the PDF prints")
    figure: FigureInfo | None = None
    meta: SummaryMeta


# --- what a run produced -------------------------------------------------------------------------

# skipped: a current report was already there; not_started: the run stopped before this paper (a spent
# budget, a refused key, a server that is not there), which is no fault of the paper's.
Status = Literal["done", "cached", "skipped", "failed", "not_started"]


class PaperOutcome(BaseModel):
    """One paper's fate in a run, for the index and the final tally."""

    source: str
    name: str
    status: Status
    title: str | None = None
    reason: str | None = Field(None, description="why the paper failed, one line")
    report: str | None = Field(None, description="Markdown report file name, relative to the output folder")
    summary: PaperSummary | None = None
    arxiv: ArxivEntry | None = None
    # What this run spent on the paper (a failed paper's requests too; nothing for one skipped or cached).
    calls: int = Field(0, description="LLM requests this run made for the paper")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = Field(None, description="their estimated price, when the model's prices are known")

    def plus_spend_of(self, earlier: PaperOutcome) -> PaperOutcome:
        """This outcome with what an earlier try of the same paper spent added."""
        costs = [c for c in (self.cost_usd, earlier.cost_usd) if c is not None]
        return self.model_copy(
            update={
                "calls": self.calls + earlier.calls,
                "prompt_tokens": self.prompt_tokens + earlier.prompt_tokens,
                "completion_tokens": self.completion_tokens + earlier.completion_tokens,
                "cost_usd": sum(costs) if costs else None,
            }
        )
