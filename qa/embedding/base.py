"""The embedder interface and a lazily loaded base for real models."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any

import numpy as np


class Embedder(ABC):
    """Maps text to L2-normalised float32 vectors.

    Queries and documents are encoded differently by asymmetric models
    (e5's "query:" / "passage:" prefixes), so the two calls stay apart.
    Models load on first use, once per process, never at import.
    """

    name: str
    dimension: int

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Vectors for questions, shape (len(texts), dimension)."""
        return self._encode(texts, is_query=True)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages and sentences, shape (len(texts), dimension)."""
        return self._encode(texts, is_query=False)

    def warm(self) -> None:
        """Load the model now (the server does this before it reports ready)."""
        self.encode_query(["warm up"])

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # One call at a time: the engines are not all thread-safe, and each
        # already uses every core for a batch.
        with self._lock:
            if self._model is None:
                self._model = self._load()
            vectors = self._run(self._model, list(texts), is_query)
        return normalise(np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension))

    @abstractmethod
    def _load(self) -> Any:
        """Load the model from its installed package."""

    @abstractmethod
    def _run(self, model: Any, texts: list[str], is_query: bool) -> np.ndarray:
        """Encode with the loaded model."""


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
