"""The FastAPI application."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.routes import ask, conversations, documents, health
from api.state import EngineHolder
from qa import __version__
from qa.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The HTTP service for `settings` (default: from the environment)."""
    holder = EngineHolder(Settings() if settings is None else settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        holder.start()
        yield

    app = FastAPI(title="citeqa", version=__version__, lifespan=lifespan,
                  description="Extractive, cited answers from news articles.")
    app.state.holder = holder
    errors.install(app)
    for module in (health, ask, conversations, documents):
        app.include_router(module.router)
    return app
