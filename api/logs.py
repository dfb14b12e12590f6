"""Structured JSON logs, one line per request, each with a request id."""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import Request
from pythonjsonlogger.json import JsonFormatter

access = logging.getLogger("citeqa.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def configure(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the service's own logs and uvicorn's."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


async def request_id_middleware(request: Request, call_next):
    """Reuse a sane incoming X-Request-ID or make one; echo it and log the request with it."""
    incoming = request.headers.get("x-request-id", "")
    request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request.state.request_id = request_id
    start = time.perf_counter()
    response = await call_next(request)
    response.headers["x-request-id"] = request_id
    route = getattr(request.scope.get("route"), "path", request.url.path)
    # Never the headers or body: they may carry API keys or article text.
    access.info("request", extra={"request_id": request_id, "method": request.method, "route": route,
                                  "status": response.status_code,
                                  "ms": round((time.perf_counter() - start) * 1000, 2)})
    return response
