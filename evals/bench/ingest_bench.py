"""Ingest throughput end to end, next to the raw embedder throughput on the same texts."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from api.settings import ServiceSettings
from index.storage import named_location
from qa.engine import Engine
from qa.ingest.readers import RawArticle, read_articles
from qa.ingest.sources import find_files, source_key


def corpus(sample_dir: Path, copies: int) -> list[RawArticle]:
    """The sample articles, `copies` times over under distinct sources (so each is new work)."""
    raws = [r for f in find_files([sample_dir]) if isinstance(f, Path)
            for r in read_articles(f, source_key(f), 50_000_000) if isinstance(r, RawArticle)]
    return [replace(r, key=f"{r.key}#copy{n}", body=f"{r.body}\n\nCopy {n}.") for n in range(copies) for r in raws]


def run(settings: ServiceSettings, work: Path, copies: int) -> dict:
    """Documents/s and passages/s through the pipeline, and the embedder's own sentences/s."""
    engine = Engine(settings.model_copy(update=named_location(settings, "bench-ingest", work, fresh=True)))
    engine.warm()
    articles = corpus(settings.sample_dir, copies)
    start = time.perf_counter()
    report = engine.ingest_articles(articles)
    pipeline_s = time.perf_counter() - start
    counts = engine.counts()
    # The ceiling: embedding exactly the units the pipeline embedded, in the same batches' spirit.
    texts = _unit_texts(engine)
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        engine.pipeline.embedder.encode_documents(texts[i:i + 64])
    embed_s = time.perf_counter() - start
    units = counts["passages"] + counts["sentences"]
    return {
        "documents": len(report.added), "passages": counts["passages"], "sentences": counts["sentences"],
        "pipeline_s": round(pipeline_s, 2), "documents_per_s": round(len(report.added) / pipeline_s, 2),
        "passages_per_s": round(counts["passages"] / pipeline_s, 2),
        "units_per_s": round(units / pipeline_s, 2),
        "embedder_units_per_s": round(len(texts) / embed_s, 2),
        "ratio_to_embedder": round((units / pipeline_s) / (len(texts) / embed_s), 3),
    }


def _unit_texts(engine: Engine) -> list[str]:
    """Every passage and sentence text the writer embedded (re-chunked from the stored documents)."""
    texts = []
    for doc, _ in engine.documents(limit=1_000_000):
        chunked = engine.pipeline.ingestor.chunker.chunk(doc)
        texts += [doc.title + "\n" + chunked.passage_text(p) for p in chunked.passages]
        texts += [chunked.sentence_text(s) for s in chunked.sentences]
    return texts
