"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import HolderDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(holder: HolderDep) -> JSONResponse:
    """200 once the index is loaded and the model warm; 503 before (or if loading failed)."""
    counts = holder.counts()
    if counts is None:
        return JSONResponse({"code": "not_ready", "message": holder.error or "loading"}, status_code=503)
    return JSONResponse({"status": "ready", "counts": counts})


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, holder: HolderDep):
    """Prometheus exposition: requests and latency per route, answered vs abstained, index size."""
    return request.app.state.metrics.render(holder.counts())
