"""API keys and rate limits for the /v1 routes (FastAPI dependencies), and who may serve openly."""

from __future__ import annotations

import hmac
import ipaddress
import time

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError
from api.settings import ServiceSettings

_BEARER = "send 'Authorization: Bearer <key>'"


class Guard:
    """Checks `Authorization: Bearer <key>` and a per-client rate on every /v1 route.

    Reading (ask, documents, conversations) needs a key from `QA_API_KEYS`
    or `QA_ADMIN_KEYS` when either read keys are set; writing (adding and
    deleting documents, `authorize_write`) needs an admin key when admin keys
    are set, and without them is allowed only on loopback or with
    `QA_ALLOW_OPEN`. Keys are compared in constant time; the rate is counted
    per key, or per client address when reading is open.
    """

    def __init__(self, settings: ServiceSettings) -> None:
        self.read_keys = tuple(k.encode() for k in settings.api_key_list)
        self.admin_keys = tuple(k.encode() for k in settings.admin_key_list)
        self.open_writes = is_loopback(settings.host) or settings.allow_open
        self.rate = parse(settings.rate_limit) if settings.rate_limit else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def __call__(self, request: Request) -> None:
        key = self._authorize_read(request)
        if self.rate is not None and not self.limiter.hit(self.rate, "v1", key):
            reset = self.limiter.get_window_stats(self.rate, "v1", key).reset_time
            raise ApiError(429, "rate_limited", f"over the limit of {self.rate}; retry in "
                                                f"{max(int(reset - time.time()), 1)} s")

    def authorize_write(self, request: Request) -> None:
        """Raises 401/403 unless the caller may change the index."""
        if not self.admin_keys:
            if not self.open_writes:
                raise ApiError(403, "forbidden", "adding and deleting documents is off: this service is served "
                                                 "beyond loopback without QA_ADMIN_KEYS; set QA_ADMIN_KEYS")
            return
        token = _bearer_token(request)
        if token is None:
            raise ApiError(401, "unauthorized", f"missing admin key: {_BEARER} with a key from QA_ADMIN_KEYS")
        if _match(token, self.admin_keys) is None:
            raise ApiError(403, "forbidden", "this route changes the index: it needs an admin key (QA_ADMIN_KEYS)")

    def _authorize_read(self, request: Request) -> str:
        """The caller's identity for rate limiting; raises 401/403 when read keys are on and it has none."""
        if not self.read_keys:
            return request.client.host if request.client else "unknown"
        token = _bearer_token(request)
        if token is None:
            raise ApiError(401, "unauthorized", f"missing API key: {_BEARER}")
        matched = _match(token, self.read_keys + self.admin_keys)
        if matched is None:
            raise ApiError(403, "forbidden", "API key not recognised")
        return "key:" + str(matched)


def authorize_write(request: Request) -> None:
    """FastAPI dependency of the routes that change the index."""
    request.app.state.guard.authorize_write(request)


def exposure_problem(settings: ServiceSettings) -> str | None:
    """Why serving `settings` as configured would be open to anyone, or None when it is not."""
    if is_loopback(settings.host) or settings.api_key_list or settings.admin_key_list:
        return None
    return (f"refusing to serve on {settings.host} with no keys: anyone who can reach it could ask, add and delete "
            "documents. Set QA_API_KEYS (reading) and QA_ADMIN_KEYS (writing), or QA_ALLOW_OPEN=true to serve "
            "openly anyway")


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name may resolve to anything


def _bearer_token(request: Request) -> bytes | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip().encode()


def _match(given: bytes, keys: tuple[bytes, ...]) -> int | None:
    """The index of `given` among `keys`, comparing against every key so timing says nothing."""
    matched = [hmac.compare_digest(given, k) for k in keys]
    return matched.index(True) if any(matched) else None
