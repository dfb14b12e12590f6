"""The index alone at growing sizes: query latency, recall@10 against exact search, build time,
memory and disk per passage, for exact (Flat), HNSW, IVF and IVF-PQ (re-ranked) FAISS indexes, plus
FTS5 keyword search.

Vectors are synthetic but clustered like real embeddings (unit vectors around topic centroids);
keyword rows are built from the sample corpus's vocabulary with a Zipf-like word distribution.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np

from index.dense import PQ_MIN_VECTORS, RERANK_POOL, ivf_index, omp_threads, rerank

DIM = 384  # multilingual-e5-small and MiniLM
QUERIES = 200


def clustered_vectors(n: int, seed: int = 0, topics: int = 2000, latent: int = 48) -> np.ndarray:
    """Unit vectors around `topics` centroids in a `latent`-dimensional subspace, like sentence
    embeddings (whose intrinsic dimension is far below 384), plus a little full-rank noise."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(99).standard_normal((latent, DIM)).astype(np.float32)
    centroids = np.random.default_rng(98).standard_normal((topics, latent)).astype(np.float32)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(start + 100_000, n)
        points = centroids[rng.integers(0, topics, stop - start)]
        points += 0.6 * rng.standard_normal(points.shape).astype(np.float32)
        out[start:stop] = points @ basis + 0.5 * rng.standard_normal((stop - start, DIM)).astype(np.float32)
    faiss.normalize_L2(out)
    return out


def index_types(n: int) -> dict[str, callable]:
    """Index factories to compare at size `n`."""
    nlist = int(4 * np.sqrt(n))

    def hnsw():
        index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
        return index

    # The third is the IVF the service switches to past QA_DENSE_EXACT_MAX (index/dense.py): from
    # 10k vectors on it holds product-quantised codes and re-ranks a pool with the exact vectors.
    types = {"flat": lambda: faiss.IndexFlatIP(DIM), "hnsw32": hnsw}
    if n >= PQ_MIN_VECTORS:
        types[f"ivf{nlist}-pq{DIM // 8}+rerank"] = lambda: ivf_index(DIM, n, quantised=True)
    types[f"ivf{nlist}"] = lambda: ivf_index(DIM, n, quantised=False)
    return types


def dense_scale(n: int) -> list[dict]:
    """One row per index type at size `n`."""
    data = clustered_vectors(n)
    queries = clustered_vectors(QUERIES, seed=1)
    rows, exact = [], None
    for name, factory in index_types(n).items():
        index = factory()
        start = time.perf_counter()
        if not index.is_trained:
            index.train(data[np.random.default_rng(2).choice(n, min(n, 100_000), replace=False)])
        index.add(data)
        build_s = time.perf_counter() - start
        latencies, found = [], []
        reranked = name.endswith("+rerank")
        with omp_threads(1):  # as the service searches (index/dense.py)
            for q in queries:
                t = time.perf_counter()
                scores, ids = index.search(q.reshape(1, -1), RERANK_POOL if reranked else 10)
                if reranked:  # the service reads these vectors from SQLite; here they are in memory
                    pairs = rerank([(i, s) for i, s in zip(ids[0].tolist(), scores[0].tolist()) if i >= 0], q, 10,
                                   lambda wanted: (wanted, data[wanted]))
                    ids = np.asarray([[i for i, _ in pairs]])
                latencies.append((time.perf_counter() - t) * 1000)
                found.append(ids[0])
        found = np.asarray(found)
        if exact is None:
            exact = found  # flat comes first: exact search is the reference
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact)]))
        rows.append(latency_row(n, name, build_s, latencies, recall, faiss.serialize_index(index).nbytes))
        del index
    return rows


def synthetic_passages(n: int, vocabulary: list[str], length: int = 120) -> Iterator[list[str]]:
    """`n` passages of `length` words drawn Zipf-like from `vocabulary` (the same ones every run)."""
    rng = np.random.default_rng(3)
    ranks = np.arange(1, len(vocabulary) + 1)
    weights = (1.0 / ranks) / np.sum(1.0 / ranks)
    for chunk in range(0, n, 20_000):
        for row in rng.choice(len(vocabulary), size=(min(20_000, n - chunk), length), p=weights):
            yield [vocabulary[w] for w in row]


def query_terms(vocabulary: list[str]) -> Iterator[list[str]]:
    """`QUERIES` three-term questions: content terms are not the commonest words, so they come
    from the rest, evenly."""
    rng = np.random.default_rng(4)
    pool = vocabulary[100:] or vocabulary
    for _ in range(QUERIES):
        yield [pool[w] for w in rng.choice(len(pool), 3)]


def latency_row(n: int, name: str, build_s: float, latencies: list[float], recall: float | None,
                size_bytes: float) -> dict:
    """One table row: build time, latency percentiles, recall and size per passage."""
    return {"passages": n, "index": name, "build_s": round(build_s, 2),
            "p50_ms": round(float(np.percentile(latencies, 50)), 3),
            "p95_ms": round(float(np.percentile(latencies, 95)), 3),
            "recall@10": None if recall is None else round(recall, 4),
            "bytes_per_passage": round(size_bytes / n, 1), "disk_mb": round(size_bytes / 2**20, 1)}


def keyword_scale(n: int, vocabulary: list[str]) -> dict:
    """FTS5 (what the local index uses) over `n` synthetic passages: build time, size, query latency."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fts.sqlite"
        conn = sqlite3.connect(path)
        conn.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='porter unicode61')")
        start = time.perf_counter()
        conn.executemany("INSERT INTO p(text) VALUES (?)", ((" ".join(row),) for row in synthetic_passages(n, vocabulary)))
        conn.commit()
        build_s = time.perf_counter() - start
        latencies = []
        for terms in query_terms(vocabulary):
            expr = " OR ".join(f'"{t}"' for t in terms)
            t = time.perf_counter()
            conn.execute("SELECT rowid, bm25(p) FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 30", (expr,)).fetchall()
            latencies.append((time.perf_counter() - t) * 1000)
        conn.close()
        size = path.stat().st_size
    return latency_row(n, "fts5-bm25", build_s, latencies, None, size)


def vocabulary_from(sample_dir: Path, size: int = 50_000) -> list[str]:
    """Words of the sample corpus, most frequent first, extended with made-up words to a news-sized
    vocabulary (a few thousand words alone would make every posting list huge)."""
    counts: dict[str, int] = {}
    for path in sorted(sample_dir.iterdir()):
        for word in re.findall(r"[A-Za-z]{3,}", path.read_text(encoding="utf-8", errors="ignore")):
            counts[word.lower()] = counts.get(word.lower(), 0) + 1
    words = sorted(counts, key=lambda w: -counts[w])
    stems = words[:500]
    n = 0
    while len(words) < size:
        words.append(f"{stems[n % len(stems)]}{'aeiou'[n % 5]}{n // len(stems)}x")
        n += 1
    return words


def run(sizes: tuple[int, ...], sample_dir: Path) -> list[dict]:
    vocabulary = vocabulary_from(sample_dir)
    rows = []
    for n in sizes:
        rows += dense_scale(n)
        rows.append(keyword_scale(n, vocabulary))
    return rows
