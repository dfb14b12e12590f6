"""What the Slack bot remembers: delivered events, thread conversations, posted answers, feedback."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

from index.conversations.sqlite_store import now
from index.sqlite_file import SQLiteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, received TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL, thread_ts TEXT NOT NULL, conversation_id TEXT NOT NULL,
    PRIMARY KEY (channel, thread_ts));
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, question TEXT NOT NULL, resolved_question TEXT NOT NULL,
    conversation_id TEXT, answer_ids TEXT NOT NULL, result TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, answer_key TEXT NOT NULL REFERENCES answers(key), vote TEXT NOT NULL,
    user TEXT NOT NULL, channel TEXT, created TEXT NOT NULL);
"""


class SlackStore(SQLiteFile):
    """SQLite (WAL) beside the index; safe from Bolt's listener threads."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen; Slack may deliver one event more than once."""
        cur = self.connection().execute("INSERT OR IGNORE INTO seen_events VALUES (?, ?)", (event_id, now()))
        return cur.rowcount == 1

    def conversation_for(self, channel: str, thread_ts: str) -> str | None:
        row = self.connection().execute("SELECT conversation_id FROM threads WHERE channel = ? AND thread_ts = ?",
                                         (channel, thread_ts)).fetchone()
        return row["conversation_id"] if row else None

    def link_thread(self, channel: str, thread_ts: str, conversation_id: str) -> None:
        self.connection().execute("INSERT OR REPLACE INTO threads VALUES (?, ?, ?)",
                                   (channel, thread_ts, conversation_id))

    def record_answer(self, result: dict, conversation_id: str | None) -> str:
        """Keep a posted answer so its feedback buttons can refer to it by a short key."""
        key = secrets.token_urlsafe(9)
        ids = [f"{a['document_id']}:{a['start']}-{a['end']}" for a in result["answers"]]
        self.connection().execute(
            "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, result["question"], result["resolved_question"], conversation_id, json.dumps(ids),
             json.dumps(result, ensure_ascii=False), now()))
        return key

    def answer(self, key: str) -> dict | None:
        row = self.connection().execute("SELECT result FROM answers WHERE key = ?", (key,)).fetchone()
        return json.loads(row["result"]) if row else None

    def add_feedback(self, key: str, vote: str, user: str, channel: str | None) -> bool:
        """Store a 👍/👎 click; False when the answer is unknown."""
        if self.answer(key) is None:
            return False
        self.connection().execute("INSERT INTO feedback (answer_key, vote, user, channel, created) "
                                   "VALUES (?, ?, ?, ?, ?)", (key, vote, user, channel, now()))
        return True

    def feedback(self) -> Iterator[dict]:
        """Every click with the question and the answers it judged (for the eval suite)."""
        rows = self.connection().execute(
            "SELECT f.vote, f.user, f.channel, f.created, a.question, a.resolved_question, a.answer_ids,"
            " a.conversation_id FROM feedback f JOIN answers a ON a.key = f.answer_key ORDER BY f.id")
        for r in rows:
            yield {"vote": r["vote"], "user": r["user"], "channel": r["channel"], "created": r["created"],
                   "question": r["question"], "resolved_question": r["resolved_question"],
                   "answer_ids": json.loads(r["answer_ids"]), "conversation_id": r["conversation_id"]}
