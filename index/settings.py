"""Where and how the index is stored: the storage part of citeqa's one settings object (env prefix `QA_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def must_be_positive(cls, value: int, info) -> int:
    """A field validator every settings layer uses for its counts and sizes."""
    if value <= 0:
        raise ValueError(f"{info.field_name} must be > 0, got {value}")
    return value


class StorageSettings(BaseSettings):
    """The settings storage reads; `qa.settings.Settings` and `api.settings.ServiceSettings` extend it.

    One instance per process is built by the front end and passed down;
    each layer types it by the part it reads.
    """

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    store: Literal["local", "postgres"] = Field(
        default="local", description="local: FAISS + SQLite in index_dir; postgres: pgvector at database_url.")
    index_dir: Path = Field(default=Path("citeqa-index"), description="Where the index lives.")
    database_url: str = Field(default="", description="PostgreSQL URL (libpq form) when store is postgres.")
    database_pool_size: int = Field(default=10, description="Connections per process to PostgreSQL.")
    database_timeout_s: float = Field(default=5.0, gt=0, description="Wait this long for PostgreSQL before a 503.")
    dense_exact_max: int = Field(default=100_000, description="Above this many units, FAISS IVF replaces exact search.")
    write_lock_timeout_s: float = 30.0

    _positive = field_validator("database_pool_size", "dense_exact_max")(must_be_positive)

    @model_validator(mode="after")
    def _database(self) -> "StorageSettings":
        if self.store == "postgres" and not self.database_url:
            raise ValueError("store 'postgres' needs database_url (QA_DATABASE_URL), got ''")
        return self
