"""A real `citeqa serve` process on loopback, for the load benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.settings import ServiceSettings


@dataclass(frozen=True)
class Served:
    """A running server: where it answers, its process, and how long it took to be ready."""

    url: str
    pid: int
    ready_s: float

    def memory_mb(self, field: str = "VmRSS") -> float | None:
        """A /proc/<pid>/status figure in MiB (VmRSS now, VmHWM the high-water mark)."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None
        return None


@contextmanager
def serve(settings: ServiceSettings, timeout_s: float = 300) -> Iterator[Served]:
    """Start `citeqa serve` on the settings' index (rate limit off); yield once /readyz says ready."""
    port = _free_port()
    env = os.environ | {"QA_STORE": settings.store, "QA_INDEX_DIR": str(settings.index_dir),
                        "QA_DATABASE_URL": settings.database_url, "QA_EMBEDDER": settings.embedder,
                        "QA_RATE_LIMIT": "", "QA_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "api", "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        yield Served(url, process.pid, _wait_ready(url, start, timeout_s))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _wait_ready(url: str, start: float, timeout_s: float) -> float:
    """Seconds from `start` until /readyz says ready; a failed load stops the run at once."""
    while time.perf_counter() - start < timeout_s:
        try:
            response = httpx.get(f"{url}/readyz", timeout=1)
            if response.status_code == 200:
                return time.perf_counter() - start
            message = response.json().get("message", "")
            if message != "loading":
                raise RuntimeError(f"the server failed to load: {message}")
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not ready after {timeout_s}s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
