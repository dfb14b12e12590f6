"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 once the index is loaded and the model warm; 503 before (or if loading failed)."""
    holder = request.app.state.holder
    if holder.engine is None:
        return JSONResponse({"code": "not_ready", "message": holder.error or "loading"}, status_code=503)
    return JSONResponse({"status": "ready", "counts": holder.engine.index.counts()})


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request):
    """Prometheus exposition: requests and latency per route, answered vs abstained, index size."""
    engine = request.app.state.holder.engine
    return request.app.state.metrics.render(engine.index.counts() if engine is not None else None)
