"""API keys, rate limiting, body limits, CORS and metrics, on a real uvicorn server."""

from __future__ import annotations

import httpx
import pytest
from support.server import running_server
from support.settings import make_settings

ASK = {"question": "When does Stoltenberg's contract expire?"}


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("guarded"), api_keys="alpha-key, beta-key",
                             rate_limit="5/minute", cors_origins="https://newsroom.example",
                             max_request_bytes=10_000)
    with running_server(settings) as url:
        yield url


def _bearer(key: str) -> dict:
    return {"authorization": f"Bearer {key}"}


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "unauthorized"),
    ({"authorization": "Basic YWxwaGE6"}, 401, "unauthorized"),
    ({"authorization": "Bearer"}, 401, "unauthorized"),
    (_bearer("alpha-kex"), 403, "forbidden"),
])
def test_v1_routes_need_a_valid_key(guarded, headers, status, code):
    for method, path in (("post", "/v1/ask"), ("get", "/v1/documents"), ("get", "/v1/conversations/x")):
        r = httpx.request(method, f"{guarded}{path}", json=ASK if method == "post" else None, headers=headers)
        assert r.status_code == status and r.json()["code"] == code, (path, r.text)


def test_health_needs_no_key(guarded):
    assert httpx.get(f"{guarded}/healthz").status_code == 200
    assert httpx.get(f"{guarded}/readyz").status_code == 200


def test_each_key_has_its_own_rate_limit(guarded):
    statuses = [httpx.post(f"{guarded}/v1/ask", json=ASK, headers=_bearer("beta-key")).status_code
                for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    limited = httpx.post(f"{guarded}/v1/ask", json=ASK, headers=_bearer("beta-key")).json()
    assert limited["code"] == "rate_limited" and "5 per 1 minute" in limited["message"]
    assert httpx.get(f"{guarded}/v1/documents", headers=_bearer("alpha-key")).status_code == 200


def test_oversized_body_is_413(guarded):
    r = httpx.post(f"{guarded}/v1/documents", content=b'{"text": "' + b"x" * 20_000 + b'"}',
                   headers=_bearer("alpha-key") | {"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_cors_allows_only_the_configured_origin(guarded):
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "authorization"}
    ok = httpx.options(f"{guarded}/v1/ask", headers=preflight | {"origin": "https://newsroom.example"})
    assert ok.headers.get("access-control-allow-origin") == "https://newsroom.example"
    other = httpx.options(f"{guarded}/v1/ask", headers=preflight | {"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_metrics_count_requests_outcomes_and_index_size(tmp_path):
    with running_server(make_settings(tmp_path / "index")) as url:
        httpx.post(f"{url}/v1/ask", json=ASK)
        httpx.get(f"{url}/v1/documents/nope")
        text = httpx.get(f"{url}/metrics").text
    assert 'citeqa_requests_total{method="POST",route="/v1/ask",status="200"} 1.0' in text
    assert 'citeqa_requests_total{method="GET",route="/v1/documents/{document_id}",status="404"} 1.0' in text
    assert 'citeqa_request_seconds_count{route="/v1/ask"} 1.0' in text
    assert 'citeqa_answers_total{outcome="answered"} 1.0' in text
    assert 'citeqa_index_units{unit="documents"} 5.0' in text


def test_every_response_carries_a_request_id_and_the_access_log_is_json(guarded, caplog):
    import json
    import logging

    from pythonjsonlogger.json import JsonFormatter

    caplog.set_level(logging.INFO, logger="citeqa.access")
    given = httpx.get(f"{guarded}/healthz", headers={"x-request-id": "trace-123"})
    made = httpx.get(f"{guarded}/v1/documents", headers={"authorization": "Bearer wrong"})
    assert given.headers["x-request-id"] == "trace-123" and len(made.headers["x-request-id"]) == 32
    records = [r for r in caplog.records if r.name == "citeqa.access"]
    line = json.loads(JsonFormatter("%(message)s").format(records[-1]))
    assert line["request_id"] == made.headers["x-request-id"] and line["status"] == 403
    assert "wrong" not in json.dumps([JsonFormatter("%(message)s").format(r) for r in records])


def test_a_service_whose_index_cannot_load_says_so_with_503(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with running_server(make_settings(blocker), ready_path="/healthz") as url:
        ready = httpx.get(f"{url}/readyz")
        asked = httpx.post(f"{url}/v1/ask", json=ASK)
    assert ready.status_code == 503
    assert asked.status_code == 503 and asked.json()["code"] == "not_ready" and asked.json()["message"]


DOC = {"title": "Harbour bridge", "text": "The harbour bridge reopened on Monday after repairs."}


@pytest.fixture(scope="module")
def scoped(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("scoped"), api_keys="reader-key", admin_keys="admin-key",
                             rate_limit="")
    with running_server(settings) as url:
        yield url


def test_read_keys_read_and_admin_keys_also_write(scoped):
    assert httpx.post(f"{scoped}/v1/ask", json=ASK, headers=_bearer("reader-key")).status_code == 200
    assert httpx.get(f"{scoped}/v1/documents", headers=_bearer("admin-key")).status_code == 200
    refused = httpx.post(f"{scoped}/v1/documents", json=DOC, headers=_bearer("reader-key"))
    assert refused.status_code == 403 and "QA_ADMIN_KEYS" in refused.json()["message"]
    added = httpx.post(f"{scoped}/v1/documents", json=DOC, headers=_bearer("admin-key"))
    assert added.status_code == 201, added.text
    doc_id = added.json()["ids"][0]
    for headers, status in (({}, 401), (_bearer("reader-key"), 403), (_bearer("admin-key"), 204)):
        assert httpx.delete(f"{scoped}/v1/documents/{doc_id}", headers=headers).status_code == status


@pytest.mark.parametrize("allow_open, status", [(False, 403), (True, 201)])
def test_beyond_loopback_writing_needs_admin_keys_unless_allowed_open(tmp_path, allow_open, status):
    # The guard goes by the configured host; the test server itself still listens on loopback.
    settings = make_settings(tmp_path, host="0.0.0.0", api_keys="reader-key", allow_open=allow_open)
    with running_server(settings) as url:
        assert httpx.post(f"{url}/v1/ask", json=ASK, headers=_bearer("reader-key")).status_code == 200
        r = httpx.post(f"{url}/v1/documents", json=DOC, headers=_bearer("reader-key"))
        assert r.status_code == status, r.text
        if status == 403:
            assert "QA_ADMIN_KEYS" in r.json()["message"]
