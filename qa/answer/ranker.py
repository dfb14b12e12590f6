"""The answer ranker: features → which of a question's candidates answers it best."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from qa.answer.linear_model import LinearModel


@dataclass(frozen=True)
class LinearRanker(LinearModel):
    """A conditional-logit model: trained to put a softmax over one question's candidates
    on the ones that hold the answer (`qa/answer/ranker_weights*.json`).

    It orders candidates better than the pointwise scorer (it compares them
    with each other), but its scores mean nothing across questions, so the
    scorer's probability stays the confidence that decides abstention.
    """

    name: str = "conditional logit"
    FILE_STEM: ClassVar[str] = "ranker_weights"

    def rank(self, features: np.ndarray) -> np.ndarray:
        """Ranking scores, one per row of `features`; higher is better, comparable within a question only."""
        if features.size == 0:
            return np.zeros(0, dtype=np.float32)
        return self._logits(features).astype(np.float32)
