"""A FAISS vector index keyed by SQLite row ids, saved atomically."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from index.atomic_file import replace_atomically


@contextmanager
def omp_threads(n: int) -> Iterator[None]:
    """Run FAISS with `n` OpenMP threads inside the block (the setting is process-wide)."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


# Product quantisation needs ~39 training vectors per centroid (256 per sub-quantiser) to train well.
PQ_MIN_VECTORS = 10_000
# Approximate searches fetch this many candidates and re-score them with the stored vectors.
RERANK_POOL = 50


def ivf_index(dimension: int, n: int, quantised: bool | None = None) -> faiss.Index:
    """An untrained inverted-file index sized for `n` vectors.

    From `PQ_MIN_VECTORS` on (or as `quantised` says), vectors are stored as product-quantised
    codes (one byte per 8 dimensions: ~80 B for 384-d with its id, against 1.5 KB) whose scores
    are approximate, so searches re-rank a pool with the exact stored vectors (recall@10 0.998 at
    100k in `citeqa bench`).
    """
    nlist = int(4 * np.sqrt(n))
    quantizer = faiss.IndexFlatIP(dimension)
    if quantised is None:
        quantised = n >= PQ_MIN_VECTORS and dimension % 8 == 0
    if quantised:
        index = faiss.IndexIVFPQ(quantizer, dimension, nlist, dimension // 8, 8, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    index.nprobe = max(8, nlist // 32)
    return index


def rerank(pairs: list[tuple[int, float]], vector: np.ndarray, k: int,
           vectors_of: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> list[tuple[int, float]]:
    """The best `k` of `pairs` re-scored with exact vectors (ids `vectors_of` no longer has are dropped)."""
    if not pairs:
        return []
    ids, vectors = vectors_of(np.asarray([i for i, _ in pairs], dtype=np.int64))
    if not len(ids):
        return []
    scores = vectors @ np.asarray(vector, dtype=np.float32)
    order = np.argsort(-scores, kind="stable")[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


class DenseIndex:
    """Inner-product search over unit vectors (cosine), ids = store row ids.

    Exact search (`IndexFlatIP`) up to a size where it stays fast, an
    inverted-file index (IVF) beyond; both sit behind an id map, so rows can
    be added and removed as documents change (HNSW cannot remove).
    """

    def __init__(self, dimension: int, index: faiss.Index | None = None) -> None:
        if dimension <= 0:
            raise ValueError(f"dimension must be > 0, got {dimension}")
        self.dimension = dimension
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    @property
    def kind(self) -> str:
        """'flat' (exact, behind an id map), 'ivf' (approximate; IVF keeps ids itself) or
        'ivfpq' (IVF over quantised codes: approximate scores too)."""
        if isinstance(self._index, faiss.IndexIVFPQ):
            return "ivfpq"
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "flat"

    @classmethod
    def approximate(cls, dimension: int, ids: np.ndarray, vectors: np.ndarray) -> DenseIndex:
        """An IVF index trained on (a sample of) `vectors` and holding all of them."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ivf = ivf_index(dimension, len(vectors))
        sample = np.random.default_rng(0).choice(len(vectors), min(len(vectors), 100_000), replace=False)
        with omp_threads(os.cpu_count() or 1):  # batch work: every core helps
            ivf.train(vectors[np.sort(sample)])
            dense = cls(dimension, ivf)
            dense.add(ids, vectors)
        return dense

    def __len__(self) -> int:
        return self._index.ntotal

    def ids(self) -> np.ndarray:
        """Every id held, as int64."""
        if self.kind == "flat":
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        lists = self._index.invlists
        chunks = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                  for i in range(lists.nlist) if lists.list_size(i)]
        return np.sort(np.concatenate(chunks)).astype(np.int64) if chunks else np.zeros(0, dtype=np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under the given ids."""
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                     np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        """Drop the given ids (unknown ids are ignored)."""
        if len(ids):
            self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None,
               vectors_of: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
               ) -> list[tuple[int, float]]:
        """Up to `k` (id, cosine) pairs, best first; `allowed` restricts the ids. A quantised
        index re-ranks `RERANK_POOL` (or `k`) candidates with the exact vectors `vectors_of(ids)` returns."""
        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        if len(self) == 0 or (allowed is not None and len(allowed) == 0):
            return []
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            # A filter may keep ids outside the probed lists: probe them all (exact among the allowed).
            params = (faiss.SearchParametersIVF(sel=selector, nprobe=self._index.nlist) if self.kind != "flat"
                      else faiss.SearchParameters(sel=selector))
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        # Only quantised codes give approximate scores; IVF-Flat's are already exact cosines.
        reranked = self.kind == "ivfpq" and vectors_of is not None
        depth = max(k, RERANK_POOL) if reranked else k
        # One query gains nothing from OpenMP threads, and they contend with the embedder's own
        # threads just used for the question: /v1/ask p50 27 → 17 ms in process on 2 cores.
        with omp_threads(1):
            scores, ids = self._index.search(query, min(depth, len(self)), params=params)
        pairs = [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        return rerank(pairs, query[0], k, vectors_of) if reranked else pairs

    def save(self, path: Path) -> None:
        """Write to `path` atomically: a reader sees the old file or the new one."""
        replace_atomically(path, lambda tmp: faiss.write_index(self._index, str(tmp)))

    @classmethod
    def load(cls, path: Path, dimension: int) -> DenseIndex:
        """Read a saved index; its dimension must match."""
        index = faiss.read_index(str(path))
        if index.d != dimension:
            raise ValueError(f"{path} holds {index.d}-d vectors, expected {dimension}")
        return cls(dimension, index)
