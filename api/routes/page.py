"""The web chat page (plain HTML/JS/CSS, no build step)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
STATIC = resources.files("api") / "static"


@router.get("/", response_class=HTMLResponse)
def page() -> HTMLResponse:
    """The chat page."""
    return HTMLResponse(STATIC.joinpath("index.html").read_text(encoding="utf-8"))
