"""The package as a deployment installs it: a wheel in a fresh virtualenv, run from an empty folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest
from support.server import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("pyproject.toml", "README.md", "qa", "index", "api", "evals", "data")

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv holding the built wheel; its dependencies come from the test environment."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    source.mkdir()
    for name in SHIPPED:  # a copy, so building leaves no build/ folder in the checkout
        src, dst = ROOT / name, source / name
        if src.is_dir():
            shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "out", "*.egg-info"))
        else:
            shutil.copy2(src, dst)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp / "dist"), str(source)], check=True, timeout=300)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    # A plain path line: the test environment's packages are importable, but not its editable citeqa,
    # whose finder only a processed site directory would install.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    [wheel] = (tmp / "dist").glob("citeqa-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "-q", str(wheel)], check=True, timeout=300)
    return venv


def _env(index_dir: Path) -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("QA_")} | {
        "QA_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"}


def test_the_package_is_imported_from_the_wheel_not_the_checkout(installed, tmp_path):
    out = subprocess.run([str(installed / "bin" / "python"), "-c", "import qa, api; print(qa.__file__, api.__file__)"],
                         cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60)
    assert str(ROOT) not in out.stdout and str(installed) in out.stdout


def test_the_installed_service_serves_the_sample_corpus_from_an_empty_folder(installed, tmp_path):
    port = free_port()
    proc = subprocess.Popen([str(installed / "bin" / "citeqa"), "serve", "--port", str(port)], cwd=tmp_path,
                            env=_env(tmp_path / "ix"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["counts"]["documents"] == 5
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/ask", timeout=60,
                            json={"question": "When does Stoltenberg's contract expire?"}).json()["answers"][0]
        assert "October 1" in answer["text"]
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200  # the web page's static files
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_installed_eval_suite_finds_its_gold_set(installed, tmp_path):
    subprocess.run([str(installed / "bin" / "citeqa"), "eval", "--quick", "--out", "report"], cwd=tmp_path,
                   env=_env(tmp_path / "ix"), capture_output=True, text=True, check=True, timeout=600)
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    gold = report["sample_gold_by_reader"]["neural"]
    assert gold["questions"] > 50 and gold["answerable_right"] > 0.4
    timed = report["time_questions"]["summary"]["all"]  # the made-up dated articles ship too
    assert timed["questions"] >= 30 and timed["time_filter_right"] == 1.0 and timed["right_at_1"] > 0.5


def test_an_empty_index_with_no_sample_corpus_says_so(installed, tmp_path):
    env = _env(tmp_path / "ix") | {"QA_SAMPLE_DIR": str(tmp_path / "nothing"), "QA_EMBEDDER": "hash"}
    out = subprocess.run([str(installed / "bin" / "citeqa"), "ask", "Who won?"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert "no sample corpus" in out.stderr and "QA_SAMPLE_DIR" in out.stderr
