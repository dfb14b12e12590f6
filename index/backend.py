"""What every index backend offers: documents, units, dense and keyword search, atomic writes.

Two backends implement it: `SearchIndex` (FAISS + SQLite in one directory,
the default) and `PostgresIndex` (pgvector + PostgreSQL full-text search,
for several API processes on one database). The answering code sees only
this interface.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.types import ChunkedDocument, Document, Filters, Hit

UNITS = ("passages", "sentences")


class IndexBusyError(Exception):
    """Another writer holds the index's write lock."""


class IndexUnavailableError(Exception):
    """The index's storage cannot be reached right now (a database server down or restarting)."""


@dataclass(frozen=True)
class PassageRow:
    """A stored passage: offsets into its document, and its embedding."""

    id: int
    document_id: str
    index: int
    start: int
    end: int
    first_sentence: int
    last_sentence: int
    lang: str
    embedding: np.ndarray


@dataclass(frozen=True)
class SentenceRow:
    """A stored sentence: offsets into its document, and its embedding."""

    id: int
    document_id: str
    index: int
    start: int
    end: int
    lang: str
    embedding: np.ndarray


class IndexReader(Protocol):
    """Reads from one consistent snapshot, so offsets always match the text read with them."""

    def passages(self, ids: list[int]) -> dict[int, PassageRow]: ...

    def sentences(self, ids: list[int]) -> list[SentenceRow]: ...

    def sentences_between(self, document_id: str, first: int, last: int) -> list[SentenceRow]: ...

    def sentence_passages(self, sentence_ids: list[int]) -> dict[int, tuple[int, ...]]: ...

    def document(self, document_id: str) -> Document | None: ...


class DocumentIndex(Protocol):
    """The store both backends implement; see the module docstring."""

    embedder_name: str
    dimension: int

    def refresh(self) -> bool: ...

    def reader(self) -> AbstractContextManager[IndexReader]: ...

    def dense_search(self, unit: str, vector: np.ndarray, k: int,
                     filters: Filters | None = None) -> list[Hit]: ...

    def keyword_search(self, terms: list[str], k: int, filters: Filters | None = None,
                       frequencies: tuple[dict[str, int], int] | None = None) -> list[Hit]:
        """Passages ranked by BM25; `frequencies`, when given, is `document_frequencies(terms)`
        already looked up (a backend that scores in SQL reuses it)."""

    def document_frequencies(self, terms: list[str]) -> tuple[dict[str, int], int]: ...

    def content_hash(self, document_id: str) -> str | None: ...

    def get_document(self, document_id: str) -> Document | None: ...

    def list_documents(self, offset: int = 0, limit: int = 50) -> list[tuple[Document, int]]: ...

    def counts(self) -> dict[str, int]: ...

    def write_lock(self, timeout_s: float) -> AbstractContextManager[None]: ...

    def replace_document(self, chunked: ChunkedDocument, passage_vectors: np.ndarray,
                         sentence_vectors: np.ndarray) -> None: ...

    def delete_document(self, document_id: str) -> bool: ...

    def publish(self) -> None: ...

    def close(self) -> None: ...


def check_unit(unit: str) -> None:
    """Refuse an unknown unit name (it ends up in SQL)."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")


def filter_sql(filters: Filters | None, mark: str) -> tuple[str, list]:
    """SQL conditions on `d` (documents) for the filters, each prefixed by AND; `mark` is the
    driver's parameter placeholder."""
    if filters is None:
        return "", []
    clauses, params = [], []
    if filters.document_ids is not None:
        if filters.document_ids:
            clauses.append(f"d.id IN ({','.join([mark] * len(filters.document_ids))})")
            params.extend(filters.document_ids)
        else:
            clauses.append("1 = 0")
    if filters.published_from:
        clauses.append(f"d.published >= {mark}")
        params.append(filters.published_from)
    if filters.published_to:
        clauses.append(f"d.published <= {mark}")
        params.append(filters.published_to)
    if filters.languages is not None:
        clauses.append(f"d.lang IN ({','.join([mark] * len(filters.languages))})" if filters.languages else "1 = 0")
        params.extend(filters.languages)
    return "".join(" AND " + c for c in clauses), params
