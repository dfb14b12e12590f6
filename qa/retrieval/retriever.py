"""Hybrid retrieval: dense passages + dense sentences + keyword passages, fused."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from index.backend import DocumentIndex
from index.keyword import content_terms
from index.types import Filters, Hit
from qa.embedding.base import Embedder
from qa.passages.language import LANGUAGES, detect_language
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
    The best `other_languages` passages by dense score among the articles in
    each other language than the question's join the kept ones: in a
    collection of both, every ranking prefers the question's own language
    (shared words, and the embedder's own bias), so a fact held only by the
    other language's articles would never be read.
    """

    def __init__(self, index: DocumentIndex, embedder: Embedder, depth: int = 30, rrf_k: int = 60,
                 mode: str = "hybrid", fusion: Fusion = "score", other_languages: int = 2) -> None:
        if depth <= 0:
            raise ValueError(f"depth must be > 0, got {depth}")
        if other_languages < 0:
            raise ValueError(f"other_languages must be >= 0, got {other_languages}")
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
        self.other_languages = other_languages

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
        fused = self._fused(((dense, 1.0), (by_sentence, 1.0), (keyword, keyword_weight)))[:keep]
        dense_scores = {h.unit_id: h.score for h in dense}
        if use_dense and self.other_languages:
            kept = {p for p, _ in fused}
            others = [h for h in self._other_languages(question, vector, filters) if h.unit_id not in kept]
            fused += [(h.unit_id, 0.0) for h in others]  # after the fused ones: they add, never displace
            dense_scores |= {h.unit_id: h.score for h in others}
        return Retrieved(vector, tuple(terms), tuple(fused), dense_scores,
                         {h.unit_id: h.score for h in keyword}, tuple(sentences), holding, df, total)

    def _fused(self, weighted: tuple[tuple[list[Hit], float], ...]) -> list[tuple[int, float]]:
        """The (ranking, weight) pairs fused, best first."""
        kept = [(r, w) for r, w in weighted if r and w > 0]
        rankings, weights = [r for r, _ in kept], [w for _, w in kept]
        if self.fusion == "rrf":
            return reciprocal_rank_fusion(rankings, self.rrf_k, weights)
        return score_fusion(rankings, weights)

    def _other_languages(self, question: str, vector: np.ndarray, filters: Filters | None) -> list[Hit]:
        """The best `other_languages` passages by dense score in each language but the question's."""
        base = Filters() if filters is None else filters
        own = detect_language(question)
        return [hit for lang in LANGUAGES if lang != own and (base.languages is None or lang in base.languages)
                for hit in self.index.dense_search("passages", vector, self.other_languages,
                                                   replace(base, languages=(lang,)))]

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
