"""Bolt listeners: mentions, direct messages, the /ask command, feedback and share buttons.

Bolt verifies every request's signature (v0 HMAC, 5-minute window) before
any listener runs and answers 401 otherwise. Listeners follow Bolt's
ack-then-lazy shape: the HTTP reply goes back at once and the answer is
posted afterwards from a worker thread, so Slack never retries a slow one.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from typing import Callable

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from api.settings import ServiceSettings
from api.slack.blocks import answer_messages, fallback_text
from index.slack.pg_store import PostgresSlackStore
from index.slack.sqlite_store import SlackStore
from qa.engine import Engine, result_dict

log = logging.getLogger(__name__)


class SlackBot:
    """Answers Slack questions with the engine; one instance per app."""

    def __init__(self, settings: ServiceSettings, engine: Callable[[], Engine],
                 store: Callable[[], SlackStore | PostgresSlackStore]) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        self.document_url = f"{settings.public_url.rstrip('/')}/v1/documents"
        client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        self.app = App(signing_secret=settings.slack_signing_secret, client=client,
                       token_verification_enabled=False, name="citeqa")
        self.app.middleware(self._drop_retries_and_duplicates)
        self.app.event("app_mention")(ack=_ack, lazy=[self._on_mention])
        self.app.event("message")(ack=_ack, lazy=[self._on_direct_message])
        self.app.command(settings.slack_command)(ack=_ack_command, lazy=[self._on_command])
        self.app.action("feedback_up")(ack=_ack, lazy=[self._on_feedback])
        self.app.action("feedback_down")(ack=_ack, lazy=[self._on_feedback])
        self.app.action("share")(ack=_ack, lazy=[self._on_share])

    def _drop_retries_and_duplicates(self, body: dict, request, next: Callable[[], BoltResponse]):
        """Slack redelivers when it thinks a reply was late; one question gets one answer."""
        if request.headers.get("x-slack-retry-num"):
            return BoltResponse(status=200, body="")
        event_id = body.get("event_id")
        if event_id and not self.store().first_delivery(event_id):
            return BoltResponse(status=200, body="")
        return next()

    def _on_mention(self, event: dict, client: WebClient, context) -> None:
        if _from_a_bot(event, context):
            return
        self._answer_in_thread(event, _strip_mentions(event.get("text", "")), client)

    def _on_direct_message(self, event: dict, client: WebClient, context) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or _from_a_bot(event, context):
            return
        self._answer_in_thread(event, event.get("text", ""), client)

    def _answer_in_thread(self, event: dict, question: str, client: WebClient) -> None:
        """Answer in the question's thread; a thread is one conversation."""
        channel = event["channel"]
        thread_ts = event.get("thread_ts") or event["ts"]
        if not question.strip():
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text="Ask me a question about the articles.")
            return
        engine = self.engine()
        conversation_id = self.store().conversation_for(channel, thread_ts)
        if conversation_id is None:
            conversation_id = engine.start_conversation()
            self.store().link_thread(channel, thread_ts, conversation_id)
        result = result_dict(engine.ask(question.strip()[:1000], conversation_id=conversation_id,
                                        today=message_date(event["ts"])))
        key = self.store().record_answer(result, conversation_id)
        for blocks in answer_messages(result, key, self.document_url):
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=fallback_text(result), blocks=blocks)

    def _on_command(self, command: dict, respond) -> None:
        """The slash command answers privately, with a button to share the answer."""
        question = command.get("text", "").strip()
        if not question:
            respond(response_type="ephemeral", text=f"Usage: {self.settings.slack_command} <question>")
            return
        result = result_dict(self.engine().ask(question[:1000]))
        key = self.store().record_answer(result, None)
        for blocks in answer_messages(result, key, self.document_url, shareable=True):
            respond(response_type="ephemeral", text=fallback_text(result), blocks=blocks)

    def _on_feedback(self, body: dict, action: dict, respond) -> None:
        vote = "up" if action["action_id"] == "feedback_up" else "down"
        channel = (body.get("channel") or {}).get("id")
        if self.store().add_feedback(action["value"], vote, body["user"]["id"], channel):
            respond(response_type="ephemeral", replace_original=False, text="Thanks for the feedback.")

    def _on_share(self, body: dict, action: dict, client: WebClient) -> None:
        """Post a privately answered question to the channel, for everyone."""
        result = self.store().answer(action["value"])
        channel = (body.get("channel") or {}).get("id")
        if result is None or channel is None:
            return
        for blocks in answer_messages(result, action["value"], self.document_url):
            client.chat_postMessage(channel=channel, text=fallback_text(result), blocks=blocks)


def _ack(ack) -> None:
    ack()


def _ack_command(ack) -> None:
    ack(response_type="ephemeral", text="Looking in the articles…")


def _from_a_bot(event: dict, context) -> bool:
    """The bot ignores itself and other bots (Bolt drops its own messages too)."""
    return bool(event.get("bot_id") or event.get("user") == context.get("bot_user_id"))


def _strip_mentions(text: str) -> str:
    return re.sub(r"<@[A-Z0-9]+>", " ", text).strip()


def message_date(ts: str) -> date:
    """The UTC day a Slack message was sent ("1718790000.000100" is 19 June 2024)."""
    return datetime.fromtimestamp(float(ts), tz=timezone.utc).date()
