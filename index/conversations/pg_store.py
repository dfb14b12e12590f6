"""Conversations in PostgreSQL, so every API replica on one database continues the same chat."""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from index.conversations.sqlite_store import now
from index.postgres.pool import connection
from index.types import Conversation, StoredTurn, Turn

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool


class PostgresConversations:
    """The `ConversationStore` calls over the index's connection pool (tables from migration 0002)."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def start(self) -> str:
        """A new, empty conversation's id."""
        conversation_id = secrets.token_urlsafe(12)
        with connection(self.pool) as conn:
            conn.execute("INSERT INTO conversations (id, created) VALUES (%s, %s)", (conversation_id, now()))
        return conversation_id

    def exists(self, conversation_id: str) -> bool:
        with connection(self.pool) as conn:
            return conn.execute("SELECT 1 FROM conversations WHERE id = %s", (conversation_id,)).fetchone() is not None

    def history(self, conversation_id: str, last: int = 5) -> list[Turn]:
        """The last `last` turns, oldest first."""
        with connection(self.pool) as conn:
            rows = conn.execute("SELECT question, resolved_question, answered, answer_entities FROM turns"
                                " WHERE conversation_id = %s ORDER BY n DESC LIMIT %s",
                                (conversation_id, last)).fetchall()
        return [_turn(r) for r in reversed(rows)]

    def append(self, conversation_id: str, turn: Turn, result: dict) -> None:
        """Add a turn at the end; replicas appending at once queue on the conversation's row."""
        with connection(self.pool) as conn, conn.transaction():
            conn.execute("SELECT 1 FROM conversations WHERE id = %s FOR UPDATE", (conversation_id,))
            conn.execute(
                "INSERT INTO turns SELECT %s, COALESCE(MAX(n), -1) + 1, %s, %s, %s, %s, %s, %s FROM turns"
                " WHERE conversation_id = %s",
                (conversation_id, turn.question, turn.resolved_question, turn.answered,
                 json.dumps(turn.answer_entities), json.dumps(result, ensure_ascii=False), now(), conversation_id))

    def get(self, conversation_id: str) -> Conversation | None:
        """A conversation with all its turns, or None."""
        with connection(self.pool) as conn, conn.transaction():
            row = conn.execute("SELECT id, created FROM conversations WHERE id = %s", (conversation_id,)).fetchone()
            if row is None:
                return None
            turns = conn.execute("SELECT question, resolved_question, answered, answer_entities, result, created"
                                 " FROM turns WHERE conversation_id = %s ORDER BY n", (conversation_id,)).fetchall()
        return Conversation(row[0], row[1], tuple(StoredTurn(_turn(t), json.loads(t[4]), t[5]) for t in turns))


def _turn(row: tuple) -> Turn:
    return Turn(row[0], row[1], bool(row[2]), tuple(json.loads(row[3])))
