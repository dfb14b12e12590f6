"""What routes are given (FastAPI dependencies): the engine, its loader, the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.settings import ServiceSettings
from api.state import EngineHolder
from qa.engine import Engine


def _holder(request: Request) -> EngineHolder:
    return request.app.state.holder


def _engine(holder: Annotated[EngineHolder, Depends(_holder)]) -> Engine:
    """The loaded engine; 503 while it loads or when loading failed."""
    return holder.get()


def _settings(holder: Annotated[EngineHolder, Depends(_holder)]) -> ServiceSettings:
    return holder.settings


HolderDep = Annotated[EngineHolder, Depends(_holder)]
EngineDep = Annotated[Engine, Depends(_engine)]
SettingsDep = Annotated[ServiceSettings, Depends(_settings)]
