"""Start-up and /v1/ask latency through a real `citeqa serve` process on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from evals.datasets.gold import load
from qa.engine import Engine
from qa.settings import Settings

CONCURRENCY = (1, 8, 32)


def questions() -> list[str]:
    gold = load()
    return [q.question for q in gold.questions] + [t.question for c in gold.conversations for t in c.turns[:1]]


def embedding_floor(settings: Settings, texts: list[str]) -> float:
    """Median ms to embed one question in this process (the floor under any answer)."""
    engine = Engine(settings.model_copy(update={"ingest_sample_on_start": False}))
    engine.warm()
    times = []
    for text in texts * 2:
        start = time.perf_counter()
        engine.embedder.encode_query([text])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(settings: Settings, work: Path, requests_per_level: int) -> dict:
    """Start a server on an empty index (it ingests the sample), then load it at each concurrency."""
    port = _free_port()
    env = os.environ | {"QA_INDEX_DIR": str(work / "serve-index"), "QA_EMBEDDER": settings.embedder,
                        "QA_RATE_LIMIT": "", "QA_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "qa", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        first_start_s = _wait_ready(url, start)
        levels = {c: asyncio.run(_load(url, questions(), c, requests_per_level)) for c in CONCURRENCY}
        peak_rss_mb = _peak_rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    # A second start opens the existing index: nothing to ingest or embed.
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "qa", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reopen_s = _wait_ready(url, start)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    return {"first_start_to_ready_s": round(first_start_s, 2), "reopen_to_ready_s": round(reopen_s, 2),
            "peak_rss_mb": peak_rss_mb, "levels": levels}


async def _load(url: str, texts: list[str], concurrency: int, total: int) -> dict:
    """`total` asks from `concurrency` concurrent clients; latency percentiles and throughput."""
    latencies: list[float] = []
    errors = 0
    queue = [texts[i % len(texts)] for i in range(total)]

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while queue:
            question = queue.pop()
            start = time.perf_counter()
            try:
                response = await http.post(f"{url}/v1/ask", json={"question": question})
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - start) * 1000)
            errors += not ok

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency)) as http:
        await http.post(f"{url}/v1/ask", json={"question": texts[0]})  # warm the connection and caches
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        wall = time.perf_counter() - start
    lat = np.asarray(latencies)
    return {"requests": total, "errors": errors, "requests_per_s": round(total / wall, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 1), "p95_ms": round(float(np.percentile(lat, 95)), 1),
            "p99_ms": round(float(np.percentile(lat, 99)), 1)}


def _wait_ready(url: str, start: float, timeout_s: float = 300) -> float:
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


def _peak_rss_mb(pid: int) -> float | None:
    """The process's high-water resident set (Linux /proc), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
