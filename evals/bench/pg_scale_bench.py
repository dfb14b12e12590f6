"""The PostgreSQL backend's index alone at growing sizes: pgvector HNSW and BM25 over full-text search.

The same synthetic vectors and text as `scale_bench` (FAISS, FTS5), bulk-loaded into the real
schema; queries go through `PostgresIndex.dense_search` / `keyword_search`, the service's own path.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import psycopg

from evals.bench.scale_bench import DIM, QUERIES, clustered_vectors, latency_row, query_terms, synthetic_passages
from index.postgres.bm25 import lexeme
from index.postgres.databases import drop_database, ensure_database
from index.postgres.pg_index import PostgresIndex

DATABASE = "citeqa_bench_scale"


def run(url: str, sizes: tuple[int, ...], vocabulary: list[str]) -> list[dict]:
    """Rows like `scale_bench.run`'s, for `pgvector-hnsw` and `pg-bm25`, at each size."""
    rows = []
    for n in sizes:
        drop_database(url, DATABASE)
        index = PostgresIndex(ensure_database(url, DATABASE), "synthetic", DIM, pool_size=2)
        try:
            rows += _measure(index, n, vocabulary)
        finally:
            index.close()
            drop_database(url, DATABASE)
    return rows


def _measure(index: PostgresIndex, n: int, vocabulary: list[str]) -> list[dict]:
    data = clustered_vectors(n)
    with index.pool.connection() as conn:
        dense_build_s, keyword_build_s = _load(conn, data, synthetic_passages(n, vocabulary))
        hnsw_bytes = conn.execute("SELECT pg_relation_size('passages_embedding')").fetchone()[0]
        gin_bytes = conn.execute("SELECT pg_relation_size('passages_tsv')").fetchone()[0]
        tsv_bytes = conn.execute("SELECT avg(pg_column_size(tsv)) FROM passages").fetchone()[0]
    queries = clustered_vectors(QUERIES, seed=1)
    latencies, recalls = [], []
    for q in queries:
        start = time.perf_counter()
        hits = index.dense_search("passages", q, 10)
        latencies.append((time.perf_counter() - start) * 1000)
        exact = set(np.argsort(-(data @ q))[:10] + 1)  # ids are 1..n in load order
        recalls.append(len(exact & {h.unit_id for h in hits}) / 10)
    dense = latency_row(n, "pgvector-hnsw", dense_build_s, latencies, float(np.mean(recalls)),
                        hnsw_bytes + n * (4 * DIM + 8))
    latencies = []
    for terms in query_terms(vocabulary):
        start = time.perf_counter()
        index.keyword_search(terms, 30)
        latencies.append((time.perf_counter() - start) * 1000)
    keyword = latency_row(n, "pg-bm25", keyword_build_s, latencies, None, gin_bytes + n * float(tsv_bytes))
    return [dense, keyword]


def _load(conn: psycopg.Connection, data: np.ndarray, passages: Iterator[list[str]]) -> tuple[float, float]:
    """Bulk-load passages without indexes, then build each index: (HNSW seconds, GIN seconds)."""
    conn.execute("DROP INDEX passages_embedding")
    conn.execute("DROP INDEX passages_tsv")
    conn.execute("INSERT INTO documents (id, source, title, lang, content_hash, text)"
                 " VALUES ('synthetic', 'synthetic', 'synthetic', 'en', '', '')")
    with conn.cursor().copy('COPY passages (document_id, idx, start, "end", first_sentence, last_sentence,'
                            " lang, n_tokens, tsv, embedding) FROM STDIN") as copy:
        tokens = 0
        for i, (vector, row) in enumerate(zip(data, passages)):
            tokens += len(row)
            copy.write_row(("synthetic", i, 0, 0, 0, 0, "en", len(row), _tsvector(row),
                            "[" + ",".join(f"{x:.6f}" for x in vector) + "]"))
    conn.execute("UPDATE corpus_stats SET passages = %s, tokens = %s", (len(data), tokens))
    conn.execute("SET maintenance_work_mem = '1GB'")
    start = time.perf_counter()
    conn.execute("CREATE INDEX passages_embedding ON passages USING hnsw (embedding vector_ip_ops)")
    dense_s = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("CREATE INDEX passages_tsv ON passages USING gin (tsv)")
    keyword_s = time.perf_counter() - start
    conn.execute("ANALYZE passages")
    return dense_s, keyword_s


def _tsvector(row: list[str]) -> str:
    """A tsvector literal with positions, as `to_tsvector('simple', ...)` would make of the words."""
    positions: dict[str, list[int]] = {}
    for at, word in enumerate(row, start=1):
        positions.setdefault(lexeme(word), []).append(at)
    return " ".join(f"'{w}':{','.join(map(str, p))}" for w, p in positions.items())
