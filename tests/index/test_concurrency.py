"""Readers and writers at once: asking while documents come and go, and processes opening a new index together."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import httpx
from support.server import running_server
from support.settings import make_settings

from index.manifest import read_manifest

ROUNDS = 15


def test_asking_while_documents_come_and_go_never_errors_or_miscites(tmp_path):
    failures: list[str] = []
    checked = {"answers": 0}
    stop = threading.Event()
    with running_server(make_settings(tmp_path / "index", rate_limit="")) as url:
        def writer() -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                for n in range(ROUNDS):
                    r = http.post("/v1/documents", json={"title": f"Harbour bulletin {n}",
                                                         "text": f"The harbour of Port {n} handled {n * 7} ships. "
                                                                 "Harbour fees rose again this year."})
                    if r.status_code != 201:
                        failures.append(f"add {r.status_code} {r.text}")
                        continue
                    doc_id = r.json()["ids"][0]
                    if http.delete(f"/v1/documents/{doc_id}").status_code != 204:
                        failures.append(f"delete {doc_id}")
            stop.set()

        def reader() -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                while not stop.is_set():
                    r = http.post("/v1/ask", json={"question": "How many ships did the harbour handle?"})
                    if r.status_code != 200:
                        failures.append(f"ask {r.status_code} {r.text}")
                        continue
                    for a in r.json()["answers"]:
                        doc = http.get(f"/v1/documents/{a['document_id']}")
                        # Deleted since the answer: fine. Still there: the quote must be verbatim.
                        if doc.status_code == 200 and doc.json()["text"][a["start"]:a["end"]] != a["text"]:
                            failures.append(f"miscited {a}")
                        checked["answers"] += 1

        threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        final = httpx.get(f"{url}/v1/documents").json()["total"]
    assert failures == [] and checked["answers"] > 0
    assert final == 5  # every added bulletin was deleted again



def _open_each_when_released(directories: list[str], barrier) -> None:
    """Open each new index directory the moment every other process does (in a spawned process)."""
    from index.search_index import SearchIndex

    for directory in directories:
        barrier.wait(timeout=60)
        SearchIndex(Path(directory), "hash-64", 64)


def test_processes_opening_a_new_index_at_once_all_succeed(tmp_path):
    # `citeqa serve --workers 2` on an empty directory: both workers create the index together.
    context = multiprocessing.get_context("spawn")
    directories = [tmp_path / f"ix{n}" for n in range(10)]
    barrier = context.Barrier(4)
    procs = [context.Process(target=_open_each_when_released, args=([str(d) for d in directories], barrier))
             for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    for directory in directories:
        assert read_manifest(directory) is not None and not list(directory.glob("*.tmp"))
