"""The HTTP service, served by uvicorn on loopback (hash embedder: fast)."""

from __future__ import annotations

import httpx
import pytest
from support.citations import assert_cited
from support.server import running_server
from support.settings import make_settings


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with running_server(make_settings(tmp_path_factory.mktemp("api-index"))) as url:
        yield url


def test_health_and_ready(base_url):
    assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base_url}/readyz").json()
    assert ready["status"] == "ready" and ready["counts"]["documents"] == 5  # sample ingested on start


def test_ask_returns_cited_answers(base_url):
    r = httpx.post(f"{base_url}/v1/ask", json={"question": "When does Stoltenberg's contract expire?", "top_k": 2})
    assert r.status_code == 200
    body = r.json()
    assert body["conversation_id"] and len(body["answers"]) <= 2
    assert any("October 1" in a["text"] for a in body["answers"])
    assert_cited(body, lambda doc_id: httpx.get(f"{base_url}/v1/documents/{doc_id}").json()["text"])


def test_follow_up_in_a_conversation_is_resolved_and_stored(base_url):
    first = httpx.post(f"{base_url}/v1/ask", json={"question": "Who is Hungary's foreign minister?"}).json()
    cid = first["conversation_id"]
    second = httpx.post(f"{base_url}/v1/ask", json={"question": "What did he say about supporting Rutte?",
                                                    "conversation_id": cid}).json()
    assert second["conversation_id"] == cid and "he" not in second["resolved_question"].split()
    stored = httpx.get(f"{base_url}/v1/conversations/{cid}").json()
    assert [t["question"] for t in stored["turns"]] == ["Who is Hungary's foreign minister?",
                                                        "What did he say about supporting Rutte?"]
    assert stored["turns"][1]["result"]["resolved_question"] == second["resolved_question"]


@pytest.mark.parametrize("method, path, body", [
    ("post", "/v1/ask", {"question": "Hungary", "conversation_id": "never-started"}),
    ("get", "/v1/conversations/never-started", None),
])
def test_unknown_conversation_is_404(base_url, method, path, body):
    r = httpx.request(method, f"{base_url}{path}", json=body)
    assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"


def test_document_metadata_and_text(base_url):
    body = httpx.post(f"{base_url}/v1/ask", json={"question": "Stoltenberg contract"}).json()
    doc = httpx.get(f"{base_url}/v1/documents/{body['answers'][0]['document_id']}").json()
    assert doc["title"] and doc["text"] and doc["source"].startswith(("data/", "/"))


@pytest.mark.parametrize("payload, field", [
    ({"question": ""}, "question"),
    ({"question": "   "}, "question must not be blank"),
    ({"question": "x" * 1001}, "question"),
    ({"question": "x" * 100_000}, "question"),
    ({"question": "ok", "top_k": 0}, "top_k"),
    ({"question": "ok", "top_k": -1}, "top_k"),
    ({"question": "ok", "top_k": 1000000}, "top_k"),
    ({"question": "ok", "top_k": "three"}, "top_k"),
    ({"question": 5}, "question"),
    ({"question": "ok", "surprise": 1}, "surprise"),
    ({"question": "ok", "filters": {"published_from": "not a date"}}, "published_from"),
    ({}, "question"),
])
def test_invalid_requests_get_422_saying_what_is_wrong(base_url, payload, field):
    r = httpx.post(f"{base_url}/v1/ask", json=payload)
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error" and field in r.json()["message"]


def test_malformed_json_is_422(base_url):
    r = httpx.post(f"{base_url}/v1/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


@pytest.mark.parametrize("doc_id, status", [("0000000000000000", 404), ("..%2F..%2Fetc%2Fpasswd", 404),
                                            ("a" * 65, 422)])
def test_unknown_or_bad_document_ids(base_url, doc_id, status):
    r = httpx.get(f"{base_url}/v1/documents/{doc_id}")
    assert r.status_code == status and r.json()["code"] in ("document_not_found", "not_found", "validation_error")
