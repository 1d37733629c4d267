"""Code links: the code and project-page URLs a paper prints or links, and which one is the paper's own.

Pure module working on arranged `Line`s and the page's link annotations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatpaper.code_hosts import CODE_HOST_PATTERN, REPOSITORY_HOST_PATTERN, REPOSITORY_HOSTS, is_pages_host
from chatpaper.pdf.lines import Line, Link

_URL_CHARS = r"[!#-&*-;=?-Z_a-z~]"  # printable ASCII without quotes, brackets, <>, \\, ^, `, {|}
_URL = re.compile(
    rf"(?:https?://|www\.){_URL_CHARS}+|(?:{REPOSITORY_HOST_PATTERN})/{_URL_CHARS}+",
    re.I,
)
_CODE_HOST = re.compile(rf"^(?:https?://)?(?:www\.)?(?:{CODE_HOST_PATTERN})(?:/|$)", re.I)
# "github.com/owner/": an owner alone is not where a link would point, the name follows on the next line
_OWNER_ONLY = re.compile(rf"(?:{REPOSITORY_HOST_PATTERN})/[^/]+/$")
# what authors release: their code, data, models
_WHAT = (
    r"(?:codes?|implementations?|models?|data(?:sets?)?|repository|tool(?:kit)?|library|system|package|software|"
    r"benchmark)"
)
# "... is available at", "project page", "项目地址": the link is offered for readers to get something
_OFFERED_AT = (
    r"\b(?:codes?|implementation|source(?: code)?|data(?:sets?)?|models?|weights|checkpoints|software|toolkit|package)"
    r"\b[^.]{0,40}\b(?:is|are|will be|has been|have been|can be)\b[^.]{0,25}\b(?:available|released|public(?:ly)?|"
    r"open[- ]sourced?|accessed|found|downloaded|retrieved)"
    r"|\bavailable (?:at|from|on)\s*:?\s*$|\breleased? (?:at|on)\b|\bproject (?:page|website)\b|"
    r"\bgithub repo(?:sitory)?\b|\b(?:code|project|website|(?<!journal )homepage|demo)\s*[:：]?\s*$|项目地址|代码|开源"
)
_OWN_CONTEXT = re.compile(rf"\b(?:our|we)\b[^.]{{0,60}}\b{_WHAT}\b|{_OFFERED_AT}", re.I)
# The context as a sign of the paper's own link, without `_OWN_CONTEXT`'s loosest reading "we ... data"
# ("We evaluate on the QQP dataset.3https://github.com/...": someone else's dataset), which only "our" or a
# verb of releasing makes the authors' own.
_OWN_SIGN = re.compile(
    rf"\bour\b[^.]{{0,60}}\b{_WHAT}\b"
    r"|\bwe\b[^.]{0,30}\b(?:release[sd]?|provide|make|made|open[- ]source[sd]?|publish(?:es|ed)?|share)\b"
    rf"|{_OFFERED_AT}",
    re.I,
)
# The journal's own page in a publisher's banner ("journal homepage: www.elsevier.com/locate/eswa"): the
# venue's, not the paper's.
_JOURNAL_PAGE = re.compile(r"\bjournal\s+home\s*-?\s*page\s*[:：]?\s*$|\bcontents lists available at\s*$", re.I)
_PAGE_LABEL = re.compile(r"(project\s*page|website|homepage|demo|project)\s*[:：]\s*$|项目地址\s*[:：]?\s*$", re.I)
# Substrings without which a line holds no URL (the cheap test before the URL regex): a scheme, www, or a
# bare host name ending in .com, .co or .org (every code host's)
_URL_SIGNS = ("://", "www.", ".co", ".org")
_URLISH = re.compile(r"^[\w\-./#?=&%~+:@]+$")


@dataclass(slots=True)
class _UrlHit:
    url: str
    page: int
    context: str
    in_references: bool
    line: int = -1  # index of the line the URL starts on


def find_urls(lines: Sequence[Line], reference_lines: set[int]) -> list[_UrlHit]:
    """URLs printed in the text, re-joined where a line break split them."""
    hits: list[_UrlHit] = []
    n = len(lines)
    for i, ln in enumerate(lines):
        text = ln.text.rstrip()
        if not any(sign in text for sign in _URL_SIGNS):
            continue
        for m in _URL.finditer(text):
            url = m.group(0)
            at_end = m.end() >= len(text)
            j = i
            # a URL that reaches the line end unfinished ("https://github." / "jhu-") goes on below
            while at_end and j + 1 < n and j - i < 3:
                tokens = lines[j + 1].text.split()
                token = tokens[0] if tokens else ""
                if not token or not _URLISH.match(token):
                    break
                host_open = bool(re.search(r"://[^/]*$", url)) or url.endswith(("-", "_", "#", "?", "=", "."))
                # "github.com/owner/" + "repo": an owner alone is not where a link would point
                host_open = host_open or bool(_OWNER_ONLY.search(url))
                path_like = bool(re.search(r"[/._#-]", token.rstrip(".,;:")))
                owner_only = bool(_OWNER_ONLY.search(url))
                if not (host_open and (path_like or url.endswith("-") or owner_only)) and not (
                    url.endswith("/") and path_like
                ):
                    break
                url += token
                j += 1
                at_end = len(tokens) == 1
            before = lines[i - 1].text if i > 0 else ""
            context = (before + " " + text[: m.start()])[-160:]
            hits.append(_UrlHit(_tidy_url(url), ln.page, context, i in reference_lines, line=i))
    return hits


def _tidy_url(url: str) -> str:
    url = url.strip().rstrip(".,;:!?)]}>'\"’”")
    if url.count("(") < url.count(")"):
        url = url.rstrip(")")
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url
    return url


def _url_key(url: str) -> str:
    key = re.sub(r"^https?://(?:www\.)?", "", url.lower()).rstrip("/")
    return key[:-4] if key.endswith(".git") else key


# Said of the link itself: the paper offers it as its own code ("Code is available at", "our code:").
_OWN_STRONG = re.compile(
    r"\bour\s+(?:code|implementation|source code|code ?base|repository|software|package|library|toolkit)\b"
    r"|\b(?:code|implementation|source code)\b[^.]{0,40}\b(?:is|are|will be|has been|have been)\b[^.]{0,25}"
    r"\b(?:available|released|public(?:ly)?|open[- ]sourced?)"
    r"|\bcode\s*[:：]\s*$|项目地址|代码|开源",
    re.I,
)


@dataclass(slots=True)
class CodeLinks:
    """Code and project-page links as printed, and which of them is the paper's own (None when unsure)."""

    urls: list[str]
    own: str | None


def find_code_links(
    lines: Sequence[Line],
    links: Sequence[Link],
    reference_lines: set[int],
    title: str,
    first_page: int = 1,
) -> CodeLinks:
    """Code and project-page URLs, de-duplicated, the paper's own repository first when it can be told.

    A link is the paper's own when the text offers it as its code, or when two weaker signs agree: printed
    in a sentence about the authors' code or data, named like the paper, printed on the title page. A
    repository named like the paper but cited for a dataset on page 4 is someone else's.
    """
    hits = find_urls(lines, reference_lines)
    hits += _link_hits(lines, links, reference_lines)
    cited_code = _cited_code_entries(lines, reference_lines)
    title_tokens = {re.sub(r"[^a-z0-9]", "", w.lower()) for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-]{2,}", title)}
    title_tokens = {t for t in title_tokens if len(t) >= 4 and t not in _COMMON_WORDS}
    repos: dict[str, dict] = {}
    order = 0
    for hit in hits:
        page_label = bool(_PAGE_LABEL.search(hit.context[-LABEL_CHARS:]))
        if _JOURNAL_PAGE.search(hit.context[-LABEL_CHARS:]):
            continue
        if not _CODE_HOST.match(hit.url) and not (page_label and hit.page <= first_page + 1):
            continue
        key = _url_key(hit.url)
        if _is_host_only(key):
            continue
        signs: set[str] = set()
        score = 0.0
        if hit.page == first_page and not hit.in_references:
            score += TITLE_PAGE_SCORE
            signs.add("title page")
        context = _URL.sub(" ", hit.context)[-CONTEXT_CHARS:]
        if _OWN_CONTEXT.search(context):
            score += CONTEXT_SCORE
            if _OWN_SIGN.search(context):
                signs.add("context")
            if _OWN_STRONG.search(context):
                signs.add("offered")
        root = _repo_root(key)
        if any(tok in re.sub(r"[^a-z0-9]", "", root.split("/", 1)[-1]) for tok in title_tokens):
            score += NAMED_SCORE
            signs.add("named")
        if root != key.split("/", 1)[0] and not is_pages_host(root):
            score += REPOSITORY_SCORE
        if hit.in_references and cited_code.get(hit.line) is not None:
            score += OFFERED_BY_CITATION
            signs = {"offered"}  # "the source code is available in [117]", and entry 117 holds this link
        elif hit.in_references:
            score -= REFERENCE_PENALTY
            signs.clear()  # a reference list cites other people's work
        order += 1
        entry = repos.setdefault(root, {"score": score, "order": order, "urls": {}, "repo": False, "signs": set()})
        entry["score"] = max(entry["score"], score)
        entry["signs"] |= signs
        entry["repo"] = root != key.split("/", 1)[0] and not is_pages_host(root)
        entry["urls"].setdefault(key, hit.url)
    out: list[str] = []
    own: str | None = None

    def rank(item: tuple[str, dict]) -> tuple:
        entry = item[1]
        likely = entry["score"] >= LIKELY_OWN
        return (not (likely and entry["repo"]), not likely, -entry["score"], entry["order"])

    for root, entry in sorted(repos.items(), key=rank):
        urls: dict[str, str] = entry["urls"]
        signs = entry["signs"]
        if own is None and ("offered" in signs or len(signs & {"context", "named", "title page"}) >= 2):
            own = urls.get(root) or next(iter(urls.values()))
        if root in urls:
            out.append(urls[root])  # the repository itself makes deep links into it redundant
        else:
            out.extend(urls.values())
    return CodeLinks(out, own)


# How links are ranked: what points at the paper's own repository adds, a reference list takes away.
TITLE_PAGE_SCORE = 2.0  # printed on the title page (outside the references)
CONTEXT_SCORE = 3.0  # printed in a sentence about the authors' code or data
NAMED_SCORE = 3.0  # the repository is named like the paper
REPOSITORY_SCORE = 1.0  # a repository beats a project page
REFERENCE_PENALTY = 5.0  # a reference list cites other people's work
LIKELY_OWN = 4.0  # a score this high (two signs, or one strong) ranks a link first
# A repository the text offers as its code through a citation ranks above any other sign.
OFFERED_BY_CITATION = 10.0
LABEL_CHARS = 40  # the text just before a link that can label it ("Code:", "journal homepage:")
CONTEXT_CHARS = 100  # the text before a link that can say whose it is
# "The source code is available in [117]": a sentence offering code or software, in the languages of
# `headings`; the references it cites hold the link.
_CODE_OFFER = re.compile(
    r"\b(?:source code|code|implementation|software|program|tool)s?\b[^.]{0,50}\b(?:is|are)\b[^.]{0,30}"
    r"\b(?:available|published|released|provided)|\b(?:исходный код|код|реализация|программа)\b[^.]{0,40}"
    r"\bдоступ\w*|\b(?:quellcode|code)\b[^.]{0,40}\bverfügbar|\bcode(?: source)?\b[^.]{0,40}\bdisponible"
    r"|\bcódigo(?: fuente| fonte)?\b[^.]{0,40}\bdispon(?:[ií]vel|ible)"
    r"|代码[^。]{0,20}(?:见|在)|コード[^。]{0,20}(?:公開|利用)",
    re.I,
)
_CITATION = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")
_ENTRY_NUMBER = re.compile(r"^\s*\[?(\d{1,3})[\].]\s")


def _cited_code_entries(lines: Sequence[Line], reference_lines: set[int]) -> dict[int, int]:
    """Reference-list lines (index -> entry number) of the entries a sentence of the text offers as the
    paper's code: dissertations and papers that cite their own repository instead of printing it inline."""
    wanted: set[int] = set()
    for i, ln in enumerate(lines):
        if i in reference_lines or "[" not in ln.text:
            continue
        text = ((lines[i - 1].text + " ") if i > 0 else "") + ln.text
        for sentence in _SENTENCE_END.split(text):
            if _CODE_OFFER.search(sentence):
                for refs in _CITATION.findall(sentence):
                    wanted.update(int(n) for n in re.findall(r"\d+", refs))
    if not wanted:
        return {}
    out: dict[int, int] = {}
    entry = None
    for i in sorted(reference_lines):
        m = _ENTRY_NUMBER.match(lines[i].text)
        if m:
            entry = int(m.group(1))
        if entry in wanted:
            out[i] = entry
    return out


def _link_hits(lines: Sequence[Line], links: Sequence[Link], reference_lines: set[int]) -> list[_UrlHit]:
    """Link annotations, with the text printed on (and just before) the link as context."""
    by_page: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        by_page.setdefault(ln.page, []).append(i)
    hits = []
    for link in links:
        if not link.uri.lower().startswith(("http://", "https://")):
            continue
        context, in_refs, at = "", False, -1
        for i in by_page.get(link.page, ()):
            ln = lines[i]
            if ln.y0 <= (link.y0 + link.y1) / 2 <= ln.y1 and ln.x0 - 2 <= link.x0 <= ln.x1:
                before = lines[i - 1].text if i > 0 else ""
                context = (before + " " + ln.text)[-160:]
                in_refs, at = i in reference_lines, i
                break
        hits.append(_UrlHit(_tidy_url(link.uri), link.page, context, in_refs, line=at))
    return hits


def _repo_root(key: str) -> str:
    """github.com/owner/repo for repository URLs; the host otherwise."""
    parts = key.split("/")
    host = parts[0]
    if host == "huggingface.co" and len(parts) >= 3:
        if parts[1] in ("datasets", "spaces") and len(parts) >= 4:
            return "/".join(parts[:4])
        return "/".join(parts[:3])
    if host in REPOSITORY_HOSTS and len(parts) >= 3:
        return "/".join(parts[:3])
    return host if is_pages_host(host) else "/".join(parts[:2])


def _is_host_only(key: str) -> bool:
    if key.endswith(REPOSITORY_HOSTS):
        return True
    return "/" not in key and not is_pages_host(key)


_COMMON_WORDS = {
    "with",
    "from",
    "that",
    "this",
    "learning",
    "model",
    "models",
    "network",
    "networks",
    "language",
    "large",
    "deep",
    "neural",
    "using",
    "towards",
    "data",
    "dataset",
    "paper",
    "papers",
    "research",
    "analysis",
    "based",
    "efficient",
    "robust",
    "generation",
    "tasks",
    "task",
    "multi",
    "real",
    "world",
    "transformer",
    "text",
    "visual",
    "vision",
    "time",
    "system",
    "systems",
    "search",
    "test",
    "unit",
    "document",
    "open",
    "corpus",
    "scholar",
}
