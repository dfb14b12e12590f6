"""Slack's three endpoints, handed to Bolt (which verifies signatures before anything else)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from api.errors import ApiError

MAX_SLACK_BODY = 1_000_000  # Slack's own payloads are far smaller


def slack_router(bolt: App) -> APIRouter:
    """POST /slack/events, /slack/commands and /slack/interactions."""
    router = APIRouter(prefix="/slack", include_in_schema=False)

    async def dispatch(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_SLACK_BODY:
            raise ApiError(413, "too_large", f"Slack request body over {MAX_SLACK_BODY} bytes")
        # Bolt's dispatch is synchronous (it may call auth.test once): keep it off the event loop.
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body)))

    for path in ("/events", "/commands", "/interactions"):
        router.add_api_route(path, dispatch, methods=["POST"])
    return router
