"""The engine behind the routes, loaded in the background at start-up."""

from __future__ import annotations

import logging
import threading

from api.errors import ApiError
from qa.engine import Engine
from qa.settings import Settings

log = logging.getLogger(__name__)


class EngineHolder:
    """Builds the engine off the event loop; routes wait for nothing and get 503 until ready."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine: Engine | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._load, name="engine-loader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _load(self) -> None:
        try:
            engine = Engine(self.settings)
            if self.settings.ingest_sample_on_start:
                engine.ingest_sample_if_empty()
            engine.warm()
            self.engine = engine
            log.info("ready: %s", engine.index.counts())
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
            reason = self.error or "the index is still loading"
            raise ApiError(503, "not_ready", reason)
        return self.engine
