"""API keys and rate limits for the /v1 routes (FastAPI dependencies)."""

from __future__ import annotations

import hmac
import time

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError
from qa.settings import Settings


class Guard:
    """Checks `Authorization: Bearer <key>` (when keys are configured) and a per-client rate.

    Keys are compared in constant time; the rate is counted per API key, or
    per client address when keys are off.
    """

    def __init__(self, settings: Settings) -> None:
        self.keys = tuple(k.encode() for k in settings.api_key_list)
        self.rate = parse(settings.rate_limit) if settings.rate_limit else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def __call__(self, request: Request) -> None:
        key = self._authorize(request)
        if self.rate is not None and not self.limiter.hit(self.rate, "v1", key):
            reset = self.limiter.get_window_stats(self.rate, "v1", key).reset_time
            raise ApiError(429, "rate_limited", f"over the limit of {self.rate}; retry in "
                                                f"{max(int(reset - time.time()), 1)} s")

    def _authorize(self, request: Request) -> str:
        """The caller's identity for rate limiting; raises 401/403 when keys are on and it has none."""
        if not self.keys:
            return request.client.host if request.client else "unknown"
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'")
        given = token.strip().encode()
        # Compare against every key so the time taken does not say which one nearly matched.
        matched = [hmac.compare_digest(given, k) for k in self.keys]
        if not any(matched):
            raise ApiError(403, "forbidden", "API key not recognised")
        return "key:" + str(matched.index(True))
