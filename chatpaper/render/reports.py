"""Markdown for one paper's report and for a run's index, from jinja2 templates."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from chatpaper import __version__
from chatpaper.models import POINTS, PaperOutcome, PaperSummary
from chatpaper.render.environment import markdown_environment
from chatpaper.render.safe import md_cell, md_link, md_text, relative_url
from chatpaper.words import plural

LABELS = {
    "en": {
        "authors": "Authors",
        "affiliation": "First author's affiliation",
        "keywords": "Keywords",
        "links": "Links",
        "paper": "Paper",
        "code": "Code",
        "published": "published",
        "comment": "Comment",
        "background": "Research background",
        "prior_work": "Past methods, their problems, and the motivation",
        "method": "Proposed method",
        "results": "Tasks and performance",
        "abstract": "Abstract",
        "source": "Source",
        "quoted_from": "Quoted from",
        "caption": "a caption",
    },
    "zh": {
        "authors": "作者",
        "affiliation": "第一作者单位",
        "keywords": "关键词",
        "links": "链接",
        "paper": "论文",
        "code": "代码",
        "published": "发表于",
        "comment": "备注",
        "background": "研究背景",
        "prior_work": "过去的方法、存在的问题与研究动机",
        "method": "提出的方法",
        "results": "任务与性能",
        "abstract": "摘要",
        "source": "来源",
        "quoted_from": "引自",
        "caption": "图表标题",
    },
}


def describe_provenance(summary: PaperSummary) -> str:
    """One line saying who wrote the summary, so nobody mistakes an extract for an LLM's reading."""
    meta = summary.meta
    if meta.backend == "extractive":
        if meta.language == "zh":
            return "摘要方式：**extractive, no LLM**（抽取式，未使用大模型）：以下句子摘自论文原文，未经翻译。"
        return (
            "Summary: **extractive, no LLM**. The sentences below are quoted from the paper itself; "
            "no language model wrote or checked them."
        )
    model, prompt = (
        md_text(meta.model),
        md_text(meta.prompt_version),
    )  # from the config or a cached JSON, so escaped too
    tokens = f"{meta.prompt_tokens:,}+{meta.completion_tokens:,} tokens"
    cost = f" · ~${meta.cost_usd:.4f}" if meta.cost_usd is not None else ""
    if meta.language == "zh":
        return f"摘要由 **{model}** 根据论文正文撰写 · prompt {prompt} · {tokens}{cost}"
    return f"Summary written by **{model}** from the paper's text · prompt {prompt} · {tokens}{cost}"


# What a report says when a number or quote is not in the paper: the same words in every language, so a
# reader (or a script) can search every report for them.
NOT_FOUND = "not found in the paper"
QUOTE_SHOWN = 240  # characters of a quote shown in the small print; the JSON keeps it whole


def trust_warnings(summary: PaperSummary) -> list[str]:
    """The report's warning lines (Markdown, escaped): each number the paper does not print, with its
    point; how many quotes it does not print; an LLM summary that quoted nothing. None for a summary
    made before chatpaper checked summaries, or one the paper fully supports."""
    checks = summary.checks
    if checks is None:
        return []
    lines = [f"{NOT_FOUND}: {md_text(n.number)} ({n.point})" for n in checks.numbers_unsupported]
    if checks.quotes_unsupported:
        points = ", ".join(dict.fromkeys(p for p, e in summary.evidence.quotes() if not e.found))
        lines.append(f"{checks.quotes_unsupported} of {plural(checks.quotes_checked, 'quote')} {NOT_FOUND} ({points})")
    elif not checks.quotes_checked and summary.meta.backend == "openai":
        lines.append("the model quoted nothing from the paper for its points")
    return lines


def trust_mark(summary: PaperSummary | None) -> str:
    """A few words for an index or digest line: what of the summary the paper does not bear out, or ''."""
    checks = summary.checks if summary is not None else None
    if summary is None or checks is None:
        return ""
    parts = []
    if checks.numbers_unsupported:
        parts.append(f"{plural(len(checks.numbers_unsupported), 'number')} unverified")
    if checks.quotes_unsupported:
        parts.append(f"{checks.quotes_unsupported} of {plural(checks.quotes_checked, 'quote')} not found")
    elif not checks.quotes_checked and summary.meta.backend == "openai":
        parts.append("no quotes")
    return "⚠ " + " · ".join(parts) if parts else ""


def _where(section: str | None, pages: Sequence[int], labels: dict[str, str]) -> str:
    """'3 Method, p. 4', '2 Related Work, pp. 1, 2', 'Abstract', or 'a caption' (no section, no page)."""
    shown = "p. " if len(pages) == 1 else "pp. "
    page = shown + ", ".join(map(str, pages)) if pages else ""
    return ", ".join(part for part in (md_text(section or ""), page) if part) or labels["caption"]


def evidence_lines(summary: PaperSummary) -> dict[str, str]:
    """Each point's evidence as one line of small print (Markdown, escaped): the quotes with section and
    page, a quote the paper does not print marked as such. An extractive summary's points are the
    quotes themselves, so only where they come from is shown."""
    lines: dict[str, str] = dict.fromkeys(POINTS, "")
    labels = LABELS[summary.meta.language]
    extractive = summary.meta.backend == "extractive"
    for point in POINTS:
        found = getattr(summary.evidence, point)
        if not found:
            continue
        if extractive:
            places: dict[str | None, list[int]] = {}
            for e in found:
                if e.found:
                    pages = places.setdefault(e.section, [])
                    if e.page and e.page not in pages:
                        pages.append(e.page)
            shown = " · ".join(_where(section, pages, labels) for section, pages in places.items())
            lines[point] = f"<sub>{labels['quoted_from']} {shown}</sub>" if shown else ""
            continue
        items = []
        for e in found:
            quote = e.quote if len(e.quote) <= QUOTE_SHOWN else e.quote[: QUOTE_SHOWN - 1].rstrip() + "…"
            place = _where(e.section, [e.page] if e.page else [], labels) if e.found else f"⚠ {NOT_FOUND}"
            items.append(f"“{md_text(quote)}” ({place})")
        lines[point] = "<sub>" + "<br>".join(items) + "</sub>"
    return lines


def render_report(summary: PaperSummary) -> str:
    """The Markdown report for one paper."""
    template = markdown_environment().get_template("report.md.j2")
    text = template.render(
        s=summary,
        labels=LABELS[summary.meta.language],
        provenance=describe_provenance(summary),
        warnings=trust_warnings(summary),
        evidence=evidence_lines(summary),
        version=__version__,
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def first_sentence(text: str, limit: int = 180) -> str:
    """The opening sentence of `text`, shortened to `limit` characters for a one-line gist."""
    text = re.sub(r"\s+", " ", text).strip()
    # Chinese and Japanese full stops end a sentence without a space after them.
    match = re.search(r"(?<=[.!?])\s|(?<=[。！？])", text)
    sentence = text[: match.start()] if match else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class RunUsage:
    """Totals shown in the index header and on stderr."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cost_usd: float | None = None
    cached_tokens: int = 0  # of the prompt tokens, those the server served from its prompt cache

    def describe(self) -> str:
        if not self.calls:
            return ""
        cached = f" ({self.cached_tokens:,} cached)" if self.cached_tokens else ""
        tokens = f"{self.prompt_tokens:,} prompt{cached} + {self.completion_tokens:,} completion tokens"
        text = f"{plural(self.calls, 'LLM call')} · {tokens}"
        return text + (f" · ~${self.cost_usd:.4f}" if self.cost_usd is not None else "")


def tally_line(outcomes: Sequence[PaperOutcome]) -> str:
    """'3 done · 1 skipped · 1 failed', counting cache hits as done; '· 9 not started' when the run
    stopped before some papers (skipped means already done, which those are not)."""
    done = sum(o.status in ("done", "cached") for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    not_started = sum(o.status == "not_started" for o in outcomes)
    tally = f"{done} done · {skipped} skipped · {failed} failed"
    return tally + (f" · {not_started} not started" if not_started else "")


# What a run did to a paper, in the words of the index's "last run" line.
_RUN_WORDS = {
    "done": "summarized",
    "cached": "from the cache",
    "skipped": "unchanged",
    "failed": "failed",
    "not_started": "not started",
}


def describe_run(outcomes: Sequence[PaperOutcome]) -> str:
    """'2 summarized · 3 unchanged · 1 failed': what one run did, the kinds it had only."""
    counts = {status: sum(o.status == status for o in outcomes) for status in _RUN_WORDS}
    parts = [f"{n} {_RUN_WORDS[status]}" for status, n in counts.items() if n]
    return " · ".join(parts) if parts else "no papers"


def summarized_by(summary: PaperSummary) -> str:
    """Who wrote a summary and when, for a table cell: 'gpt-4o-mini · 2026-12-05'."""
    meta = summary.meta
    who = "extractive (no LLM)" if meta.backend == "extractive" else md_cell(meta.model)
    return f"{who} · {meta.created.date().isoformat()}"


def _outcome_date(outcome: PaperOutcome) -> str:
    if outcome.arxiv and outcome.arxiv.published:
        return outcome.arxiv.published.date().isoformat()
    if outcome.summary and outcome.summary.arxiv and outcome.summary.arxiv.published:
        return outcome.summary.arxiv.published.isoformat()
    return ""


def _gist(summary: PaperSummary) -> str:
    """The method's first sentence, and the trust mark when something in the summary is unverified."""
    mark = trust_mark(summary)
    return md_cell(first_sentence(summary.summary.method)) + (f" · {mark}" if mark else "")


def _outcome_result(outcome: PaperOutcome, kept: PaperSummary | None) -> str:
    if outcome.status in ("failed", "not_started"):
        reason = f"failed: {outcome.reason}" if outcome.status == "failed" else outcome.reason or "not started"
        return md_cell(reason + ("; the earlier report is kept" if kept else ""))
    return _gist(outcome.summary) if outcome.summary else ""


def render_index(
    outcomes: Sequence[PaperOutcome],
    *,
    started: datetime,
    usage: RunUsage | None = None,
    folder: Mapping[str, PaperSummary] | None = None,
) -> str:
    """`index.md`: a picture of the output folder, kept across runs.

    Every paper of this run in order with its one-line summary, who wrote it and its link, then the
    reports earlier runs left in the folder (`folder`: report name -> summary, newest first), then
    this run's failures. The header counts the folder; the run itself is one line under it, so a
    re-run that finds everything done keeps the page as it was but for that line.
    """
    folder = folder or {}
    rows = []
    listed: set[str] = set()
    for outcome in outcomes:
        kept = folder.get(outcome.name) if outcome.summary is None else None
        summary = outcome.summary or kept
        title = (summary.title if summary else None) or outcome.title or outcome.source
        report = outcome.report or (f"{outcome.name}.md" if kept else None)
        link = md_link(title, relative_url(report), relative=True, in_table=True) if report else md_cell(title)
        rows.append(
            {
                "link": link,
                "date": _outcome_date(outcome),
                "by": summarized_by(summary) if summary else "",
                "result": _outcome_result(outcome, kept),
            }
        )
        listed.add(outcome.name)
    earlier = sorted(
        ((name, s) for name, s in folder.items() if name not in listed),
        key=lambda item: (-item[1].meta.created.timestamp(), item[0]),
    )
    for name, summary in earlier:
        published = summary.arxiv.published.isoformat() if summary.arxiv and summary.arxiv.published else ""
        rows.append(
            {
                "link": md_link(summary.title, relative_url(f"{name}.md"), relative=True, in_table=True),
                "date": published,
                "by": summarized_by(summary),
                "result": _gist(summary),
            }
        )
    failures = [o for o in outcomes if o.status == "failed"]
    with_report = sum(bool(o.summary) or o.name in folder for o in outcomes) + len(earlier)
    folder_counts = [plural(len(rows), "paper"), f"{with_report} summarized"]
    for status, word in (("failed", "failed"), ("not_started", "not started")):
        count = sum(o.status == status and o.name not in folder for o in outcomes)
        if count:
            folder_counts.append(f"{count} {word}")
    text = (
        markdown_environment()
        .get_template("index.md.j2")
        .render(
            started=started,
            folder=" · ".join(folder_counts),
            last_run=describe_run(outcomes),
            usage=usage.describe() if usage else "",
            rows=rows,
            failures=failures,
        )
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
