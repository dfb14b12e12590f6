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
    decide abstention, at `threshold`: the calibrated threshold of the model
    that read them (a cascade reads questions in some languages with one model,
    others with another, each calibrated on its own); `spans`, when the reader
    finds them, are (start, end) of a short answer inside each candidate's text
    (None where it has none); `read_by` names the model that read them.
    """

    ranks: np.ndarray
    confidences: np.ndarray
    threshold: float
    spans: tuple[tuple[int, int] | None, ...] | None = None
    read_by: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")
        if len(self.ranks) != len(self.confidences):
            raise ValueError(f"ranks and confidences must have the same length, "
                             f"got {len(self.ranks)} and {len(self.confidences)}")
        if self.spans is not None and len(self.spans) != len(self.ranks):
            raise ValueError(f"spans must have one entry per candidate, got {len(self.spans)} for {len(self.ranks)}")


class Reader(Protocol):
    """Reads a question's candidates (with their retrieval and lexical `features`)."""

    name: str

    def read(self, question: str, candidates: tuple[Candidate, ...], features: np.ndarray) -> Reading:
        """One rank and one confidence per candidate, and the threshold they are shown at."""
        ...

    def warm(self) -> None:
        """Load any model now."""
        ...
