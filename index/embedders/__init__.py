"""Embedders: one small interface (`encode_query` / `encode_documents`), several models."""

from index.embedders.base import Embedder
from index.embedders.registry import EMBEDDERS, make_embedder

__all__ = ["EMBEDDERS", "Embedder", "make_embedder"]
