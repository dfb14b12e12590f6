"""Fusion of the three rankings, and sentence hits mapped to the passages that hold them."""

from __future__ import annotations

import pytest
from support.passages import holding_passages

from index.types import Filters, Hit
from qa.retrieval.fusion import reciprocal_rank_fusion, score_fusion
from qa.retrieval.retriever import HybridRetriever


def _hits(*pairs: tuple[int, float]) -> list[Hit]:
    return [Hit(unit_id, score, "test") for unit_id, score in pairs]


def test_score_fusion_adds_min_max_scaled_scores():
    bm25 = _hits((1, 12.0), (2, 6.0), (3, 2.0))
    cosine = _hits((2, 0.9), (3, 0.85), (4, 0.8))
    fused = dict(score_fusion([bm25, cosine]))
    assert fused == pytest.approx({1: 1.0, 2: 0.4 + 1.0, 3: 0.0 + 0.5, 4: 0.0})
    assert [unit for unit, _ in score_fusion([bm25, cosine])] == [2, 1, 3, 4]


def test_score_fusion_keeps_margins_that_rank_fusion_loses():
    # Passage 1 is far ahead on keywords and all but level on meaning; rank fusion sees only
    # that passage 2 is first on meaning and second on keywords.
    keyword = _hits((1, 30.0), (2, 5.0), (3, 4.9), (4, 1.0))
    dense = _hits((2, 0.90), (3, 0.89), (1, 0.88), (4, 0.50))
    assert reciprocal_rank_fusion([keyword, dense])[0][0] == 2
    assert score_fusion([keyword, dense])[0][0] == 1


def test_score_fusion_weights_and_single_hits():
    assert score_fusion([_hits((7, 3.0))], [0.5]) == [(7, 0.5)]
    assert score_fusion([[], _hits((1, 1.0), (2, 0.0))], [1.0, 2.0]) == [(1, 2.0), (2, 0.0)]
    with pytest.raises(ValueError, match=r"weights must have one entry per ranking \(2\), got 1"):
        score_fusion([[], []], [1.0])


def test_retriever_validates_its_fusion(sample_engine):
    with pytest.raises(ValueError, match="fusion must be one of .*got 'max'"):
        HybridRetriever(sample_engine.pipeline.index, sample_engine.pipeline.embedder, fusion="max")


def test_every_sentence_maps_to_the_passages_whose_range_holds_it(sample_engine):
    holding = holding_passages(sample_engine)
    assert len(holding) > 50
    for doc, _ in sample_engine.documents(limit=100):
        for passage in sample_engine.pipeline.ingestor.chunker.chunk(doc).passages:
            for index in range(passage.first_sentence, passage.last_sentence + 1):
                assert passage.index in holding[(doc.id, index)], (doc.source, index)
    assert all(holding.values()), "every sentence is in a passage"
    assert any(len(p) == 2 for p in holding.values()), "passages overlap by a sentence"


def _languages(engine, passages) -> list[str]:
    """The document language of each retrieved (passage id, score)."""
    with engine.pipeline.index.reader() as reader:
        rows = reader.passages([pid for pid, _ in passages])
        return [reader.document(rows[pid].document_id).lang for pid, _ in passages]


@pytest.mark.parametrize(("question", "own", "other"), [("Hungary NATO Rutte", "en", "zh"), ("匈牙利 北约 鲁特", "zh", "en")])
def test_the_other_languages_best_passages_join_the_kept_ones_after_them(sample_engine, question, own, other):
    index, embedder = sample_engine.pipeline.index, sample_engine.pipeline.embedder
    alone = HybridRetriever(index, embedder, other_languages=0).retrieve(question, keep=1)
    both = HybridRetriever(index, embedder, other_languages=2).retrieve(question, keep=1)
    assert _languages(sample_engine, alone.passages) == [own]
    assert both.passages[0] == alone.passages[0]
    assert _languages(sample_engine, both.passages[1:]) == [other, other]
    assert all(score == 0.0 and pid in both.dense_passages for pid, score in both.passages[1:])


def test_the_other_language_passages_keep_the_callers_filters(sample_engine):
    index, embedder = sample_engine.pipeline.index, sample_engine.pipeline.embedder
    retriever = HybridRetriever(index, embedder, other_languages=2)
    assert len(retriever.retrieve("Hungary NATO Rutte", keep=1, filters=Filters(languages=("en",))).passages) == 1
    assert retriever.retrieve("Hungary NATO Rutte", keep=1, filters=Filters(document_ids=())).passages == ()
    with pytest.raises(ValueError, match="other_languages must be >= 0, got -1"):
        HybridRetriever(index, embedder, other_languages=-1)
