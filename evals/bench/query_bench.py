"""Start-up and /v1/ask latency through a real `citeqa serve` process on loopback."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import httpx
import numpy as np

from api.settings import ServiceSettings
from evals.bench.served import serve
from evals.datasets.gold import load
from index.storage import named_location
from qa.embedding import make_embedder

CONCURRENCY = (1, 8, 32)


def questions(lang: str | None = None) -> list[str]:
    """The gold set's questions (and each conversation's first), those in `lang` when given."""
    from qa.passages.language import detect_language

    gold = load()
    asked = [q.question for q in gold.questions] + [t.question for c in gold.conversations for t in c.turns[:1]]
    return [q for q in asked if lang is None or detect_language(q) == lang]


def embedding_floor(settings: ServiceSettings, texts: list[str]) -> float:
    """Median ms to embed one question in this process (the floor under any answer)."""
    embedder = make_embedder(settings.embedder, settings.model_cache_dir)
    embedder.warm()
    times = []
    for text in texts * 2:
        start = time.perf_counter()
        embedder.encode_query([text])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def reader_costs(settings: ServiceSettings) -> dict:
    """`reader_cost` of each shipped reading model, English questions and sentences for MiniLM,
    Chinese ones for the multilingual reader."""
    from qa.answer.reading.neural import DEFAULT_DIR, MULTILINGUAL_DIR

    costs = {"neural-en": reader_cost(settings, questions("en"), DEFAULT_DIR, "en")}
    if (MULTILINGUAL_DIR / "reader.json").is_file():
        costs["neural-multilingual"] = reader_cost(settings, questions("zh"), MULTILINGUAL_DIR, "zh")
    return costs


def reader_cost(settings: ServiceSettings, texts: list[str], directory: Path, lang: str = "en",
                sizes: tuple[int, ...] = (1, 2, 4, 8, 16)) -> dict:
    """Median ms for the reading model in `directory` to read n candidates of a question, and per candidate,
    for each n.

    The candidates are the sample corpus's sentences in `lang` (news-length), the
    questions `texts`; every n is read in one batch, as the service does."""
    from qa.answer.reading.neural import PairModel
    from qa.passages.language import word_count
    from qa.passages.sentences import split_sentences

    model = PairModel(directory, settings.model_cache_dir)
    model.load()
    sentences = [text[x.start:x.end] for path in sorted(settings.sample_dir.glob("*.txt"))
                 for text in [path.read_text(encoding="utf-8")]
                 for x in split_sentences("b", text) if x.lang == lang and word_count(text[x.start:x.end]) > 6]
    out = {}
    for n in sizes:
        times = []
        for i, question in enumerate(texts):
            batch = [sentences[(i * 7 + j) % len(sentences)] for j in range(n)]
            start = time.perf_counter()
            model.logits(question, batch)
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        out[n] = {"ms": round(median, 2), "ms_per_candidate": round(median / n, 2)}
    return out


def run(settings: ServiceSettings, work: Path, requests_per_level: int) -> dict:
    """Start a server on an empty index (it ingests the sample), then load it at each concurrency."""
    settings = settings.model_copy(update=named_location(settings, "bench-serve", work, fresh=True))
    with serve(settings) as server:
        levels = {c: asyncio.run(_load(server.url, questions(), c, requests_per_level)) for c in CONCURRENCY}
        chinese = asyncio.run(_load(server.url, questions("zh"), 1, requests_per_level))
        first, peak_rss_mb = server.ready_s, server.memory_mb("VmHWM")
    # A second start opens the existing index: nothing to ingest or embed.
    with serve(settings) as server:
        reopen = server.ready_s
    return {"first_start_to_ready_s": round(first, 2), "reopen_to_ready_s": round(reopen, 2),
            "peak_rss_mb": peak_rss_mb, "levels": levels, "chinese": chinese}


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
