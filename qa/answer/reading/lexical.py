"""The lexical reader: trained linear models over retrieval and word-overlap features."""

from __future__ import annotations

import numpy as np

from qa.answer.candidates import Candidate
from qa.answer.ranker import LinearRanker
from qa.answer.reading.base import Reading
from qa.answer.scorer import LogisticScorer


class LexicalReader:
    """Reads nothing but features: the ranker's conditional logit orders, the scorer's
    probability is the confidence (`evals/train_scorer.py` fits both).

    Fast (≈ 1 ms a question) and language-neutral; the neural reader reads
    the best ones it ranks again.
    """

    name = "lexical"

    def __init__(self, scorer: LogisticScorer, ranker: LinearRanker, threshold: float = 0.25) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        self.scorer = scorer
        self.ranker = ranker
        self.threshold = threshold

    @classmethod
    def for_embedder(cls, embedder: str) -> "LexicalReader":
        """The models trained on `embedder`'s features."""
        return cls(LogisticScorer.for_embedder(embedder), LinearRanker.for_embedder(embedder))

    def read(self, question: str, candidates: tuple[Candidate, ...], features: np.ndarray) -> Reading:
        """The ranker's scores and the scorer's probabilities, shown at one threshold for every question."""
        return Reading(self.ranker.rank(features).astype(np.float32), self.scorer.score(features).astype(np.float32),
                       self.threshold, read_by=self.name)

    def warm(self) -> None:
        """Nothing to load."""
