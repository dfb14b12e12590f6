"""What the front ends read besides the library's settings: HTTP, keys, CORS, Slack (env prefix `QA_`)."""

from __future__ import annotations

from pydantic import Field, field_validator

from index.settings import must_be_positive
from qa.settings import Settings


class ServiceSettings(Settings):
    """The whole of citeqa's one settings object: the library's settings plus the service's.

    `citeqa` commands and the HTTP app build one from the environment and
    pass it down; the library and storage read it as the part they type.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, description="Processes `citeqa serve` answers with (each loads the model; "
                                                "rate limits and /metrics are per process).")

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

    _positive_sizes = field_validator("workers", "max_request_bytes")(must_be_positive)

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
        return _comma_list(self.api_keys)

    @property
    def admin_key_list(self) -> list[str]:
        return _comma_list(self.admin_keys)

    @property
    def cors_origin_list(self) -> list[str]:
        return _comma_list(self.cors_origins)


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
