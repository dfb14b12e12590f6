"""The Slack bot end to end: the real app on uvicorn, signed requests, a fake Slack Web API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from urllib.parse import urlencode

import httpx
import psycopg
import pytest
from slack_sdk.signature import SignatureVerifier
from support.citations import assert_cited
from support.server import running_server
from support.settings import make_settings
from support.slack_fake import BOT_USER, FakeSlack

from index.slack.sqlite_store import SlackStore

SECRET = "test-signing-secret"


@pytest.fixture(scope="module")
def fake():
    slack = FakeSlack()
    yield slack
    slack.close()


def _slack_settings(fake: FakeSlack, index_dir, **overrides):
    return make_settings(index_dir, slack_signing_secret=SECRET, slack_bot_token="xoxb-test",
                         slack_api_url=f"{fake.url}/api/", public_url="https://qa.example", **overrides)


@pytest.fixture(scope="module", params=["local", "postgres"])
def bot(fake, tmp_path_factory, request):
    """A served app with Slack on, its memory in SQLite beside the index or in PostgreSQL."""
    overrides = {}
    if request.param == "postgres":
        from index.postgres.databases import drop_database, ensure_database

        server = request.getfixturevalue("pg_server")
        drop_database(server, "slack_bot")
        overrides = {"store": "postgres", "database_url": ensure_database(server, "slack_bot")}
    settings = _slack_settings(fake, tmp_path_factory.mktemp("slack-index"), **overrides)
    fake.forget()
    with running_server(settings) as url:
        yield url, settings


def _signed(url: str, path: str, body: str, content_type: str, secret: str = SECRET,
            age_s: int = 0, headers: dict | None = None) -> httpx.Response:
    ts = str(int(time.time()) - age_s)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return httpx.post(f"{url}{path}", content=body.encode(), headers={
        "x-slack-request-timestamp": ts, "x-slack-signature": signature, "content-type": content_type,
    } | (headers or {}))


def _event(url: str, event: dict, event_id: str, headers: dict | None = None, **kw) -> httpx.Response:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
                       "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]})
    return _signed(url, "/slack/events", body, "application/json", headers=headers, **kw)


def _mention(channel: str, text: str, ts: str, thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": "U1", "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel}
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


def _posts(fake: FakeSlack, channel: str) -> list[dict]:
    return [p for p in fake.posted("/chat.postMessage") if p.get("channel") == channel]


def _wait_posts(fake: FakeSlack, channel: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(_posts(fake, channel)) >= count:
            return _posts(fake, channel)
        time.sleep(0.05)
    raise TimeoutError(f"{channel}: {_posts(fake, channel)}")


def _stored_answer(settings, message: dict) -> dict:
    """The answer object behind a posted message (via its feedback button)."""
    key = next(b for b in message["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    if settings.store == "postgres":
        with psycopg.connect(settings.database_url) as conn:
            return json.loads(conn.execute("SELECT result FROM slack_answers WHERE key = %s", (key,)).fetchone()[0])
    return SlackStore(settings.index_dir / "slack.sqlite").answer(key)


def test_url_verification_challenge(bot):
    url, _ = bot
    r = _signed(url, "/slack/events", json.dumps({"type": "url_verification", "challenge": "c-123"}),
                "application/json")
    assert r.status_code == 200 and r.json() == {"challenge": "c-123"}


def test_mention_gets_a_threaded_cited_reply(bot, fake):
    url, settings = bot
    r = _event(url, _mention("C-mention", "When does Stoltenberg's contract expire?", "100.1"), "Ev-m1")
    assert r.status_code == 200
    [message] = _wait_posts(fake, "C-mention", 1)
    assert message["thread_ts"] == "100.1"
    text = json.dumps(message["blocks"])
    assert "contract expires on October 1" in text and "[1]" in text and "confidence" in text
    result = _stored_answer(settings, message)
    assert f"<https://qa.example/v1/documents/{result['answers'][0]['document_id']}|" in text
    assert_cited(result, lambda doc_id: httpx.get(f"{url}/v1/documents/{doc_id}").json()["text"])


def test_relative_time_counts_from_the_message_date(bot, fake):
    url, settings = bot
    sent = "1720569600.000100"  # 10 July 2024: "last month" is June 2024
    _event(url, _mention("C-time", "What did Hungary decide about Rutte last month?", sent), "Ev-time")
    [message] = _wait_posts(fake, "C-time", 1)
    result = _stored_answer(settings, message)
    assert (result["time_filter"]["published_from"], result["time_filter"]["published_to"]) == ("2024-06-01",
                                                                                               "2024-06-30")
    assert "“last month”" in json.dumps(message["blocks"], ensure_ascii=False)


def test_direct_message_is_answered(bot, fake):
    url, _ = bot
    event = {"type": "message", "channel_type": "im", "user": "U2", "text": "Who is Hungary's foreign minister?",
             "ts": "200.1", "channel": "D-dm"}
    assert _event(url, event, "Ev-dm1").status_code == 200
    [message] = _wait_posts(fake, "D-dm", 1)
    assert message["thread_ts"] == "200.1" and message["blocks"]


def test_retries_and_duplicate_events_get_one_reply(bot, fake):
    url, _ = bot
    event = _mention("C-dup", "How old is Mark Rutte?", "300.1")
    assert _event(url, event, "Ev-dup").status_code == 200
    assert _event(url, event, "Ev-dup").status_code == 200
    assert _event(url, event, "Ev-dup2", headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}).status_code == 200
    _wait_posts(fake, "C-dup", 1)
    time.sleep(1.0)
    assert len(_posts(fake, "C-dup")) == 1


def test_own_and_other_bots_messages_are_ignored(bot, fake):
    url, _ = bot
    for n, extra in enumerate(({"bot_id": "BBOT", "user": BOT_USER}, {"bot_id": "BOTHER", "user": "U9"})):
        event = {"type": "message", "channel_type": "im", "text": "How old is Mark Rutte?", "ts": f"40{n}.1",
                 "channel": "D-bots"} | extra
        assert _event(url, event, f"Ev-bot{n}").status_code == 200
    time.sleep(1.0)
    assert _posts(fake, "D-bots") == []


@pytest.mark.parametrize("secret, age_s", [("wrong-secret", 0), (SECRET, 6 * 60)])
def test_forged_or_stale_signatures_are_401_with_no_side_effect(bot, fake, secret, age_s):
    url, _ = bot
    r = _event(url, _mention("C-forged", "How old is Mark Rutte?", "500.1"), f"Ev-f{age_s}", secret=secret, age_s=age_s)
    unsigned = httpx.post(f"{url}/slack/commands", content=b"command=%2Fask&text=hi",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401 and unsigned.status_code == 401
    time.sleep(0.5)
    assert _posts(fake, "C-forged") == []


def test_slash_command_answers_privately_and_can_be_shared(bot, fake):
    url, _ = bot
    form = urlencode({"command": "/ask", "text": "When does Stoltenberg's contract expire?", "user_id": "U1",
                      "channel_id": "C-slash", "team_id": "T1", "response_url": f"{fake.url}/response/slash-1",
                      "trigger_id": "t1"})
    r = _signed(url, "/slack/commands", form, "application/x-www-form-urlencoded")
    assert r.status_code == 200 and "Looking in the articles" in r.text
    [private] = fake.wait_for("/response/slash-1")
    assert private["response_type"] == "ephemeral"
    share = next(e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == "share")
    click = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "channel": {"id": "C-slash"},
             "response_url": f"{fake.url}/response/slash-2", "trigger_id": "t2",
             "actions": [{"action_id": "share", "value": share["value"], "type": "button", "block_id": "b"}]}
    r = _signed(url, "/slack/interactions", urlencode({"payload": json.dumps(click)}), "application/x-www-form-urlencoded")
    assert r.status_code == 200
    [shared] = _wait_posts(fake, "C-slash", 1)
    assert "contract expires on October 1" in json.dumps(shared["blocks"])


def test_feedback_clicks_are_stored_and_exported(bot, fake):
    url, settings = bot
    _event(url, _mention("C-fb", "Who signed the law on Sweden joining NATO?", "600.1"), "Ev-fb")
    [message] = _wait_posts(fake, "C-fb", 1)
    key = next(b for b in message["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    click = {"type": "block_actions", "user": {"id": "U7"}, "team": {"id": "T1"}, "channel": {"id": "C-fb"},
             "response_url": f"{fake.url}/response/fb-1", "trigger_id": "t3",
             "actions": [{"action_id": "feedback_down", "value": key, "type": "button", "block_id": "b"}]}
    r = _signed(url, "/slack/interactions", urlencode({"payload": json.dumps(click)}), "application/x-www-form-urlencoded")
    assert r.status_code == 200
    fake.wait_for("/response/fb-1")
    env = os.environ | {"QA_INDEX_DIR": str(settings.index_dir), "QA_STORE": settings.store,
                        "QA_DATABASE_URL": settings.database_url, "QA_EMBEDDER": settings.embedder, "QA_READER": settings.reader}
    out = subprocess.run([sys.executable, "-m", "api", "feedback", "export"], env=env, capture_output=True,
                         text=True, check=True, timeout=120).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[-1]["vote"] == "down" and rows[-1]["user"] == "U7"
    assert rows[-1]["question"] == "Who signed the law on Sweden joining NATO?" and rows[-1]["answer_ids"]


def test_thread_follow_up_is_answered_in_context(bot, fake):
    url, settings = bot
    _event(url, _mention("C-thread", "Who is Hungary's foreign minister?", "700.1"), "Ev-t1")
    [first] = _wait_posts(fake, "C-thread", 1)
    named = _stored_answer(settings, first)["answers"][0]["short_answer"]
    _event(url, _mention("C-thread", "What did he say about supporting Rutte?", "700.2", thread_ts="700.1"), "Ev-t2")
    second = _wait_posts(fake, "C-thread", 2)[1]
    assert second["thread_ts"] == "700.1"
    assert _stored_answer(settings, second)["resolved_question"] == f"What did {named} say about supporting Rutte?"
    assert "Understood as" in json.dumps(second["blocks"])


def test_without_secrets_the_slack_routes_are_off(tmp_path, caplog):
    with running_server(make_settings(tmp_path / "index")) as url:
        assert httpx.post(f"{url}/slack/events", json={}).status_code == 404
    assert any("Slack routes are off" in r.getMessage() for r in caplog.records)


def test_replicas_on_one_database_share_the_slack_memory(fake, pg_url, tmp_path):
    a_settings, b_settings = (_slack_settings(fake, tmp_path / n, store="postgres", database_url=pg_url) for n in "ab")
    with running_server(a_settings) as a, running_server(b_settings) as b:
        event = _mention("C-rep", "Who is Hungary's foreign minister?", "800.1")
        assert _event(a, event, "Ev-rep").status_code == 200
        assert _event(b, event, "Ev-rep").status_code == 200  # the same delivery reaching the other replica
        [first] = _wait_posts(fake, "C-rep", 1)
        named = _stored_answer(a_settings, first)["answers"][0]["short_answer"]
        follow = _mention("C-rep", "What did he say about supporting Rutte?", "800.2", thread_ts="800.1")
        assert _event(b, follow, "Ev-rep2").status_code == 200
        second = _wait_posts(fake, "C-rep", 2)[1]
        assert _stored_answer(b_settings, second)["resolved_question"] == f"What did {named} say about supporting Rutte?"
        time.sleep(1.0)
        assert len(_posts(fake, "C-rep")) == 2
