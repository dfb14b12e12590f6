"""Paragraph retrieval quality: Recall@1/5/10, MRR@10 and nDCG@10 against the gold paragraph."""

from __future__ import annotations

import math

from evals.datasets.squad import QAItem
from qa.engine import Engine
from qa.retrieval.retriever import HybridRetriever

DEPTH = 10


def retrieval_scores(engine: Engine, items: tuple[QAItem, ...], mode: str) -> dict[str, float]:
    """Rank documents (paragraphs) by their best passage for each answerable question."""
    retriever = HybridRetriever(engine.pipeline.index, engine.pipeline.embedder, engine.settings.retrieve_depth,
                                engine.settings.rrf_k, mode, engine.settings.fusion)
    ranks = []
    for item in items:
        if item.answerable:
            ranks.append(_gold_rank(engine, retriever, item))
    n = max(len(ranks), 1)
    return {
        "R@1": sum(r is not None and r < 1 for r in ranks) / n,
        "R@5": sum(r is not None and r < 5 for r in ranks) / n,
        "R@10": sum(r is not None and r < 10 for r in ranks) / n,
        "MRR@10": sum(1.0 / (r + 1) for r in ranks if r is not None) / n,
        # One relevant paragraph per question, so the ideal DCG is 1.
        "nDCG@10": sum(1.0 / math.log2(r + 2) for r in ranks if r is not None) / n,
        "questions": len(ranks),
    }


def ranked_sources(engine: Engine, retriever: HybridRetriever, question: str, depth: int) -> list[str]:
    """The sources of the first `depth` distinct documents the retrieved passages come from."""
    found = retriever.retrieve(question, engine.settings.retrieve_depth)
    with engine.pipeline.index.reader() as reader:
        rows = reader.passages([pid for pid, _ in found.passages])
        documents = list(dict.fromkeys(rows[pid].document_id for pid, _ in found.passages if pid in rows))
        return [reader.document(d).source for d in documents[:depth]]


def _gold_rank(engine: Engine, retriever: HybridRetriever, item: QAItem) -> int | None:
    """0-based rank of the gold paragraph among distinct documents, or None beyond `DEPTH`."""
    sources = ranked_sources(engine, retriever, item.question, DEPTH)
    return sources.index(item.paragraph_key) if item.paragraph_key in sources else None
