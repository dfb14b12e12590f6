"""A real uvicorn server on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from api.app import create_app
from api.settings import ServiceSettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base_url: str, timeout_s: float = 180.0, path: str = "/readyz", in_a_row: int = 1) -> None:
    """Poll `path` until it answers 200 `in_a_row` times running (/readyz: the engine loads in the
    background; with several workers each request may reach another one)."""
    deadline, running = time.monotonic() + timeout_s, 0
    while time.monotonic() < deadline:
        try:
            running = running + 1 if httpx.get(f"{base_url}{path}", timeout=2.0).status_code == 200 else 0
        except httpx.TransportError:
            running = 0
        if running >= in_a_row:
            return
        time.sleep(0.1)
    raise TimeoutError(f"{base_url} not ready after {timeout_s}s")


@contextmanager
def running_server(settings: ServiceSettings, ready_path: str = "/readyz") -> Iterator[str]:
    """Serve the app for `settings` on loopback; yields the base URL once `ready_path` answers 200."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, path=ready_path)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
