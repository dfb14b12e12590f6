"""The engine behind the routes, loaded in the background at start-up."""

from __future__ import annotations

import logging
import threading

from api.errors import ApiError
from api.settings import ServiceSettings
from index.slack.pg_store import PostgresSlackStore
from index.slack.sqlite_store import SlackStore
from index.storage import Storage
from qa.engine import Engine, open_engine_storage

log = logging.getLogger(__name__)


class EngineHolder:
    """Opens the storage and builds the engine off the event loop; until then routes get 503."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.engine: Engine | None = None
        self.storage: Storage | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._load, name="engine-loader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _load(self) -> None:
        try:
            storage = open_engine_storage(self.settings)
            engine = Engine(self.settings, storage)
            if self.settings.ingest_sample_on_start:
                engine.ingest_sample_if_empty()
            engine.warm()
            self.storage, self.engine = storage, engine
            log.info("ready: %s", engine.counts())
        except Exception as err:  # reported by /readyz; the process stays up to say so
            log.exception("engine failed to load")
            self.error = str(err)

    def close(self) -> None:
        """Release the engine's connections at shutdown (a load still running keeps its own)."""
        if self.engine is not None:
            self.engine.close()

    def get(self) -> Engine:
        """The engine, or a 503 saying why it is not there."""
        if self.engine is None:
            raise ApiError(503, "not_ready", self.error or "the index is still loading")
        return self.engine

    def slack_store(self) -> SlackStore | PostgresSlackStore:
        """The Slack bot's memory, beside the index; 503 until the storage is open."""
        self.get()
        assert self.storage is not None
        return self.storage.slack

    def counts(self) -> dict[str, int] | None:
        """The index's counts once loaded, else None."""
        return self.engine.counts() if self.engine is not None else None
