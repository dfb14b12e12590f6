"""A bounded soak: `citeqa serve` under steady load for a while; errors and memory over time."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from evals.bench.query_bench import _free_port, _wait_ready, questions
from qa.settings import Settings


def run(settings: Settings, work: Path, seconds: float, rate: float, clients: int = 4) -> dict:
    """About `rate` asks per second for `seconds`; RSS sampled every 10 s."""
    port = _free_port()
    env = os.environ | {"QA_INDEX_DIR": str(work / "soak-index"), "QA_EMBEDDER": settings.embedder,
                        "QA_RATE_LIMIT": "", "QA_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "qa", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, time.perf_counter())
        result = asyncio.run(_soak(url, server.pid, seconds, rate, clients))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    return result


async def _soak(url: str, pid: int, seconds: float, rate: float, clients: int) -> dict:
    texts = questions()
    counts = {"requests": 0, "errors": 0}
    rss: list[tuple[float, float]] = []
    start = time.perf_counter()
    interval = clients / rate  # each client paces itself

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = n
        while time.perf_counter() - start < seconds:
            began = time.perf_counter()
            try:
                r = await http.post(f"{url}/v1/ask", json={"question": texts[i % len(texts)]})
                counts["errors"] += r.status_code != 200
            except httpx.HTTPError:
                counts["errors"] += 1
            counts["requests"] += 1
            i += clients
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - began)))

    async def sampler() -> None:
        while time.perf_counter() - start < seconds:
            rss.append((round(time.perf_counter() - start, 1), _rss_mb(pid)))
            await asyncio.sleep(10)

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(sampler(), *(client(n, http) for n in range(clients)))
    rss.append((round(time.perf_counter() - start, 1), _rss_mb(pid)))
    after_warmup = [m for t, m in rss if t >= 30] or [m for _, m in rss]
    return {"seconds": seconds, "target_rate": rate, "requests": counts["requests"], "errors": counts["errors"],
            "achieved_rate": round(counts["requests"] / seconds, 1), "rss_mb": rss,
            "rss_growth_after_30s_mb": round(after_warmup[-1] - after_warmup[0], 1)}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
