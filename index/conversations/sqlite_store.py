"""Conversations kept in SQLite, so a chat survives restarts and can be read back."""

from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from index.sqlite_file import SQLiteFile
from index.types import Conversation, StoredTurn, Turn

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    resolved_question TEXT NOT NULL,
    answered INTEGER NOT NULL,
    answer_entities TEXT NOT NULL,
    result TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
"""


class ConversationStore(SQLiteFile):
    """Conversations and their turns in one SQLite file (WAL; one connection per thread)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def start(self) -> str:
        """A new, empty conversation's id."""
        conversation_id = secrets.token_urlsafe(12)
        self.connection().execute("INSERT INTO conversations (id, created) VALUES (?, ?)",
                                   (conversation_id, now()))
        return conversation_id

    def exists(self, conversation_id: str) -> bool:
        return self.connection().execute(
            "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is not None

    def history(self, conversation_id: str, last: int = 5) -> list[Turn]:
        """The last `last` turns, oldest first."""
        rows = self.connection().execute(
            "SELECT * FROM turns WHERE conversation_id = ? ORDER BY n DESC LIMIT ?",
            (conversation_id, last)).fetchall()
        return [_turn(r) for r in reversed(rows)]

    def append(self, conversation_id: str, turn: Turn, result: dict) -> None:
        """Add a turn at the end (atomically numbered)."""
        with self.transaction() as conn:
            n = conn.execute("SELECT COALESCE(MAX(n), -1) + 1 FROM turns WHERE conversation_id = ?",
                             (conversation_id,)).fetchone()[0]
            conn.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (conversation_id, n, turn.question, turn.resolved_question, int(turn.answered),
                          json.dumps(turn.answer_entities), json.dumps(result, ensure_ascii=False), now()))

    def get(self, conversation_id: str) -> Conversation | None:
        """A conversation with all its turns, or None."""
        conn = self.connection()
        row = conn.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if row is None:
            return None
        turns = conn.execute("SELECT * FROM turns WHERE conversation_id = ? ORDER BY n",
                             (conversation_id,)).fetchall()
        return Conversation(row["id"], row["created"],
                            tuple(StoredTurn(_turn(t), json.loads(t["result"]), t["created"]) for t in turns))


def _turn(row: sqlite3.Row) -> Turn:
    return Turn(row["question"], row["resolved_question"], bool(row["answered"]),
                tuple(json.loads(row["answer_entities"])))


def now() -> str:
    """The current UTC time, as stored."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
