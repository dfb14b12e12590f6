"""Several `citeqa serve` processes on one PostgreSQL database act as one service."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import httpx
import pytest
from support.citations import assert_cited
from support.server import free_port, wait_ready

QUESTION = "Who is Mark Rutte?"


@contextmanager
def replica(database_url: str, index_dir) -> Iterator[str]:
    """One API process (its own port and local directory) on the shared database; its base URL."""
    port = free_port()
    env = os.environ | {"QA_STORE": "postgres", "QA_DATABASE_URL": database_url, "QA_INDEX_DIR": str(index_dir),
                        "QA_EMBEDDER": "hash", "QA_READER": "lexical", "QA_ANSWER_THRESHOLD": "0", "QA_RATE_LIMIT": "",
                        "QA_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    log = open(f"{index_dir}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve"], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, timeout_s=120)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _ask(url: str, question: str, **extra) -> dict:
    r = httpx.post(f"{url}/v1/ask", json={"question": question, **extra}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _text_of(url: str):
    return lambda doc_id: httpx.get(f"{url}/v1/documents/{doc_id}", timeout=30).json()["text"]


def _quotes(body: dict) -> list:
    return [(a["document_id"], a["start"], a["end"], a["text"]) for a in body["answers"]]


def test_replicas_share_documents_answers_and_conversations(pg_url, tmp_path):
    with ExitStack() as stack:
        # Started together on an empty database: both migrate and ingest the sample corpus at once.
        with ThreadPoolExecutor(2) as pool:
            a, b = pool.map(lambda name: stack.enter_context(replica(pg_url, tmp_path / name)), ["a", "b"])
        assert httpx.get(f"{a}/readyz").json()["counts"] == httpx.get(f"{b}/readyz").json()["counts"]
        assert httpx.get(f"{a}/readyz").json()["counts"]["documents"] == 5

        assert _quotes(_ask(a, QUESTION)) == _quotes(_ask(b, QUESTION)) != []

        added = httpx.post(f"{a}/v1/documents", timeout=60, json={
            "title": "Wombat council", "url": "https://example.org/wombats",
            "text": "The wombat council of Canberra meets every Tuesday at noon in the old mill."})
        assert added.status_code in (200, 201), added.text
        found = _ask(b, "When does the wombat council meet?")
        assert "Tuesday" in found["answers"][0]["text"]
        assert_cited(found, _text_of(a))

        first = _ask(a, "Who is Hungary's foreign minister?")
        follow = _ask(b, "What did he say about supporting Rutte?", conversation_id=first["conversation_id"])
        stored = httpx.get(f"{a}/v1/conversations/{first['conversation_id']}", timeout=30).json()
        assert [t["question"] for t in stored["turns"]] == ["Who is Hungary's foreign minister?",
                                                            "What did he say about supporting Rutte?"]
        assert stored["turns"][1]["result"]["resolved_question"] == follow["resolved_question"]

        doc_id = found["answers"][0]["document_id"]
        assert httpx.delete(f"{b}/v1/documents/{doc_id}", timeout=30).status_code == 204
        assert httpx.get(f"{a}/v1/documents/{doc_id}", timeout=30).status_code == 404
        assert all(x["document_id"] != doc_id for x in _ask(a, "When does the wombat council meet?")["answers"])


def test_a_database_outage_is_a_503_and_the_service_recovers_when_it_returns(tmp_path):
    pgserver = pytest.importorskip("pgserver", reason="the pgserver wheel (a test extra) is not installed here")
    from support.postgres import private_data_dir
    from support.server import running_server
    from support.settings import make_settings

    from index.postgres.databases import ensure_database

    with private_data_dir() as data:
        server = pgserver.get_server(data, cleanup_mode="stop")
        url = ensure_database(server.get_uri(), "outage")
        settings = make_settings(tmp_path / "ix", store="postgres", database_url=url, database_timeout_s=2.0,
                                 rate_limit="")
        with running_server(settings) as base:
            assert _ask(base, QUESTION)["answers"]
            server.cleanup()  # the database goes down
            down = httpx.post(f"{base}/v1/ask", json={"question": QUESTION}, timeout=60)
            assert down.status_code == 503 and down.json()["code"] == "index_unavailable"
            assert down.headers["retry-after"] == "5" and "postgres" not in down.text.lower()
            server = pgserver.get_server(data, cleanup_mode="stop")  # and comes back
            try:
                assert _ask(base, QUESTION)["answers"]
            finally:
                server.cleanup()
