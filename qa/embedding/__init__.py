"""Embedders: one small interface (`encode_query` / `encode_documents`), several models."""

from qa.embedding.base import Embedder
from qa.embedding.registry import EMBEDDERS, make_embedder

__all__ = ["EMBEDDERS", "Embedder", "make_embedder"]
