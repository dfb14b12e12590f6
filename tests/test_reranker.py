"""The cross-encoder reranker: its settings, its contract with the ranker, and the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from citations import assert_cited
from conftest import DATA, make_settings
from qa.answer.reranker import DEFAULT_DIR, CrossEncoderReranker, RerankerSettings
from qa.engine import Engine, result_dict

QUESTION = "When does Stoltenberg's contract expire?"
TEXTS = [
    "Jens Stoltenberg has led the alliance since 2014.",
    "The summit will take place in Washington in July.",
    "Stoltenberg's contract expires on October 1, and Rutte is set to take over then.",
    "NATO has 32 member countries.",
]


@pytest.fixture(scope="module")
def reranker() -> CrossEncoderReranker:
    return CrossEncoderReranker()


@pytest.mark.parametrize(("weight", "top_n", "message"), [
    (-0.5, 8, "weight must be >= 0, got -0.5"),
    (1.0, 0, "top_n must be > 0, got 0"),
])
def test_settings_refuse_bad_values(weight, top_n, message):
    with pytest.raises(ValueError, match=message):
        RerankerSettings(weight, top_n)


def test_a_folder_without_settings_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match=f"no reranker.json in reranker directory {tmp_path}"):
        CrossEncoderReranker(tmp_path)


def test_shipped_settings_describe_the_training():
    stored = json.loads((DEFAULT_DIR / "reranker.json").read_text(encoding="utf-8"))
    assert stored["weight"] > 0 and stored["top_n"] > 0 and "SQuAD" in stored["name"]
    assert (DEFAULT_DIR / "adapter_model.safetensors").stat().st_size < 5_000_000  # small enough to commit


def test_ranks_and_texts_must_match(reranker):
    with pytest.raises(ValueError, match="same length, got 4 and 2"):
        reranker.rerank(QUESTION, TEXTS, np.zeros(2))


def test_the_answering_sentence_is_read_first(reranker):
    logits = reranker.logits(QUESTION, TEXTS)
    assert logits.shape == (4,) and int(np.argmax(logits)) == 2
    new = reranker.rerank(QUESTION, TEXTS, np.zeros(4))
    np.testing.assert_allclose(new, reranker.settings.weight * logits, rtol=1e-5)


def test_only_the_top_n_are_read_and_the_rest_stay_below(reranker):
    texts = TEXTS * 4  # 16 candidates, more than top_n
    ranks = np.linspace(3.0, -3.0, len(texts)).astype(np.float32)
    new = reranker.rerank(QUESTION, texts, ranks)
    top_n = reranker.settings.top_n
    assert new[:top_n].min() >= new[top_n:].max()
    np.testing.assert_allclose(np.diff(new[top_n:]), np.diff(ranks[top_n:]), rtol=1e-5)  # their order kept


def test_questions_in_other_languages_keep_the_rankers_order(reranker):
    ranks = np.array([0.3, 0.2, 0.1, 0.0], dtype=np.float32)
    np.testing.assert_array_equal(reranker.rerank("斯托尔滕贝格的合同何时到期？", TEXTS, ranks), ranks)


def test_an_engine_with_the_reranker_answers_with_verbatim_citations(tmp_path: Path):
    engine = Engine(make_settings(tmp_path / "index", reranker=True))
    engine.ingest([DATA])
    engine.warm()
    result = result_dict(engine.ask(QUESTION, 3))
    assert_cited(result, lambda doc_id: engine.document(doc_id).text)
    assert "October 1" in result["answers"][0]["text"]
