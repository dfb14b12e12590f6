"""Build (or reuse) an index of an evaluation corpus, on whichever backend the settings name."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from evals.datasets.squad import QASet
from qa.engine import Engine
from qa.settings import Settings


def corpus_engine(data: QASet, embedder: str, cache: Path, base: Settings | None = None, **overrides) -> Engine:
    """An engine over `data`'s paragraphs; an unchanged corpus is not re-embedded."""
    base = Settings() if base is None else base
    settings = base.model_copy(update={"embedder": embedder, "ingest_sample_on_start": False, **overrides,
                                       **corpus_location(base, f"{data.name}-{embedder}", cache)})
    engine = Engine(settings)
    engine.ingestor.ingest_raw(data.articles)
    return engine


def corpus_location(settings: Settings, name: str, cache: Path, fresh: bool = False) -> dict:
    """Settings overrides placing a named eval or bench index: a directory under `cache`, or
    (postgres) a database of its own on the configured server, so it never writes into the
    served index. `fresh`: start it empty."""
    slug = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if settings.store == "postgres":
        from index.postgres.databases import drop_database, ensure_database

        database = f"citeqa_eval_{slug}"[:63]
        if fresh:
            drop_database(settings.database_url, database)
        return {"database_url": ensure_database(settings.database_url, database)}
    directory = cache / re.sub(r"[^A-Za-z0-9_-]", "_", name)
    if fresh and directory.exists():
        shutil.rmtree(directory)
    return {"index_dir": directory}
