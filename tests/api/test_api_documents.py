"""Documents over HTTP: list, add by JSON or upload, delete — and answers follow right away."""

from __future__ import annotations

import httpx
import pytest
from support.citations import assert_cited
from support.server import running_server
from support.settings import make_settings

ARTICLE = {"title": "Quokka census", "url": "https://example.org/quokka",
           "published": "2024-05-02",
           "text": "Rottnest Island counted 12,000 quokkas in its 2024 census. "
                   "Rangers credited the quokka recovery to a ban on feeding the animals."}


@pytest.fixture
def base_url(tmp_path):
    with running_server(make_settings(tmp_path / "index")) as url:
        yield url


def _ask(base_url: str, question: str) -> dict:
    body = httpx.post(f"{base_url}/v1/ask", json={"question": question, "top_k": 3}).json()
    assert_cited(body, lambda doc_id: httpx.get(f"{base_url}/v1/documents/{doc_id}").json()["text"])
    return body


def test_list_is_paged_and_counts_passages(base_url):
    page = httpx.get(f"{base_url}/v1/documents", params={"limit": 2}).json()
    assert page["total"] == 5 and len(page["documents"]) == 2
    assert all(d["passages"] > 0 and d["title"] for d in page["documents"])
    rest = httpx.get(f"{base_url}/v1/documents", params={"offset": 2, "limit": 10}).json()["documents"]
    assert {d["id"] for d in page["documents"]}.isdisjoint(d["id"] for d in rest) and len(rest) == 3


def test_posted_article_is_answerable_then_gone_after_delete(base_url):
    r = httpx.post(f"{base_url}/v1/documents", json=ARTICLE)
    assert r.status_code == 201, r.text
    doc_id = r.json()["ids"][0]
    again = httpx.post(f"{base_url}/v1/documents", json=ARTICLE).json()
    assert again["unchanged"] == [doc_id]
    answer = _ask(base_url, "How many quokkas did Rottnest Island count?")
    assert answer["answers"][0]["document_id"] == doc_id and "12,000" in answer["answers"][0]["text"]
    assert httpx.get(f"{base_url}/v1/documents/{doc_id}").json()["url"] == ARTICLE["url"]
    assert httpx.delete(f"{base_url}/v1/documents/{doc_id}").status_code == 204
    assert httpx.get(f"{base_url}/v1/documents/{doc_id}").status_code == 404
    assert all(a["document_id"] != doc_id for a in _ask(base_url, "How many quokkas?")["answers"])
    assert httpx.delete(f"{base_url}/v1/documents/{doc_id}").json()["code"] == "document_not_found"


def test_file_upload_is_ingested_like_the_cli(base_url):
    text = "# Wombat news\n\nThe wombat sanctuary in Ballarat opened on March 3, 2024.\n"
    r = httpx.post(f"{base_url}/v1/documents", files={"file": ("wombats.md", text.encode(), "text/markdown")})
    assert r.status_code == 201, r.text
    doc = httpx.get(f"{base_url}/v1/documents/{r.json()['ids'][0]}").json()
    assert doc["title"] == "Wombat news" and "Ballarat" in doc["text"]


@pytest.mark.parametrize("name, payload, code", [
    ("empty.txt", b"", "unreadable_document"),
    ("binary.html", b"\x00\x01\x02\xff" * 100, "unreadable_document"),
    ("notes.exe", b"MZ....", "unreadable_document"),
    ("broken.json", b"{not json", "unreadable_document"),
])
def test_bad_uploads_are_422_with_the_reason(base_url, name, payload, code):
    r = httpx.post(f"{base_url}/v1/documents", files={"file": (name, payload)})
    assert r.status_code == 422 and r.json()["code"] == code and name in r.json()["message"]
    assert httpx.get(f"{base_url}/v1/documents").json()["total"] == 5


@pytest.mark.parametrize("body, field", [
    ({"title": "x"}, "text"), ({"text": "   "}, "text"), ({"text": "x", "published": "soon"}, "published"),
    ({"text": "x", "extra": 1}, "extra"),
])
def test_invalid_json_documents_are_422(base_url, body, field):
    r = httpx.post(f"{base_url}/v1/documents", json=body)
    assert r.status_code == 422 and field in r.json()["message"]


def test_malformed_posts_are_422_and_the_schema_lists_both_bodies(base_url):
    bad_json = httpx.post(f"{base_url}/v1/documents", content=b"{bad", headers={"content-type": "application/json"})
    no_file = httpx.post(f"{base_url}/v1/documents", files={"other": ("a.txt", b"text")})
    assert bad_json.status_code == 422 and bad_json.json()["code"] == "validation_error"
    assert no_file.status_code == 422 and "file" in no_file.json()["message"]
    body = httpx.get(f"{base_url}/openapi.json").json()["paths"]["/v1/documents"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "multipart/form-data"}
