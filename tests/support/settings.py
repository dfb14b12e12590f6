"""Settings and engines for test indexes (never the environment's)."""

from __future__ import annotations

from pathlib import Path

from api.settings import ServiceSettings
from index.storage import Storage
from qa.engine import Engine, open_engine_storage
from qa.settings import DEFAULT_SAMPLE_DIR

DATA = DEFAULT_SAMPLE_DIR


def make_settings(index_dir: Path, embedder: str = "hash", **overrides) -> ServiceSettings:
    """Settings for a test index (never the environment's).

    The readers are calibrated for real models; with the hash embedder the
    lexical reader answers and every top candidate is shown, so fast tests
    check content, not confidence (tests/qa/test_reading.py drives the neural
    reader's cascade with a fake model).
    """
    if embedder == "hash":
        overrides.setdefault("answer_threshold", 0.0)
        overrides.setdefault("reader", "lexical")
    return ServiceSettings(index_dir=index_dir, embedder=embedder, sample_dir=DATA, **overrides)


def open_engine(settings: ServiceSettings) -> tuple[Engine, Storage]:
    """An engine and the storage it runs on, for tests that check what was stored."""
    storage = open_engine_storage(settings)
    return Engine(settings, storage), storage
