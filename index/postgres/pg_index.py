"""`DocumentIndex` on PostgreSQL: pgvector HNSW for dense search, full-text search + BM25 for keywords."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import psycopg

from index.backend import IndexUnavailableError, check_unit, filter_sql
from index.keyword import tokenize
from index.postgres.bm25 import bm25_query, document_text, fts5_length, lexeme
from index.postgres.migrate import migrate
from index.postgres.pool import connection, open_pool
from index.postgres.reader import DOCUMENT_COLUMNS, PostgresReader, document_from_row
from index.types import ChunkedDocument, Document, Filters, Hit


class PostgresIndex:
    """Documents, passages and sentences in one PostgreSQL database with pgvector.

    Every process pointed at the same database sees the same committed
    state at once: there is nothing to reload, so `refresh` is a no-op and
    writes from any process are searchable when their transaction commits.
    Each document is written in one transaction; an interrupted one rolls
    back and leaves the earlier version in place.
    """

    def __init__(self, url: str, embedder_name: str, dimension: int, pool_size: int = 10,
                 timeout_s: float = 5.0) -> None:
        if not url:
            raise ValueError("url must name a PostgreSQL database, got ''")
        if pool_size <= 0:
            raise ValueError(f"pool_size must be > 0, got {pool_size}")
        self.embedder_name = embedder_name
        self.dimension = dimension
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout_s))) as conn:
                migrate(conn, embedder_name, dimension)
        except psycopg.OperationalError as err:
            raise IndexUnavailableError(f"the PostgreSQL database cannot be reached: {err}") from err
        self.pool = open_pool(url, pool_size, timeout_s)

    def refresh(self) -> bool:
        """Nothing to catch up with: every query reads the committed state."""
        return False

    def publish(self) -> None:
        """Nothing to do: each document was visible everywhere when it committed."""

    @contextmanager
    def reader(self) -> Iterator[PostgresReader]:
        """Reads from one snapshot (a read-only, repeatable-read transaction)."""
        with connection(self.pool) as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield PostgresReader(conn)

    @contextmanager
    def write_lock(self, timeout_s: float) -> Iterator[None]:
        """No process-wide lock: writers of different documents run side by side, and writers of
        the same document queue on a per-document lock inside `replace_document`."""
        yield

    def dense_search(self, unit: str, vector: np.ndarray, k: int,
                     filters: Filters | None = None) -> list[Hit]:
        """Nearest units by inner product: HNSW over everything, exact over a filtered subset."""
        check_unit(unit)
        where, params = filter_sql(filters, "%s")
        query = np.asarray(vector, dtype=np.float32)
        if where:
            # Post-filtering an HNSW scan can return fewer than k hits; filtered sets are small.
            sql = (f"WITH allowed AS MATERIALIZED (SELECT u.id, u.embedding FROM {unit} u"
                   f" JOIN documents d ON d.id = u.document_id WHERE TRUE {where})"
                   " SELECT id, -(embedding <#> %s) FROM allowed ORDER BY embedding <#> %s LIMIT %s")
            args = [*params, query, query, k]
        else:
            sql = f"SELECT id, -(embedding <#> %s) FROM {unit} ORDER BY embedding <#> %s LIMIT %s"
            args = [query, query, k]
        with connection(self.pool) as conn:
            rows = conn.execute(sql, args).fetchall()
        return [Hit(int(i), float(s), f"dense-{unit}") for i, s in rows]

    def keyword_search(self, terms: list[str], k: int, filters: Filters | None = None,
                       frequencies: tuple[dict[str, int], int] | None = None) -> list[Hit]:
        """Passages ranked by BM25 (as SQLite FTS5 ranks them) over the given terms."""
        if not terms:
            return []
        df, total = self.document_frequencies(terms) if frequencies is None else frequencies
        idf = [max(math.log((total - df[t] + 0.5) / (df[t] + 0.5)), 1e-6) for t in terms]
        where, params = filter_sql(filters, "%s")
        with connection(self.pool) as conn:
            stats = conn.execute("SELECT passages, tokens FROM corpus_stats").fetchone()
            mean_length = stats[1] / stats[0] if stats[0] else 1.0
            rows = conn.execute(*bm25_query(terms, idf, mean_length, k, where, params)).fetchall()
        return [Hit(int(i), float(s), "keyword") for i, s in rows]

    def document_frequencies(self, terms: list[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each term, and the total number of passages."""
        with connection(self.pool) as conn, conn.transaction():
            total = conn.execute("SELECT passages FROM corpus_stats").fetchone()[0]
            rows = conn.execute(
                "SELECT t, (SELECT count(*) FROM passages WHERE tsv @@ plainto_tsquery('simple', t))"
                " FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, i) ORDER BY i",
                ([lexeme(t) for t in terms],)).fetchall()
        return {t: int(n) for t, (_, n) in zip(terms, rows)}, int(total)

    def content_hash(self, document_id: str) -> str | None:
        with connection(self.pool) as conn:
            row = conn.execute("SELECT content_hash FROM documents WHERE id = %s", (document_id,)).fetchone()
        return row[0] if row else None

    def get_document(self, document_id: str) -> Document | None:
        with self.reader() as reader:
            return reader.document(document_id)

    def list_documents(self, offset: int = 0, limit: int = 50) -> list[tuple[Document, int]]:
        """Documents, newest first, with their passage counts."""
        with connection(self.pool) as conn:
            rows = conn.execute(
                f"SELECT {DOCUMENT_COLUMNS}, (SELECT count(*) FROM passages p WHERE p.document_id = d.id)"
                " FROM documents d ORDER BY d.published DESC NULLS LAST, d.title LIMIT %s OFFSET %s",
                (limit, offset)).fetchall()
        return [(document_from_row(r[:-1]), int(r[-1])) for r in rows]

    def counts(self) -> dict[str, int]:
        with connection(self.pool) as conn:
            row = conn.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages),"
                               " (SELECT count(*) FROM sentences)").fetchone()
        return {"documents": int(row[0]), "passages": int(row[1]), "sentences": int(row[2])}

    def replace_document(self, chunked: ChunkedDocument, passage_vectors: np.ndarray,
                         sentence_vectors: np.ndarray) -> None:
        """Write a document and its units, replacing any earlier version, in one transaction."""
        doc = chunked.document
        passage_tokens = [tokenize(doc.title + "\n" + chunked.passage_text(p)) for p in chunked.passages]
        with connection(self.pool) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (doc.id,))
            _delete(conn, doc.id)
            conn.execute(
                "INSERT INTO documents (id, source, title, url, published, author, lang, tags, content_hash,"
                " text) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (doc.id, doc.source, doc.title, doc.url, doc.published, doc.author, doc.lang,
                 json.dumps(list(doc.tags)), doc.content_hash, doc.text))
            with conn.cursor() as cur:
                cur.executemany(
                    'INSERT INTO passages (document_id, idx, start, "end", first_sentence, last_sentence, lang,'
                    " n_tokens, tsv, embedding) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
                    " to_tsvector('simple', %s), %s)",
                    [(doc.id, p.index, p.start, p.end, p.first_sentence, p.last_sentence, p.lang, fts5_length(tokens),
                      document_text(tokens), _vector(v)) for p, tokens, v in zip(chunked.passages, passage_tokens,
                                                                             passage_vectors)])
                cur.executemany(
                    'INSERT INTO sentences (document_id, idx, start, "end", lang, embedding)'
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    [(doc.id, s.index, s.start, s.end, s.lang, _vector(v))
                     for s, v in zip(chunked.sentences, sentence_vectors)])
            conn.execute("UPDATE corpus_stats SET passages = passages + %s, tokens = tokens + %s",
                         (len(chunked.passages), sum(fts5_length(t) for t in passage_tokens)))

    def delete_document(self, document_id: str) -> bool:
        """Remove a document and everything derived from it; False if it was not there."""
        with connection(self.pool) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (document_id,))
            return _delete(conn, document_id)

    def close(self) -> None:
        """Close the connection pool."""
        self.pool.close()


def _delete(conn: psycopg.Connection, document_id: str) -> bool:
    """Delete a document (its units cascade) and take its passages out of the corpus statistics."""
    removed = conn.execute("SELECT count(*), COALESCE(sum(n_tokens), 0) FROM passages WHERE document_id = %s",
                           (document_id,)).fetchone()
    found = conn.execute("DELETE FROM documents WHERE id = %s", (document_id,)).rowcount > 0
    if removed[0]:
        conn.execute("UPDATE corpus_stats SET passages = passages - %s, tokens = tokens - %s", removed)
    return found


def _vector(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)

