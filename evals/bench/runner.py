"""Run the benchmarks and write bench.json, bench.md and bench.png."""

from __future__ import annotations

import json
import platform
import tempfile
from pathlib import Path

from api.settings import ServiceSettings
from evals.bench import ingest_bench, pg_scale_bench, query_bench, scale_bench
from index.storage import postgres_url


def run(settings: ServiceSettings, out: Path, quick: bool, sizes: tuple[int, ...]) -> dict:
    """Ingest, query and start-up on the sample corpus, then the index alone at `sizes`."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ingest = ingest_bench.run(settings, work, copies=1 if quick else 4)
        floor_ms = query_bench.embedding_floor(settings, query_bench.questions())
        reader = query_bench.reader_costs(settings) if settings.reader == "neural" else {}
        serve = query_bench.run(settings, work, requests_per_level=40 if quick else 400)
    scale = scale_bench.run(sizes, settings.sample_dir)
    database_url = postgres_url(settings)
    if database_url is not None:
        scale += pg_scale_bench.run(database_url, sizes, scale_bench.vocabulary_from(settings.sample_dir))
    report = {"machine": {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()},
              "embedder": settings.embedder, "store": settings.store, "quick": quick, "ingest": ingest,
              "reader": settings.reader, "question_embedding_ms": round(floor_ms, 2), "reader_cost": reader,
              "serve": serve, "scale": scale}
    for level in [*serve["levels"].values(), *([serve["chinese"]] if serve.get("chinese") else [])]:
        level["p50_over_embedding"] = round(level["p50_ms"] / floor_ms, 2)
        level["p99_over_embedding"] = round(level["p99_ms"] / floor_ms, 2)
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    (out / "bench.md").write_text(markdown(report))
    chart(report, out / "bench.png")
    return report


def markdown(r: dict) -> str:
    i, s = r["ingest"], r["serve"]
    lines = [f"# citeqa bench ({r['embedder']}, store {r.get('store', 'local')}, {r['machine']['cpus']} CPUs"
             f"{', quick' if r['quick'] else ''})", "",
             "## Ingest (sample corpus)", "", "| documents | passages | docs/s | passages/s | units/s | embedder units/s | ratio |",
             "|---|---|---|---|---|---|---|",
             f"| {i['documents']} | {i['passages']} | {i['documents_per_s']} | {i['passages_per_s']} | {i['units_per_s']} "
             f"| {i['embedder_units_per_s']} | {i['ratio_to_embedder']} |", "",
             f"## /v1/ask through uvicorn (question embedding alone: {r['question_embedding_ms']} ms)", "",
             "| concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms | p50 / embedding | p99 / embedding |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {c} | {v['requests']} | {v['errors']} | {v['requests_per_s']} | {v['p50_ms']} | {v['p95_ms']} "
              f"| {v['p99_ms']} | {v['p50_over_embedding']} | {v['p99_over_embedding']} |" for c, v in s["levels"].items()]
    lines += ["", f"Reader: {r.get('reader', 'lexical')}. Start-up to /readyz: {s['first_start_to_ready_s']} s on an "
                  f"empty index (ingests the sample), {s['reopen_to_ready_s']} s reopening it; peak RSS "
                  f"{s['peak_rss_mb']} MiB.", ""]
    if s.get("chinese"):
        z = s["chinese"]
        lines += [f"Chinese questions alone, 1 client: p50 {z['p50_ms']} ms "
                  f"({z['p50_over_embedding']}× the embedding), p99 {z['p99_ms']} ms, {z['errors']} errors.", ""]
    for model, costs in r.get("reader_cost", {}).items():
        lines += [f"## Reading model alone: {model} (one question's candidates in one batch)", "",
                  "| candidates | ms | ms per candidate |", "|---|---|---|"]
        lines += [f"| {n} | {v['ms']} | {v['ms_per_candidate']} |" for n, v in costs.items()]
        lines.append("")
    lines += ["## Index alone at scale (synthetic clustered 384-d vectors; keyword search over synthetic text)", "",
              "| passages | index | build s | p50 ms | p95 ms | recall@10 | bytes/passage | disk MiB |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {x['passages']} | {x['index']} | {x['build_s']} | {x['p50_ms']} | {x['p95_ms']} | "
              f"{x['recall@10'] if x['recall@10'] is not None else '–'} | {x['bytes_per_passage']} | {x['disk_mb']} |"
              for x in r["scale"]]
    return "\n".join(lines) + "\n"


def chart(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    levels = r["serve"]["levels"]
    for pct in ("p50_ms", "p95_ms", "p99_ms"):
        left.plot([str(c) for c in levels], [v[pct] for v in levels.values()], marker="o", label=pct[:3])
    left.axhline(r["question_embedding_ms"], color="grey", linestyle="--", label="embedding")
    left.set_xlabel("concurrent clients")
    left.set_ylabel("/v1/ask latency, ms")
    left.legend()
    def family(name: str) -> str:
        return "ivf" if name.startswith("ivf") else name  # the IVF's list count grows with size

    for name in sorted({family(x["index"]) for x in r["scale"]}):
        rows = [x for x in r["scale"] if family(x["index"]) == name]
        right.plot([x["passages"] for x in rows], [x["p50_ms"] for x in rows], marker="o", label=name)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("passages")
    right.set_ylabel("query p50, ms")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
