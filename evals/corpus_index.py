"""Build (or reuse) an index of an evaluation corpus, on whichever backend the settings name."""

from __future__ import annotations

from pathlib import Path

from api.settings import ServiceSettings
from evals.datasets.squad import QASet
from index.storage import named_location
from qa.engine import Engine


def corpus_engine(data: QASet, embedder: str, cache: Path, base: ServiceSettings | None = None, **overrides) -> Engine:
    """An engine over `data`'s paragraphs; an unchanged corpus is not re-embedded."""
    base = ServiceSettings() if base is None else base
    settings = base.model_copy(update={"embedder": embedder, "ingest_sample_on_start": False, **overrides,
                                       **named_location(base, f"{data.name}-{embedder}", cache)})
    engine = Engine(settings)
    engine.ingest_articles(data.articles)
    return engine
