"""Crash safety: `citeqa ingest` killed with SIGKILL at random points, many times over.

Every round rewrites the corpus (a new version of each article), so each run adds or replaces
documents when it is killed. After every kill the index opens, every committed document is
whole, answerable and exactly one version (old or new, never a mix), and nothing committed is
lost; a final run completes the corpus.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from support.settings import make_settings

from index.types import Filters
from qa.engine import Engine

ARTICLES = 60
KILLS = 10


def _write_corpus(folder, version: int) -> None:
    folder.mkdir(exist_ok=True)
    for n in range(ARTICLES):
        body = " ".join(f"Filler sentence {k} about the council budget of town {n}, edition {version}."
                        for k in range(40))
        (folder / f"article_{n:03d}.txt").write_text(
            f"Town {n} report\n\nThe code word of town {n} is zebra{n}v{version}x. {body}\n", encoding="utf-8")


def _check_whole(index_dir, versions: set[int]) -> int:
    """Open the index and check every committed document; returns how many there are."""
    engine = Engine(make_settings(index_dir))
    store = engine.pipeline.index.store
    conn = store.connection()
    for doc, passages in store.list_documents(0, 10_000):
        sentences = conn.execute("SELECT COUNT(*) FROM sentences WHERE document_id = ?", (doc.id,)).fetchone()[0]
        assert passages > 0 and sentences > 0, f"partial document {doc.source}"
        town = doc.title.split()[1]
        held = {v for v in versions if f"zebra{town}v{v}x" in doc.text}
        assert len(held) == 1 and doc.text.count("edition") == 40, f"mixed versions in {doc.source}"
        top = engine.ask(f"What is the code word of town {town}?", 1, Filters(document_ids=(doc.id,))).answers[0]
        assert f"zebra{town}v{held.pop()}x" in top.text and doc.text[top.start:top.end] == top.text
        stale = conn.execute("SELECT COUNT(*) FROM passages_fts WHERE passages_fts MATCH ?",
                             (f'"zebra{town}v"',)).fetchone()[0]
        assert stale <= passages
    counts = store.counts()
    assert len(engine.pipeline.index.dense("passages")) == counts["passages"]
    assert len(engine.pipeline.index.dense("sentences")) == counts["sentences"]
    return counts["documents"]


def test_ingest_survives_sigkill_at_random_points(tmp_path):
    corpus = tmp_path / "corpus"
    index_dir = tmp_path / "index"
    env = os.environ | {"QA_INDEX_DIR": str(index_dir), "QA_EMBEDDER": "hash", "QA_READER": "lexical", "HF_HUB_OFFLINE": "1"}
    rng = random.Random(7)
    seen = []
    for version in range(KILLS):
        _write_corpus(corpus, version)
        proc = subprocess.Popen([sys.executable, "-m", "api", "ingest", str(corpus)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.5, 5.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.append(_check_whole(index_dir, set(range(version + 1))))
    assert seen == sorted(seen)  # committed documents are never lost
    final = subprocess.run([sys.executable, "-m", "api", "ingest", str(corpus)], env=env,
                           capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert _check_whole(index_dir, {KILLS - 1}) == ARTICLES
    print(f"documents committed after each kill: {seen}")


def test_server_killed_during_uploads_keeps_the_index_whole(tmp_path):
    import threading

    import httpx
    from support.server import free_port, wait_ready

    index_dir = tmp_path / "index"
    rng = random.Random(11)
    committed = []
    for version in range(4):
        port = free_port()
        env = os.environ | {"QA_INDEX_DIR": str(index_dir), "QA_EMBEDDER": "hash", "QA_READER": "lexical", "QA_RATE_LIMIT": "",
                            "QA_INGEST_SAMPLE_ON_START": "false", "QA_PORT": str(port), "HF_HUB_OFFLINE": "1"}
        server = subprocess.Popen([sys.executable, "-m", "api", "serve"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, timeout_s=120)

        def upload() -> None:
            with httpx.Client(base_url=url, timeout=30) as http:
                for n in range(ARTICLES):
                    body = " ".join(f"Filler sentence {k} about the council budget of town {n}, edition {version}."
                                    for k in range(40))
                    try:
                        http.post("/v1/documents", json={
                            "title": f"Town {n} report", "url": f"https://example.org/town/{n}",
                            "text": f"The code word of town {n} is zebra{n}v{version}x. {body}"})
                    except httpx.HTTPError:
                        return  # the server is gone

        uploader = threading.Thread(target=upload)
        uploader.start()
        time.sleep(rng.uniform(0.3, 1.5))
        server.send_signal(signal.SIGKILL)
        server.wait()
        uploader.join(timeout=60)
        committed.append(_check_whole(index_dir, set(range(version + 1))))
    assert committed == sorted(committed) and committed[-1] > 0
    print(f"documents committed after each server kill: {committed}")
