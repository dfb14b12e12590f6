"""Build (or reuse) an index of an evaluation corpus."""

from __future__ import annotations

import re
from pathlib import Path

from evals.datasets.squad import QASet
from qa.engine import Engine
from qa.settings import Settings


def corpus_engine(data: QASet, embedder: str, cache: Path, **overrides) -> Engine:
    """An engine over `data`'s paragraphs; an unchanged corpus is not re-embedded."""
    directory = cache / f"{re.sub(r'[^A-Za-z0-9_-]', '_', data.name)}-{embedder}"
    engine = Engine(Settings(index_dir=directory, embedder=embedder, ingest_sample_on_start=False, **overrides))
    engine.ingestor.ingest_raw(data.articles)
    return engine
