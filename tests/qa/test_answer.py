"""The answering pipeline on the fast hash embedder: citations, dedupe, filters, validation."""

from __future__ import annotations

import pytest
from support.citations import assert_cited

from index.types import Filters
from qa.answer.question import analyse
from qa.answer.spans import find_spans
from qa.engine import result_dict

QUESTIONS = [
    "why did Hungary drop its objection?", "When does Stoltenberg's contract expire?",
    "Who was Rutte's last rival?", "How old is Mark Rutte?", "What is the capital of Australia?",
    "Who signed the law on Sweden joining NATO?", "匈牙利为什么改变立场？", "fighter jets Gripen",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_answer_is_verbatim_at_its_offsets(sample_engine, question):
    result = result_dict(sample_engine.ask(question, top_k=5))
    assert_cited(result, lambda doc_id: sample_engine.document(doc_id).text)
    assert result["related"], "related passages are always given"


def test_related_passages_highlight_their_best_ranked_sentence(sample_engine):
    checked = 0
    for question in QUESTIONS:
        result = sample_engine.ask(question, top_k=1)  # threshold 0: the best ranked sentence is shown
        assert_cited(result_dict(result), lambda doc_id: sample_engine.document(doc_id).text)
        best = result.answers[0]
        for r in result.related:
            one_sentence = ". " not in r.text and "。" not in r.text[:-1]
            assert r.highlight != r.text or one_sentence, "a sentence of the passage, not all of it"
        holding = [r for r in result.related
                   if r.document_id == best.document_id and r.start <= best.start and best.end <= r.end]
        if holding:  # the passage holding it comes first and highlights it (overlapping ones show another sentence)
            assert result.related[0] == holding[0]
            assert (holding[0].highlight_start, holding[0].highlight) == (best.start, best.text)
            checked += 1
        highlights = [(r.document_id, r.highlight_start) for r in result.related]
        assert len(set(highlights)) == len(highlights), "no sentence is highlighted twice"
    assert checked >= len(QUESTIONS) // 2, "the best sentence's passage is usually among the related"


def test_answers_do_not_overlap_or_repeat(sample_engine):
    answers = sample_engine.ask("Hungary NATO Rutte", top_k=10).answers
    for i, a in enumerate(answers):
        for b in answers[i + 1:]:
            assert a.document_id != b.document_id or a.end <= b.start or b.end <= a.start
            assert a.text != b.text
    # Best ranked first: asking for more answers never changes the first one.
    assert answers[0] == sample_engine.ask("Hungary NATO Rutte", top_k=1).answers[0]


def test_filters_restrict_documents_and_dates(sample_engine):
    docs = {d.published: d.id for d, _ in sample_engine.pipeline.index.store.list_documents() if d.published}
    only = docs["2024-03-05"]
    result = sample_engine.ask("Hungary NATO", top_k=5, filters=Filters(document_ids=(only,)))
    assert result.answers and {a.document_id for a in result.answers} == {only}
    dated = sample_engine.ask("Hungary NATO", top_k=5, filters=Filters(published_from="2024-06-18"))
    assert {a.published for a in dated.answers} == {"2024-06-19"}


def test_top_k_is_validated(sample_engine):
    with pytest.raises(ValueError, match="top_k must be > 0, got 0"):
        sample_engine.ask("anything", top_k=0)


def test_empty_index_abstains(engine):
    result = engine.ask("Who was Rutte's last rival?")
    assert not result.answered and result.answer == "I could not find this in the articles."
    assert result.answers == () and result.related == ()


@pytest.mark.parametrize("question, kind", [
    ("How old is Mark Rutte?", "age"), ("When does the contract expire?", "date"),
    ("How many members?", "number"), ("Who was Rutte's last rival?", "person"),
    ("Why did Hungary drop its objection?", "reason"), ("鲁特为什么写信？", "reason"),
    ("What did Orban say?", "other"),
])
def test_question_types(question, kind):
    assert analyse(question).answer_type == kind


def test_short_spans_skip_names_the_question_uses():
    sentence = "Mr Rutte will become the secretary-general after Romanian president Klaus Iohannis withdrew."
    spans = find_spans(sentence, "person", analyse("Who was Rutte's last rival?").terms)
    assert [sentence[a:b] for a, b in spans] == ["Klaus Iohannis"]
    dates = find_spans("Stoltenberg's contract expires on October 1.", "date", ("contract",))
    assert [("Stoltenberg's contract expires on October 1."[a:b]) for a, b in dates] == ["October 1"]


@pytest.mark.parametrize(("sentence", "dates"), [
    ("It opened in 1990 and has been closed since 2001.", ["1990", "since 2001"]),  # "since" changes the meaning
    ("He left last week, on Tuesday, by March 5.", ["last week", "Tuesday", "March 5"]),
    ("Founded around 1850, it grew from 1900 to 1910.", ["1850", "1900 to 1910"]),
    ("It opened in May 2020, until June 2021.", ["May 2020", "until June 2021"]),  # the whole date, not "May"
])
def test_a_dates_short_answer_leaves_out_its_preposition(sentence, dates):
    assert [sentence[a:b] for a, b in find_spans(sentence, "date", ())] == dates
