"""An opened index directory: SQLite store + FAISS indexes, kept in step."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index.backend import UNITS, IndexBusyError, filter_sql
from index.dense import DenseIndex
from index.keyword import match_expression
from index.manifest import Manifest, check_compatible, read_manifest, write_manifest
from index.store import Store, StoreReader
from index.types import ChunkedDocument, Document, Filters, Hit


class SearchIndex:
    """Dense and keyword search over one index directory (the default `DocumentIndex`).

    SQLite is the source of truth (rows and vectors); the FAISS files are
    checkpoints. Opening or `refresh()` reconciles FAISS with the committed
    rows, so a reader follows other processes' writes and never sees a
    half-written document.
    """

    def __init__(self, directory: Path, embedder_name: str, dimension: int, exact_max: int = 100_000) -> None:
        if exact_max <= 0:
            raise ValueError(f"exact_max must be > 0, got {exact_max}")
        self.exact_max = exact_max
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.embedder_name = embedder_name
        self.dimension = dimension
        manifest = read_manifest(self.directory)
        if manifest is not None:
            check_compatible(manifest, embedder_name, dimension, self.directory)
        self.store = Store(self.directory / "store.sqlite")
        self._created = manifest.created if manifest else ""
        self._lock = threading.Lock()
        self._dense = {unit: self._load_dense(unit) for unit in UNITS}
        self._generation = -1
        self.refresh()
        if manifest is None:
            self._describe_new_directory()

    def _describe_new_directory(self) -> None:
        """Write the first checkpoint and manifest, unless a writer holds the lock (it writes them when done)."""
        try:
            with self.write_lock(timeout_s=0):
                if read_manifest(self.directory) is None:  # another process may have been first
                    self.checkpoint()
        except IndexBusyError:
            pass

    def refresh(self) -> bool:
        """Catch up with committed writes; True if anything changed."""
        if self.store.generation() == self._generation:
            return False
        with self._lock, self.store.snapshot():
            generation = self.store.generation()
            for unit, dense in self._dense.items():
                db_ids = self.store.unit_ids(unit)
                held = dense.ids()
                dense.remove(np.setdiff1d(held, db_ids, assume_unique=True))
                ids, vectors = self.store.unit_vectors(
                    unit, np.setdiff1d(db_ids, held, assume_unique=True), self.dimension)
                dense.add(ids, vectors)
                if dense.kind == "flat" and len(dense) > self.exact_max:
                    # Past this size exact search gets slow (see `citeqa bench`): switch to IVF, once.
                    self._dense[unit] = DenseIndex.approximate(
                        self.dimension, *self.store.unit_vectors(unit, db_ids, self.dimension))
            self._generation = generation
        return True

    def checkpoint(self) -> None:
        """Save the FAISS indexes, then the manifest (last, so it never runs ahead)."""
        with self._lock:
            for unit, dense in self._dense.items():
                dense.save(self._dense_path(unit))
            generation = self._generation
        write_manifest(self.directory, Manifest(
            embedder=self.embedder_name, dimension=self.dimension, counts=self.store.counts(),
            generation=generation, created=self._created))

    def publish(self) -> None:
        """Make a finished batch of writes visible here and durable as a checkpoint."""
        self.refresh()
        self.checkpoint()

    @contextmanager
    def reader(self) -> Iterator[StoreReader]:
        """Reads from one committed snapshot."""
        with self.store.snapshot() as conn:
            yield StoreReader(conn)

    @contextmanager
    def write_lock(self, timeout_s: float) -> Iterator[None]:
        """One writing process per directory (FAISS checkpoints are whole files)."""
        lock = FileLock(str(self.directory / "write.lock"), timeout=timeout_s)
        try:
            lock.acquire()
        except Timeout:
            raise IndexBusyError(f"another process is writing to {self.directory} "
                                 f"(lock {lock.lock_file}); try again when it finishes") from None
        try:
            yield
        finally:
            lock.release()

    def content_hash(self, document_id: str) -> str | None:
        return self.store.content_hash(document_id)

    def replace_document(self, chunked: ChunkedDocument, passage_vectors: np.ndarray,
                         sentence_vectors: np.ndarray) -> None:
        """Commit one document (searchable here after `publish`, elsewhere after `refresh`)."""
        self.store.replace_document(chunked, passage_vectors, sentence_vectors)

    def delete_document(self, document_id: str) -> bool:
        return self.store.delete_document(document_id)

    def get_document(self, document_id: str) -> Document | None:
        return self.store.get_document(document_id)

    def list_documents(self, offset: int = 0, limit: int = 50) -> list[tuple[Document, int]]:
        return self.store.list_documents(offset, limit)

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    def close(self) -> None:
        """Nothing to release: connections are per thread and close with it."""

    def dense(self, unit: str) -> DenseIndex:
        """The vectors of `unit` ("passages" or "sentences") as this handle holds them now."""
        return self._dense[unit]

    def dense_search(self, unit: str, vector: np.ndarray, k: int,
                     filters: Filters | None = None) -> list[Hit]:
        """Nearest units to a query vector, among those that pass the filters."""
        allowed = self._allowed_ids(unit, filters)
        with self._lock:  # refresh() changes the FAISS indexes in place
            pairs = self._dense[unit].search(vector, k, allowed,
                                             lambda ids: self.store.unit_vectors(unit, ids, self.dimension))
        return [Hit(i, s, f"dense-{unit}") for i, s in pairs]

    def keyword_search(self, terms: list[str], k: int, filters: Filters | None = None,
                       frequencies: tuple[dict[str, int], int] | None = None) -> list[Hit]:
        """Passages ranked by BM25 over the given terms (FTS5 keeps its own `frequencies`)."""
        if not terms:
            return []
        where, params = filter_sql(filters, "?")
        rows = self.store.connection().execute(
            "SELECT f.rowid AS id, bm25(passages_fts) AS score FROM passages_fts f"
            " JOIN passages p ON p.id = f.rowid JOIN documents d ON d.id = p.document_id"
            f" WHERE passages_fts MATCH ? {where} ORDER BY score LIMIT ?",
            [match_expression(terms), *params, k]).fetchall()
        return [Hit(r["id"], -r["score"], "keyword") for r in rows]

    def _allowed_ids(self, unit: str, filters: Filters | None) -> np.ndarray | None:
        """Row ids of `unit` that pass the filters, or None when nothing is filtered."""
        where, params = filter_sql(filters, "?")
        if not where:
            return None
        rows = self.store.connection().execute(
            f"SELECT p.id FROM {unit} p JOIN documents d ON d.id = p.document_id WHERE 1 {where}",
            params).fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.int64)

    def document_frequencies(self, terms: list[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each term (through the index's own tokenizer), and the total."""
        conn = self.store.connection()
        total = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        df = {t: conn.execute("SELECT COUNT(*) FROM passages_fts WHERE passages_fts MATCH ?",
                              (match_expression([t]),)).fetchone()[0] for t in terms}
        return df, total

    def _load_dense(self, unit: str) -> DenseIndex:
        path = self._dense_path(unit)
        return DenseIndex.load(path, self.dimension) if path.exists() else DenseIndex(self.dimension)

    def _dense_path(self, unit: str) -> Path:
        return self.directory / f"dense-{unit}.faiss"
