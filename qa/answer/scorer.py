"""The answer scorer: features → probability that a sentence answers the question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from qa.answer.linear_model import LinearModel


@dataclass(frozen=True)
class LogisticScorer(LinearModel):
    """A logistic model over the answer features; its probability is the answer's confidence
    and drives abstention (`qa/answer/scorer_weights*.json`)."""

    name: str = "logistic"
    FILE_STEM: ClassVar[str] = "scorer_weights"

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probabilities, one per row of `features`."""
        if features.size == 0:
            return np.zeros(0, dtype=np.float32)
        return (1.0 / (1.0 + np.exp(-self._logits(features)))).astype(np.float32)
