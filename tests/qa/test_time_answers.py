"""Time-aware answering over the sample corpus: periods named in questions, as_of, caller filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from support.citations import assert_cited

from index.types import Filters
from qa.answer.answerer import Answerer
from qa.answer.candidates import Candidate
from qa.answer.reading.base import Reader, Reading
from qa.engine import result_dict


class _Confident:
    """The lexical reader, with every reading shown (threshold 0): the period always holds answers."""

    name = "confident"

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def read(self, question: str, candidates: tuple[Candidate, ...], features: np.ndarray) -> Reading:
        return replace(self.reader.read(question, candidates, features), threshold=0.0)

    def warm(self) -> None:
        self.reader.warm()


@pytest.fixture(scope="module")
def answerer(sample_engine) -> Answerer:
    parts = sample_engine.pipeline
    return Answerer(parts.retriever, _Confident(parts.answerer.reader))


def _cited(sample_engine, result) -> None:
    assert_cited(result_dict(result), lambda doc_id: sample_engine.document(doc_id).text)


def test_a_named_period_limits_the_articles(sample_engine, answerer):
    result = answerer.answer("What did Hungary say about Rutte in March 2024?", top_k=5)
    assert result.time_filter.applied and result.time_filter.expression == "in March 2024"
    assert result.answers and all("2024-03-01" <= a.published <= "2024-03-31" for a in result.answers)
    assert result.resolved_question == "What did Hungary say about Rutte in March 2024?"
    _cited(sample_engine, result)


def test_as_of_leaves_out_later_and_undated_articles(sample_engine, answerer):
    result = answerer.answer("Does Hungary support Rutte?", top_k=5, as_of=date(2024, 3, 31))
    assert result.as_of == "2024-03-31" and result.answers and result.time_filter is None
    assert all(a.published is not None and a.published <= "2024-03-31" for a in result.answers)
    _cited(sample_engine, result)


def test_relative_time_counts_from_today_or_as_of(answerer):
    told = answerer.answer("What did Hungary decide about Rutte last month?", today=date(2024, 7, 10))
    assert (told.time_filter.published_from, told.time_filter.published_to) == ("2024-06-01", "2024-06-30")
    assert all(a.published.startswith("2024-06") for a in told.answers)
    cut = answerer.answer("What did Hungary decide about Rutte last month?", as_of=date(2024, 4, 2))
    assert (cut.time_filter.published_from, cut.time_filter.published_to) == ("2024-03-01", "2024-03-31")


def test_a_period_outside_the_callers_filters_falls_back_to_them(sample_engine, answerer):
    june_on = Filters(published_from="2024-06-01")
    result = answerer.answer("What did Hungary say about Rutte in March 2024?", top_k=5, filters=june_on)
    assert not result.time_filter.applied and result.answers
    assert all(a.published is not None and a.published >= "2024-06-01" for a in result.answers)
    _cited(sample_engine, result)


def test_questions_without_time_get_no_filter(sample_engine):
    result = sample_engine.ask("When does Stoltenberg's contract expire?")
    assert result.time_filter is None and result.as_of is None
    assert any("October 1" in a.text for a in result.answers)
