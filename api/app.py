"""The FastAPI application."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors
from api.metrics import Metrics
from api.middleware import BodyLimit, Observe
from api.routes import ask, conversations, documents, health, page
from api.schemas import ErrorOut
from api.security import Guard
from api.settings import ServiceSettings
from api.state import EngineHolder
from qa import __version__

log = logging.getLogger(__name__)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The HTTP service for `settings` (default: from the environment)."""
    settings = ServiceSettings() if settings is None else settings
    holder = EngineHolder(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        holder.start()
        yield
        holder.close()

    app = FastAPI(title="citeqa", version=__version__, lifespan=lifespan, redirect_slashes=False,
                  description="Extractive, cited answers from news articles.")
    app.state.holder = holder
    app.state.metrics = Metrics()
    errors.install(app)
    app.include_router(health.router)
    app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=str(page.STATIC)), name="static")
    _install_slack(app, settings, holder)
    guard = app.state.guard = Guard(settings)
    guarded = {status: {"model": ErrorOut} for status in (401, 403, 413, 429)}
    for module in (ask, conversations, documents):
        app.include_router(module.router, dependencies=[Depends(guard)], responses=guarded)
    _install_middleware(app, settings)
    return app


def _install_slack(app: FastAPI, settings: ServiceSettings, holder: EngineHolder) -> None:
    """Mount the Slack bot when its secrets are set; say so either way."""
    if not (settings.slack_signing_secret and settings.slack_bot_token):
        log.warning("Slack routes are off: set QA_SLACK_SIGNING_SECRET and QA_SLACK_BOT_TOKEN to enable them")
        return
    from api.routes.slack import slack_router
    from api.slack.bot import SlackBot

    bot = SlackBot(settings, holder.get, holder.slack_store)
    app.include_router(slack_router(bot.app))
    log.info("Slack routes on: /slack/events, /slack/commands, /slack/interactions (Web API %s)",
             settings.slack_api_url)


def _install_middleware(app: FastAPI, settings: ServiceSettings) -> None:
    """Body-size limit, request ids with logs and metrics, and (when configured) CORS; the last added runs first."""
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(Observe, metrics=app.state.metrics)
    if settings.cors_origin_list:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origin_list,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["authorization", "content-type"])
