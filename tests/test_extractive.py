"""The offline extractive backend: sentence splitting, point selection, keywords, code links, and
real papers from the corpus (through the PDF reader, when it is available)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatpaper.llm.backend import Backend, Draft
from chatpaper.llm.extractive import ExtractiveBackend
from chatpaper.llm.sentences import junk_reason, split_sentences
from chatpaper.models import ArxivEntry, Paper, Section, SummaryAnswer


def make_paper(*sections: tuple[str, str, str], **fields: object) -> Paper:
    """A Paper from (heading, role, text) triples; other fields by keyword."""
    values: dict[str, object] = {"path": "/papers/test.pdf", "sha256": "0" * 64, "pages": 8, "title": "A Test Paper"}
    values.update(fields)
    values["sections"] = [Section(heading=h, role=r, text=t) for h, r, t in sections]  # type: ignore[arg-type]
    return Paper(**values)  # type: ignore[arg-type]


ABSTRACT = (
    "Retrieval-augmented generation (RAG) has attracted wide attention as a way to ground large language models "
    "(LLMs) in external documents. However, existing RAG pipelines retrieve passages independently and fail to "
    "capture relations between them. We propose GraphRAG-Lite, a retrieval method that links passages into a small "
    "evidence graph before generation. On three question answering benchmarks, GraphRAG-Lite improves exact match "
    "by 4.2% over the strongest baseline."
)

INTRODUCTION = (
    "Question answering over large document collections is a fundamental problem in natural language processing. "
    "Large language models (LLMs) answer fluently, but they hallucinate facts that are not in their training data. "
    "Retrieval-augmented generation (RAG) grounds the answer in retrieved passages, and it has become the standard "
    "recipe for knowledge-intensive tasks.\n\n"
    "In this paper, we introduce an evidence graph that connects retrieved passages through shared entities. "
    "Our contributions are a graph construction step, a graph-aware reranker and an evaluation on three datasets."
)

RELATED = (
    "Dense retrievers such as DPR (Karpukhin et al., 2020) encode queries and passages with two encoders. "
    "Fusion-in-Decoder (Izacard and Grave, 2021) reads many passages at once in the decoder. "
    "However, existing methods suffer from redundancy because they score every passage on its own. "
    "Previous work on multi-hop retrieval is limited to two hops and relies on expensive iterative queries [12]."
)

METHOD = (
    "We propose a two-stage retriever that first collects candidate passages with BM25 and a dense encoder. "
    "The passages are then linked into a graph whose edges join passages that mention the same entity. "
    "A graph neural network with two layers scores each node, and the top eight passages are passed to the reader. "
    "We train the reranker with a contrastive loss on 50k question-passage pairs."
)

EXPERIMENTS = (
    "We evaluate on Natural Questions, TriviaQA and HotpotQA, following the standard splits (Fig. 3). "
    "GraphRAG-Lite improves accuracy by 4.2% on HotpotQA and outperforms Fusion-in-Decoder on all three datasets. "
    "Compared to the dense baseline, our reranker reduces the number of passages read by 38% at equal accuracy. "
    "Table 2 lists the hyper-parameters of every run."
)

CONCLUSION = (
    "We presented GraphRAG-Lite, which links retrieved passages into an evidence graph. "
    "It achieves state-of-the-art exact match on HotpotQA while reading fewer passages than previous systems."
)


def full_paper(**fields: object) -> Paper:
    values: dict[str, object] = {
        "title": "GraphRAG-Lite: Evidence Graphs for Retrieval-Augmented Question Answering",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "first_author_affiliation": "University of Somewhere",
        "abstract": ABSTRACT,
        "code_urls": ["https://github.com/example/graphrag-lite"],
        "code_url": "https://github.com/example/graphrag-lite",
    }
    values.update(fields)
    return make_paper(
        ("1 Introduction", "introduction", INTRODUCTION),
        ("2 Related Work", "related_work", RELATED),
        ("3 Method", "method", METHOD),
        ("4 Experiments", "experiments", EXPERIMENTS),
        ("5 Conclusion", "conclusion", CONCLUSION),
        ("Acknowledgments", "end_matter", "We thank the anonymous reviewers for their helpful comments on the draft."),
        ("References", "references", "[12] A. Author. Multi-hop retrieval. In Proceedings of ACL, 2020."),
        **values,
    )


def summarize(paper: Paper, **kwargs: object) -> SummaryAnswer:
    draft = ExtractiveBackend().summarize(paper, "en", **kwargs)  # type: ignore[arg-type]
    return draft.answer


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def paper_text(paper: Paper) -> str:
    return squash(" ".join([paper.title, paper.abstract, *(s.text for s in paper.sections)]))


def assert_quoted(point: str, source: str) -> None:
    """`point` is a sequence of passages that each appear verbatim (modulo whitespace) in `source`
    (already squashed). Checked at every possible sentence end, so the test does not depend on the
    splitter finding the same boundaries again in the joined text."""
    cuts = sorted({0, len(point), *(m.end() for m in re.finditer(r"[.!?。！？；][\"'”’)\]\d]*", point))})
    reached = {0}
    for i, start in enumerate(cuts):
        if start in reached:
            reached.update(end for end in cuts[i + 1 :] if squash(point[start:end]) in source)
    assert len(point) in reached, f"not quoted from the paper: {point!r}"


# --- sentence splitting -------------------------------------------------------------------------


def test_split_keeps_abbreviations_decimals_and_citations_inside_sentences() -> None:
    text = (
        "As shown by Smith et al. (2020), the gain is 92.3% on average, e.g. on CIFAR-10 vs. ImageNet. "
        "See Fig. 3 and Eq. 2 for details, i.e. the loss curve. "
        "This was shown before.[12] Our method differs (cf. Sec. 4). What about J. Smith? It works!"
    )
    assert split_sentences(text) == [
        "As shown by Smith et al. (2020), the gain is 92.3% on average, e.g. on CIFAR-10 vs. ImageNet.",
        "See Fig. 3 and Eq. 2 for details, i.e. the loss curve.",
        "This was shown before.[12]",
        "Our method differs (cf. Sec. 4).",
        "What about J. Smith?",
        "It works!",
    ]


def test_split_joins_wrapped_lines_and_breaks_at_paragraphs_and_headings() -> None:
    text = (
        "The model is trained\non two GPUs for three\ndays.\n\nA new paragraph starts here\n2.1 Datasets\nWe use two."
    )
    assert split_sentences(text) == [
        "The model is trained on two GPUs for three days.",
        "A new paragraph starts here",
        "We use two.",
    ]


def test_split_chinese_punctuation_and_line_wraps() -> None:
    text = (
        "大语言模型在不同领域都表现出了优异的性能。然而，制定高质量的提示\n"
        "是一项挑战；我们提出了 LangGPT！效果如何？很好。"
    )
    assert split_sentences(text) == [
        "大语言模型在不同领域都表现出了优异的性能。",
        "然而，制定高质量的提示是一项挑战；",
        "我们提出了 LangGPT！",
        "效果如何？",
        "很好。",
    ]
    # A decimal before a Chinese word is not a footnote marker after a full stop.
    assert split_sentences("比教师模型快 7.3 倍，可以处理。下一句。") == ["比教师模型快 7.3 倍，可以处理。", "下一句。"]


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Too short.", "tiny"),
        ("Figure 3: Accuracy of the three models on the validation set.", "caption"),
        ("Table 2. Results on the test split for all datasets we consider.", "caption"),
        # the caption words are the reader's, in its languages (chatpaper/captions.py), plurals and equations too
        ("Abbildung 2: Verlauf der Temperatur im Boden über die ganze Messzeit.", "caption"),
        ("Figs. 4 and 5 show the accuracy of the three models on each split.", None),
        ("Scheme 1. The three steps of the synthesis from the starting material.", "caption"),
        ("0.91 0.88 0.93 0.87 BERT 0.85 0.90 0.92 0.89 0.94.", "symbols"),
        ("Accuracy BERT 91 RoBERTa 92 DeBERTa 93 Ours 95 Baseline 90.", "table"),
        ("Code: https://github.com/example/repo.", "tiny"),
        ("L(θ) = −∑ log p(y | x; θ) + λ ||θ||² where λ > 0 is fixed.", "symbols"),
        ("The loss is defined as L = CE(y, p) + λ R(w) where λ balances the two terms.", "math"),
        ("Corresponding author: ada@example.org, University of Somewhere.", "boilerplate"),
        ("the rest of a sentence that was cut by a page break.", "fragment"),
        ("The rest of this paper is organized as follows.", "roadmap"),
        ("Second, dense retrievers are expensive to run over every passage of a long document.", "dangling"),
        ("Furthermore, in contrast to motion planning, learning only has access to limited information.", "dangling"),
        ("Lastly we present figures with the some selected parameters.", "dangling"),
        ("In addition, the reranker is trained with a contrastive loss on question pairs.", "dangling"),
        ("此外，我们还设计了一个术语词典约束的解码策略。", "dangling"),
    ],
)
def test_junk_sentences_are_recognized(sentence: str, reason: str | None) -> None:
    assert junk_reason(sentence) == reason


def test_prose_is_not_junk() -> None:
    assert junk_reason("GraphRAG-Lite improves accuracy by 4.2% on HotpotQA (Table 2) [12].") is None
    assert junk_reason("然而，这些研究缺乏结构化的设计模板，学习成本高，可复用性低。") is None
    assert junk_reason("We report P@10 and F1@5 for all methods on the test split.") is None  # not an e-mail
    assert junk_reason("Table 1 lists the barriers that participants reported in the interviews.") is None
    assert junk_reason("Semantic Scholar clusters these papers by title similarity and DOI overlap.") is None
    # openers that do not lean on the sentence before
    assert junk_reason("In contrast to dense retrieval, sparse retrieval needs no GPU at question time.") is None
    assert junk_reason("First-order methods dominate the training of large neural networks today.") is None
    assert junk_reason("In addition to accuracy, we report the number of tokens each reader consumes.") is None


# --- the four points ----------------------------------------------------------------------------


def test_each_point_gets_the_sentences_that_match_it() -> None:
    points = summarize(full_paper()).summary
    assert "existing methods suffer from redundancy" in points.prior_work
    assert "We propose a two-stage retriever" in points.method or "We propose GraphRAG-Lite" in points.method
    assert "improves accuracy by 4.2%" in points.results or "improves exact match by 4.2%" in points.results
    assert "fundamental problem" in points.background or "has attracted wide attention" in points.background
    # Sentences naming the paper's own system (the title's "GraphRAG-Lite:") describe its method and results.
    assert "GraphRAG-Lite" not in points.background + points.prior_work
    assert "anonymous reviewers" not in points.model_dump_json()  # acknowledgments are never quoted
    assert "Multi-hop retrieval. In Proceedings" not in points.model_dump_json()  # nor references


def test_points_are_quotes_of_two_to_four_distinct_sentences_within_the_cap() -> None:
    paper = full_paper()
    points = summarize(paper).summary.model_dump()
    source = paper_text(paper)
    seen: set[str] = set()
    for name, text in points.items():
        quoted = split_sentences(text)
        assert 2 <= len(quoted) <= 4, (name, quoted)
        assert len(text.split()) <= 90 + 40, name  # the cap is checked before adding a sentence
        assert_quoted(text, source)
        assert not seen & set(quoted), f"{name} repeats a sentence"
        seen |= set(quoted)


def test_sentences_keep_the_paper_order_within_a_point() -> None:
    paper = full_paper()
    source = paper_text(paper)
    for text in summarize(paper).summary.model_dump().values():
        positions = [source.index(squash(s)) for s in split_sentences(text)]
        assert positions == sorted(positions)


def test_english_paper_stays_english_when_chinese_is_asked() -> None:
    backend = ExtractiveBackend()
    zh = backend.summarize(full_paper(), "zh").answer
    assert zh == backend.summarize(full_paper(), "en").answer
    assert zh.title_translated is None


def test_prior_work_does_not_invent_a_judgement() -> None:
    prior = summarize(full_paper()).summary.prior_work
    assert_quoted(prior, paper_text(full_paper()))
    assert "motivation" not in prior.lower()


def test_a_sentence_that_carries_on_from_the_one_before_is_not_quoted_when_others_serve() -> None:
    """ "Second, ...", "Furthermore, ...", "Lastly we present figures ..." point at a sentence the summary
    leaves out; and "we present figures" is no method."""
    related = (
        "Dense retrievers such as DPR (Karpukhin et al., 2020) encode queries and passages with two encoders. "
        "Second, existing retrievers are expensive to run over every passage of a long document at question time. "
        "Furthermore, previous work on multi-hop retrieval suffers from redundancy and is limited to two hops [12]. "
        "However, existing methods score every passage on its own and fail to capture relations between them."
    )
    method = (
        "Lastly we present figures with the selected parameters for every dataset we consider. "
        "A graph neural network with two layers scores each node, and the top eight passages are passed on. "
        "We propose a two-stage retriever that links passages into a graph of shared entities."
    )
    paper = make_paper(
        ("1 Introduction", "introduction", INTRODUCTION),
        ("2 Related Work", "related_work", related),
        ("3 Method", "method", method),
        ("4 Experiments", "experiments", EXPERIMENTS),
        abstract="",
    )
    points = summarize(paper).summary
    for point in (points.prior_work, points.method):
        assert not re.search(r"(?:^|[.!?] )(?:Second|Furthermore|Lastly)\b", point), point
    assert "existing methods score every passage on its own" in points.prior_work
    assert "We propose a two-stage retriever" in points.method


def test_prior_work_without_a_related_work_section_comes_from_sentences_about_earlier_work() -> None:
    """No related-work section: the introduction's sentences that cite or name earlier methods and their
    limits, not the paper's own definitions."""
    introduction = (
        "Spectra are represented at m instances of independent experimental variables such as time or pH. "
        "Each dataset is a matrix whose rows are spectra and whose columns are time traces of the system. "
        "Earlier tools fit one dataset at a time and cannot share parameters between related experiments. "
        "The concentration profiles and the spectra of the components make up the two factors of the model. "
        "General-purpose optimizers (Bates and Watts 1988) need the model written out by hand for every case. "
        "The time traces of one component are sums of exponential decays convolved with the instrument response."
    )
    paper = make_paper(
        ("1 Introduction", "introduction", introduction),
        ("2 Models", "method", METHOD),
        ("3 Case study", "experiments", EXPERIMENTS),
        abstract="",
    )
    prior = summarize(paper).summary.prior_work
    assert prior.startswith("Earlier tools fit one dataset at a time")
    assert "General-purpose optimizers (Bates and Watts 1988)" in prior
    for definition in ("Each dataset is a matrix", "make up the two factors", "sums of exponential decays"):
        assert definition not in prior


def test_figures_and_comparisons_make_a_results_sentence() -> None:
    body = (
        "The system is described in the previous section of this report in detail. "
        "On the test set the error rate fell to 3.1% from 7.4% for the baseline model. "
        "The figures were produced with the plotting library of the authors."
    )
    answer = summarize(make_paper(("4 Evaluation", "experiments", body), abstract=""))
    assert "3.1%" in answer.summary.results


def test_abstract_only_paper_still_fills_every_point() -> None:
    paper = make_paper(abstract=ABSTRACT)
    answer = summarize(paper)
    source = paper_text(paper)
    for text in answer.summary.model_dump().values():
        assert text.strip()
        assert_quoted(text, source)
    assert "We propose GraphRAG-Lite" in answer.summary.method
    assert "4.2%" in answer.summary.results


def test_paper_with_almost_no_text_falls_back_without_blank_points() -> None:
    answer = summarize(make_paper(("Body", "other", "A short note."), title="On Nothing"))
    for text in answer.summary.model_dump().values():
        assert text.strip()
    answer = summarize(make_paper(title=""))
    assert answer.title == "test"  # the file name when the reader found no title
    assert all(v.strip() for v in answer.summary.model_dump().values())


def test_single_unclassified_section_is_ranked_by_cues() -> None:
    body = "\n\n".join([INTRODUCTION, RELATED, METHOD, EXPERIMENTS])
    answer = summarize(make_paper(("Body", "other", body), abstract=""))
    assert "existing methods suffer from" in answer.summary.prior_work
    assert "We propose a two-stage retriever" in answer.summary.method
    assert "4.2%" in answer.summary.results or "38%" in answer.summary.results


def test_chinese_paper_is_summarized_in_its_own_sentences() -> None:
    abstract = (
        "大语言模型在不同领域都表现出了优异的性能。然而，对于非AI专家来说，制定高质量的提示来引导大模型是一项重要挑战。"
        "现有方法缺乏结构化的设计模板，学习成本高，可复用性低。"
        "本文提出了双层提示设计框架 LangGPT，作为面向大模型的编程语言。"
        "实验表明，与基线相比，LangGPT 将回复质量提升了12.5%。"
    )
    intro = (
        "提示工程是典型的经验科学，主要涉及提示设计和提示优化。近年来，提示工程吸引了许多研究人员的关注。"
        "然而，现有的提示优化方法通常只在特定任务中表现良好，难以复用。"
        "我们设计了由模块和内部元素组成的双层结构，并为迁移和复用提供了扩展结构。"
    )
    paper = make_paper(
        ("1. 介绍", "introduction", intro),
        ("5. 结论", "conclusion", "实验结果表明，LangGPT 显著提升了大模型生成高质量回复的能力。"),
        title="LangGPT：面向大模型的自然语言编程框架",
        abstract=abstract,
        language="zh",
        keywords=[],
    )
    for language in ("zh", "en"):
        answer = ExtractiveBackend().summarize(paper, language).answer  # type: ignore[arg-type]
        source = paper_text(paper)
        points = answer.summary
        for text in points.model_dump().values():
            assert re.search(r"[\u4e00-\u9fff]", text)
            assert_quoted(text, source)
        assert "现有" in points.prior_work or "然而" in points.prior_work
        assert "提出" in points.method or "设计" in points.method
        assert "提升" in points.results
        assert answer.title_translated is None
        assert "LangGPT" in answer.keywords


# --- metadata, keywords, code -------------------------------------------------------------------


def test_metadata_comes_from_the_paper_without_arxiv() -> None:
    answer = summarize(full_paper())
    assert answer.title.startswith("GraphRAG-Lite")
    assert answer.authors == ["Ada Lovelace", "Alan Turing"]
    assert answer.first_author_affiliation == "University of Somewhere"
    assert answer.title_translated is None


def test_arxiv_metadata_overrides_title_and_authors() -> None:
    entry = ArxivEntry(
        arxiv_id="2401.00001",
        version=2,
        title="GraphRAG-Lite:\n  Evidence Graphs for Retrieval-Augmented QA",
        authors=["Ada King Lovelace", "Alan M. Turing", "Grace Hopper"],
        published=datetime(2024, 1, 1, tzinfo=UTC),
    )
    answer = summarize(full_paper(title="garbled title from the PDF", authors=["A. L."]), arxiv=entry)
    assert answer.title == "GraphRAG-Lite: Evidence Graphs for Retrieval-Augmented QA"
    assert answer.authors == ["Ada King Lovelace", "Alan M. Turing", "Grace Hopper"]
    assert answer.first_author_affiliation == "University of Somewhere"  # arXiv has none: the paper's


def test_keyword_line_is_used_as_printed() -> None:
    paper = full_paper(keywords=["Retrieval-augmented generation", " question answering. ", "graphs", "Graphs", ""])
    assert summarize(paper).keywords == ["Retrieval-augmented generation", "question answering", "graphs"]


def test_keyword_line_left_as_one_string_is_split() -> None:
    assert summarize(full_paper(keywords=["Keywords: RAG; question answering, evidence graphs"])).keywords == [
        "RAG",
        "question answering",
        "evidence graphs",
    ]


def test_a_keyword_that_begins_with_the_label_word_is_kept_whole() -> None:
    """Only a label with its colon or dash is a label: "关键词抽取" (keyword extraction) is a keyword."""
    paper = full_paper(keywords=["关键词抽取", "知识蒸馏", "Keyword spotting", "Index terms mining"])
    assert summarize(paper).keywords == ["关键词抽取", "知识蒸馏", "Keyword spotting", "Index terms mining"]
    printed = full_paper(keywords=["关键词：知识蒸馏；序列标注", "Index Terms—Robot learning"])
    assert summarize(printed).keywords == ["知识蒸馏", "序列标注", "Robot learning"]


def test_distinctive_terms_when_there_is_no_keyword_line() -> None:
    keywords = summarize(full_paper()).keywords
    assert 3 <= len(keywords) <= 8
    assert "RAG" in keywords or "GraphRAG-Lite" in keywords
    assert len({k.lower() for k in keywords}) == len(keywords)
    generic = {"paper", "method", "results", "the", "we", "model", "approach"}
    assert not generic & {k.lower() for k in keywords}


def test_code_url_is_the_link_the_reader_found_to_be_the_papers_own() -> None:
    urls = ["https://example.org/project", "https://github.com/example/graphrag-lite"]
    assert summarize(full_paper(code_urls=urls)).code_url == "https://github.com/example/graphrag-lite"
    page = full_paper(code_urls=["https://example.org/project"], code_url="https://example.org/project")
    assert summarize(page).code_url == "https://example.org/project"


def test_other_peoples_repositories_are_no_code_url() -> None:
    """A dataset's or a baseline's repository is printed, but it is not the paper's code."""
    urls = ["https://github.com/other/paraphraseGen", "https://github.com/microsoft/LoRA"]
    assert summarize(full_paper(code_urls=urls, code_url=None)).code_url is None


def test_code_url_prefers_the_repository_root_over_a_deep_link_into_it() -> None:
    urls = ["https://github.com/ex/tool/src/tool/x.py#L3", "https://github.com/ex/tool", "https://github.com/other/y"]
    assert summarize(full_paper(code_urls=urls, code_url=urls[0])).code_url == "https://github.com/ex/tool"
    alone = full_paper(code_urls=urls[:1], code_url=urls[0])
    assert summarize(alone).code_url == urls[0]  # no root printed: the reader's link


def test_code_url_none_without_links_and_found_in_text_when_offered() -> None:
    assert summarize(full_paper(code_urls=[], code_url=None)).code_url is None
    offered = full_paper(
        code_urls=[], code_url=None, abstract=ABSTRACT + " Our code is available at https://gitlab.com/ex/graph."
    )
    assert summarize(offered).code_url == "https://gitlab.com/ex/graph"
    third_party = full_paper(
        code_urls=[], code_url=None, abstract=ABSTRACT + " We build on https://github.com/other/tool for BM25."
    )
    assert summarize(third_party).code_url is None


# --- the backend contract -----------------------------------------------------------------------


def test_backend_contract() -> None:
    backend: Backend = ExtractiveBackend()
    assert (backend.name, backend.model) == ("extractive", "extractive")
    assert backend.prompt_version.startswith("extractive-")
    assert backend.estimate_prompt_tokens(full_paper(), "en") == 0
    assert backend.estimate_prompt_tokens(None, "zh") == 0
    draft = backend.summarize(full_paper(), "en")
    assert isinstance(draft, Draft)
    assert (draft.prompt_tokens, draft.completion_tokens, draft.calls) == (0, 0, 0)
    SummaryAnswer.model_validate(draft.answer.model_dump())


def test_deterministic_byte_identical() -> None:
    first = summarize(full_paper()).model_dump_json()
    for _ in range(3):
        assert summarize(full_paper()).model_dump_json() == first
    assert summarize(full_paper().model_copy(deep=True)).model_dump_json() == first


def test_deterministic_across_hash_seeds() -> None:
    """No set or dict ordering leaks into the answer: other interpreters give the same bytes."""
    import os
    import subprocess
    import sys

    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_extractive as t; "
        "print(t.summarize(t.full_paper(code_urls=[])).model_dump_json())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(Path(__file__).parent)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {summarize(full_paper(code_urls=[])).model_dump_json() + "\n"}


def test_same_answer_from_concurrent_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    backend = ExtractiveBackend()
    papers = [full_paper(), make_paper(abstract=ABSTRACT)] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda p: backend.summarize(p, "en").answer.model_dump_json(), papers))
    assert answers == [backend.summarize(p, "en").answer.model_dump_json() for p in papers]


# --- real papers ----------------------------------------------------------------------------------

SCAN_WITHOUT_TEXT = "lynch-mit-lcs-tm394-scan.pdf"
CARRIES_ON = re.compile(r"(?:First|Second|Third|Furthermore|Moreover|Finally|Lastly|Also|In addition|Additionally)\b")


@pytest.mark.corpus
def test_corpus_papers_give_valid_quoted_summaries(corpus_dir: Path, corpus_truth: list[dict]) -> None:
    try:
        from chatpaper.pdf import read_paper  # type: ignore[attr-defined]
    except ImportError:
        pytest.skip("chatpaper.pdf.read_paper is not available yet")
    backend = ExtractiveBackend()
    for record in corpus_truth:
        if record["file"] == SCAN_WITHOUT_TEXT or not record.get("text_layer", True):
            continue
        paper = read_paper(corpus_dir / "pdfs" / record["file"])
        answer = backend.summarize(paper, "en").answer
        SummaryAnswer.model_validate(answer.model_dump())
        source = paper_text(paper)
        for name, text in answer.summary.model_dump().items():
            assert text.strip(), f"{record['file']}: empty {name}"
            assert_quoted(text, source)
        if record["language"] == "zh":
            assert re.search(r"[\u4e00-\u9fff]", answer.summary.method), record["file"]
        for name, text in answer.summary.model_dump().items():
            # no quote that leans on a sentence left out ("Second, ...", "Furthermore, ..."), unless a point
            # has nothing else (a fallback of one sentence)
            quoted = split_sentences(text)
            leaning = [q for q in quoted if CARRIES_ON.match(q)]
            assert len(quoted) == 1 or not leaning, f"{record['file']} {name}: {leaning}"
        assert answer.model_dump_json() == backend.summarize(paper, "en").answer.model_dump_json()


def test_end_matter_is_never_quoted() -> None:
    """The reader marks Acknowledgments, Limitations, Ethics ... as end matter: statements about the paper."""
    statement = "We propose to extend the method to audio in future work, which improves nothing yet by 9.9%."
    answer = summarize(
        full_paper().model_copy(
            update={
                "sections": [
                    *full_paper().sections[:5],
                    Section(heading="Limitations", role="end_matter", text=statement),
                ]
            }
        )
    )
    assert all("audio" not in point for point in answer.summary.model_dump().values())
