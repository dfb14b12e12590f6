"""The Slack bot's memory in PostgreSQL, so replicas behind a load balancer share it."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

from index.conversations.sqlite_store import now
from index.postgres.pool import connection

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool


class PostgresSlackStore:
    """`SlackStore`'s calls on the index database (tables from migration 0003).

    `pool` is the index's connection pool (the index migrated the schema),
    so the store opens no connections of its own.
    """

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen by any replica."""
        with connection(self.pool) as conn:
            cur = conn.execute("INSERT INTO slack_seen_events VALUES (%s, %s) ON CONFLICT DO NOTHING",
                               (event_id, now()))
            return cur.rowcount == 1

    def conversation_for(self, channel: str, thread_ts: str) -> str | None:
        with connection(self.pool) as conn:
            row = conn.execute("SELECT conversation_id FROM slack_threads WHERE channel = %s AND thread_ts = %s",
                               (channel, thread_ts)).fetchone()
        return row[0] if row else None

    def link_thread(self, channel: str, thread_ts: str, conversation_id: str) -> None:
        with connection(self.pool) as conn:
            conn.execute("INSERT INTO slack_threads VALUES (%s, %s, %s) ON CONFLICT (channel, thread_ts)"
                         " DO UPDATE SET conversation_id = EXCLUDED.conversation_id",
                         (channel, thread_ts, conversation_id))

    def record_answer(self, result: dict, conversation_id: str | None) -> str:
        """Keep a posted answer so its feedback buttons can refer to it by a short key."""
        key = secrets.token_urlsafe(9)
        ids = [f"{a['document_id']}:{a['start']}-{a['end']}" for a in result["answers"]]
        with connection(self.pool) as conn:
            conn.execute("INSERT INTO slack_answers VALUES (%s, %s, %s, %s, %s, %s, %s)",
                         (key, result["question"], result["resolved_question"], conversation_id, json.dumps(ids),
                          json.dumps(result, ensure_ascii=False), now()))
        return key

    def answer(self, key: str) -> dict | None:
        with connection(self.pool) as conn:
            row = conn.execute("SELECT result FROM slack_answers WHERE key = %s", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def add_feedback(self, key: str, vote: str, user: str, channel: str | None) -> bool:
        """Store a 👍/👎 click; False when the answer is unknown."""
        if self.answer(key) is None:
            return False
        with connection(self.pool) as conn:
            conn.execute("INSERT INTO slack_feedback (answer_key, vote, user_id, channel, created)"
                         " VALUES (%s, %s, %s, %s, %s)", (key, vote, user, channel, now()))
        return True

    def feedback(self) -> Iterator[dict]:
        """Every click with the question and the answers it judged (for the eval suite)."""
        with connection(self.pool) as conn:
            rows = conn.execute(
                "SELECT f.vote, f.user_id, f.channel, f.created, a.question, a.resolved_question, a.answer_ids,"
                " a.conversation_id FROM slack_feedback f JOIN slack_answers a ON a.key = f.answer_key"
                " ORDER BY f.id").fetchall()
        for r in rows:
            yield {"vote": r[0], "user": r[1], "channel": r[2], "created": r[3], "question": r[4],
                   "resolved_question": r[5], "answer_ids": json.loads(r[6]), "conversation_id": r[7]}
