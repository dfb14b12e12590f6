"""The reader contract: a question's candidates in, one rank, confidence and optional span each out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qa.answer.candidates import Candidate


@dataclass(frozen=True)
class Reading:
    """What a reader made of one question's candidates, row for row.

    `ranks` order them (higher first; comparable within the question only);
    `confidences` are probabilities that a candidate answers the question and
    decide abstention; `spans`, when the reader finds them, are (start, end)
    of a short answer inside each candidate's text (None where it has none).
    """

    ranks: np.ndarray
    confidences: np.ndarray
    spans: tuple[tuple[int, int] | None, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.ranks) != len(self.confidences):
            raise ValueError(f"ranks and confidences must have the same length, "
                             f"got {len(self.ranks)} and {len(self.confidences)}")
        if self.spans is not None and len(self.spans) != len(self.ranks):
            raise ValueError(f"spans must have one entry per candidate, got {len(self.spans)} for {len(self.ranks)}")


class Reader(Protocol):
    """Reads a question's candidates (with their retrieval and lexical `features`)."""

    name: str

    def threshold_for(self, question: str) -> float:
        """The confidence an answer to `question` needs to be shown (the reader's calibrated default)."""
        ...

    def read(self, question: str, candidates: tuple[Candidate, ...], features: np.ndarray) -> Reading:
        """One rank and one confidence per candidate."""
        ...

    def warm(self) -> None:
        """Load any model now."""
        ...
