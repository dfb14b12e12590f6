"""The command line as a user runs it: ingest, ask, delete, serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from support.server import free_port, wait_ready


def _run(args, index_dir, check=True):
    env = os.environ | {"QA_INDEX_DIR": str(index_dir), "QA_EMBEDDER": "hash", "QA_READER": "lexical", "QA_ANSWER_THRESHOLD": "0"}
    return subprocess.run([sys.executable, "-m", "api", *args], env=env, capture_output=True, text=True,
                          check=check, timeout=300)


def test_ingest_ask_delete(tmp_path):
    index_dir = tmp_path / "ix"
    (tmp_path / "a.txt").write_text("The harbour bridge reopened on Monday after repairs.")
    (tmp_path / "bad.bin").write_bytes(b"\x00\x01")
    out = _run(["ingest", str(tmp_path / "a.txt"), str(tmp_path / "bad.bin")], index_dir)
    assert "added 1, replaced 0, unchanged 0, skipped 1" in out.stdout
    assert "skipped" in out.stderr and "bad.bin" in out.stderr
    body = json.loads(_run(["ask", "When did the bridge reopen?", "--json"], index_dir).stdout)
    assert body["answers"][0]["text"] == "The harbour bridge reopened on Monday after repairs."
    doc_id = body["answers"][0]["document_id"]
    assert f"deleted {doc_id}" in _run(["delete", doc_id], index_dir).stdout
    again = _run(["delete", doc_id], index_dir, check=False)
    assert again.returncode == 1 and "no document with id" in again.stderr


def test_ask_rejects_blank_question(tmp_path):
    out = _run(["ask", "  "], tmp_path / "ix", check=False)
    assert out.returncode == 2 and "question is empty" in out.stderr


def test_ask_as_of_a_date(tmp_path):
    index_dir = tmp_path / "ix"  # the sample corpus is ingested on first use
    out = _run(["ask", "What did Hungary decide about Rutte last month?", "--as-of", "2024-04-02"], index_dir)
    assert out.stdout.startswith("“last month”: ") and "1 March 2024 to 31 March 2024" in out.stdout
    assert "As of 5 March 2024: " in out.stdout
    body = json.loads(_run(["ask", "Does Hungary support Rutte?", "--as-of", "2024-03-31", "--json"], index_dir).stdout)
    assert body["as_of"] == "2024-03-31" and all(a["published"] <= "2024-03-31" for a in body["answers"])
    bad = _run(["ask", "Does Hungary support Rutte?", "--as-of", "31/03/2024"], index_dir, check=False)
    assert bad.returncode == 2 and "--as-of" in bad.stderr


def test_eval_refuses_an_evaldata_folder_that_does_not_exist(tmp_path):
    out = _run(["eval", "--evaldata", str(tmp_path / "missing"), "--out", str(tmp_path / "out")],
               tmp_path / "ix", check=False)
    assert out.returncode == 2 and "--evaldata" in out.stderr and "exist" in out.stderr
    assert not (tmp_path / "out").exists()


def test_bad_top_k_and_oversized_files_are_refused_with_a_message(tmp_path):
    for top_k in ("0", "-1", "1000000"):
        out = _run(["ask", "When did the bridge reopen?", "--top-k", top_k], tmp_path / "ix", check=False)
        assert out.returncode == 2 and "--top-k" in out.stderr
    (tmp_path / "big.txt").write_text("word " * 300)
    env_limit = {"QA_MAX_FILE_BYTES": "1000"}
    out = subprocess.run([sys.executable, "-m", "api", "ingest", str(tmp_path / "big.txt")], capture_output=True,
                         text=True, timeout=300, env=os.environ | {"QA_INDEX_DIR": str(tmp_path / "ix"),
                                                                    "QA_EMBEDDER": "hash", "QA_READER": "lexical"} | env_limit)
    assert out.returncode == 1 and "over the limit of 1000" in out.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_ingests_the_sample_corpus_and_answers(tmp_path, workers):
    port = free_port()
    env = os.environ | {"QA_INDEX_DIR": str(tmp_path / "ix"), "QA_EMBEDDER": "hash", "QA_READER": "lexical"}
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", workers], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}", in_a_row=10 * int(workers))  # every worker, not just the first
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz").json()
        assert ready["counts"]["documents"] == 5
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:  # keep-alive, as browsers do
            for _ in range(4):
                r = http.post("/v1/ask", json={"question": "Stoltenberg contract"})
                assert r.status_code == 200 and r.json()["related"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_beyond_loopback_with_no_keys_is_refused_unless_allowed_open(tmp_path):
    refused = _run(["serve", "--host", "0.0.0.0", "--port", str(free_port())], tmp_path / "ix", check=False)
    assert refused.returncode == 2
    for setting in ("QA_API_KEYS", "QA_ADMIN_KEYS", "QA_ALLOW_OPEN"):
        assert setting in refused.stderr
    port = free_port()
    env = os.environ | {"QA_INDEX_DIR": str(tmp_path / "ix"), "QA_EMBEDDER": "hash", "QA_READER": "lexical",
                        "QA_ALLOW_OPEN": "true"}
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--host", "0.0.0.0", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        assert httpx.post(f"http://127.0.0.1:{port}/v1/ask", json={"question": "Stoltenberg contract"}).status_code == 200
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert "serving openly (QA_ALLOW_OPEN=true)" in stderr
