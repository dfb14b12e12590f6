"""Errors as JSON `{code, message}` with the right status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from index.backend import IndexUnavailableError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the API reports to the client."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _body(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _validation_message(err: RequestValidationError) -> str:
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET", "type": "http"})
        if match != Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Register the JSON error handlers."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(_body(err.code, err.message), status_code=err.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        return JSONResponse(_body("validation_error", _validation_message(err)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException) -> JSONResponse:
        if err.status_code == 400:  # FastAPI's "error parsing the body": bytes that are not JSON
            return JSONResponse(_body("validation_error", "body: not valid JSON (or not UTF-8)"), status_code=422)
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        headers = dict(err.headers or {})
        if err.status_code == 405:  # Starlette lists only the first matching route's methods
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return JSONResponse(_body(code, str(err.detail)), status_code=err.status_code, headers=headers)

    @app.exception_handler(IndexUnavailableError)
    async def _unavailable(_: Request, err: IndexUnavailableError) -> JSONResponse:
        log.error("index unavailable: %s", err)
        return JSONResponse(_body("index_unavailable", "the index's database cannot be reached; try again shortly"),
                            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, err: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(_body("internal_error", "unexpected server error"), status_code=500)
