"""Structured JSON logs (the access line per request is written by `api.middleware.Observe`)."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

access = logging.getLogger("citeqa.access")


def configure(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the service's own logs and uvicorn's."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
