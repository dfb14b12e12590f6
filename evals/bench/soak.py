"""A bounded soak: `citeqa serve` under steady load for a while; errors and memory over time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from api.settings import ServiceSettings
from evals.bench.query_bench import questions
from evals.bench.served import Served, serve
from index.storage import named_location


def run(settings: ServiceSettings, work: Path, seconds: float, rate: float, clients: int = 4) -> dict:
    """About `rate` asks per second for `seconds`; RSS sampled every 10 s."""
    with serve(settings.model_copy(update=named_location(settings, "bench-soak", work, fresh=True))) as server:
        return asyncio.run(_soak(server, seconds, rate, clients))


async def _soak(server: Served, seconds: float, rate: float, clients: int) -> dict:
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
                r = await http.post(f"{server.url}/v1/ask", json={"question": texts[i % len(texts)]})
                counts["errors"] += r.status_code != 200
            except httpx.HTTPError:
                counts["errors"] += 1
            counts["requests"] += 1
            i += clients
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - began)))

    async def sampler() -> None:
        while time.perf_counter() - start < seconds:
            rss.append((round(time.perf_counter() - start, 1), server.memory_mb()))
            await asyncio.sleep(10)

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(sampler(), *(client(n, http) for n in range(clients)))
    rss.append((round(time.perf_counter() - start, 1), server.memory_mb()))
    after_warmup = [m for t, m in rss if t >= 30] or [m for _, m in rss]
    return {"seconds": seconds, "target_rate": rate, "requests": counts["requests"], "errors": counts["errors"],
            "achieved_rate": round(counts["requests"] / seconds, 1), "rss_mb": rss,
            "rss_growth_after_30s_mb": round(after_warmup[-1] - after_warmup[0], 1)}
