"""A tiny deterministic embedder for fast tests: hashed words and character bigrams."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np

from qa.embedding.base import Embedder

_TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]", re.IGNORECASE)


class HashEmbedder(Embedder):
    """Bag of hashed tokens: similar wording gives similar vectors, no model needed."""

    name = "hash"

    def __init__(self, dimension: int = 256) -> None:
        super().__init__()
        if dimension <= 0:
            raise ValueError(f"dimension must be > 0, got {dimension}")
        self.dimension = dimension

    def _load(self) -> Any:
        return True

    def _run(self, model: Any, texts: list[str], is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = [t.lower() for t in _TOKEN.findall(text)]
            for token in tokens + [a + b for a, b in zip(tokens, tokens[1:])]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dimension] += 1.0
        return out
