"""Hybrid retrieval: dense passages + dense sentences + keyword passages, fused."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.backend import DocumentIndex
from index.keyword import content_terms
from index.types import Filters, Hit
from qa.embedding.base import Embedder
from qa.retrieval.fusion import FUSIONS, Fusion, reciprocal_rank_fusion, score_fusion


@dataclass(frozen=True)
class Retrieved:
    """What retrieval found for one question."""

    query_vector: np.ndarray
    terms: tuple[str, ...]
    passages: tuple[tuple[int, float], ...]  # (passage id, fused score), best first
    dense_passages: dict[int, float]
    keyword_passages: dict[int, float]
    sentence_hits: tuple[Hit, ...]
    sentence_passages: dict[int, tuple[int, ...]]  # sentence hit id → ids of the passages holding it
    document_frequencies: dict[str, int]  # passages holding each of `terms`
    total_passages: int


class HybridRetriever:
    """Finds the passages most likely to answer a question.

    Three rankings of passages: dense passage vectors and dense sentence
    vectors (a passage scores its best sentence) catch paraphrases and other
    languages, keyword search catches rare names and numbers. `fusion`
    'score' adds their min-max scaled scores, 'rrf' their reciprocal ranks.
    """

    def __init__(self, index: DocumentIndex, embedder: Embedder, depth: int = 30, rrf_k: int = 60,
                 mode: str = "hybrid", fusion: Fusion = "score") -> None:
        if depth <= 0:
            raise ValueError(f"depth must be > 0, got {depth}")
        if mode not in ("hybrid", "dense", "keyword"):
            raise ValueError(f"mode must be 'hybrid', 'dense' or 'keyword', got {mode!r}")
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {fusion!r}")
        self.index = index
        self.embedder = embedder
        self.depth = depth
        self.rrf_k = rrf_k
        self.mode = mode
        self.fusion = fusion

    def retrieve(self, question: str, keep: int, filters: Filters | None = None) -> Retrieved:
        """The top `keep` passages for `question`, with the evidence behind them."""
        self.index.refresh()
        vector = self.embedder.encode_query([question])[0]
        terms = content_terms(question)
        use_dense, use_keyword = self.mode in ("hybrid", "dense"), self.mode in ("hybrid", "keyword")
        # Looked up once here: keyword scoring, fusion weights and the answer scorer's idf use them.
        df, total = self.index.document_frequencies(terms)
        dense = sentences = by_sentence = keyword = []
        holding: dict[int, tuple[int, ...]] = {}
        if use_dense:
            dense = self.index.dense_search("passages", vector, self.depth, filters)
            sentences = self.index.dense_search("sentences", vector, self.depth, filters)
            holding = self._holding(sentences)
            by_sentence = _best_sentence_per_passage(sentences, holding)
        if use_keyword:
            keyword = self.index.keyword_search(terms, self.depth, filters, (df, total))
        # Trust the keyword ranking as far as the question's words occur in the corpus at all:
        # an English question over Chinese articles matches little but names and numbers.
        keyword_weight = sum(1 for t in terms if df.get(t)) / len(terms) if terms and use_dense else 1.0
        weighted = [(r, w) for r, w in ((dense, 1.0), (by_sentence, 1.0), (keyword, keyword_weight))
                    if r and w > 0]
        rankings, weights = [r for r, _ in weighted], [w for _, w in weighted]
        if self.fusion == "rrf":
            fused = reciprocal_rank_fusion(rankings, self.rrf_k, weights)[:keep]
        else:
            fused = score_fusion(rankings, weights)[:keep]
        return Retrieved(vector, tuple(terms), tuple(fused), {h.unit_id: h.score for h in dense},
                         {h.unit_id: h.score for h in keyword}, tuple(sentences), holding, df, total)

    def _holding(self, sentences: list[Hit]) -> dict[int, tuple[int, ...]]:
        """The passages holding each sentence hit."""
        if not sentences:
            return {}
        with self.index.reader() as reader:
            return reader.sentence_passages([h.unit_id for h in sentences])


def _best_sentence_per_passage(sentences: list[Hit], holding: dict[int, tuple[int, ...]]) -> list[Hit]:
    """Sentence hits as a passage ranking: each passage scores its best sentence."""
    best: dict[int, Hit] = {}
    for hit in sentences:  # best first, so the first sentence seen is a passage's best
        for passage_id in holding.get(hit.unit_id, ()):
            best.setdefault(passage_id, Hit(passage_id, hit.score, "dense-sentences"))
    return list(best.values())
