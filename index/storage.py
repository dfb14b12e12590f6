"""One factory for everything citeqa keeps: the index, conversations and the Slack bot's memory."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from index.backend import DocumentIndex
from index.conversations.sqlite_store import ConversationStore
from index.search_index import SearchIndex
from index.settings import StorageSettings
from index.slack.sqlite_store import SlackStore

if TYPE_CHECKING:
    from index.conversations.pg_store import PostgresConversations
    from index.slack.pg_store import PostgresSlackStore


class Storage:
    """The stores of one configured backend, opened together and closed together.

    The Slack bot's memory opens on first use, so a service without Slack
    leaves no file for it.
    """

    def __init__(self, index: DocumentIndex, conversations: ConversationStore | PostgresConversations,
                 open_slack: Callable[[], SlackStore | PostgresSlackStore]) -> None:
        self.index = index
        self.conversations = conversations
        self._open_slack = open_slack

    @cached_property
    def slack(self) -> SlackStore | PostgresSlackStore:
        return self._open_slack()

    def close(self) -> None:
        """Release the index's connections (PostgreSQL); the SQLite files need nothing."""
        self.index.close()


def open_storage(settings: StorageSettings, embedder_name: str, dimension: int) -> Storage:
    """The stores `settings` name: FAISS + SQLite files in `index_dir`, or one PostgreSQL database.

    The index refuses one built with another embedder or dimension. With
    PostgreSQL every store shares the index's connection pool, so API
    replicas on one database share conversations and the bot's memory.
    """
    if settings.store == "postgres":
        from index.conversations.pg_store import PostgresConversations
        from index.postgres.pg_index import PostgresIndex
        from index.slack.pg_store import PostgresSlackStore

        index = PostgresIndex(settings.database_url, embedder_name, dimension,
                              settings.database_pool_size, settings.database_timeout_s)
        return Storage(index, PostgresConversations(index.pool), lambda: PostgresSlackStore(index.pool))
    index = SearchIndex(settings.index_dir, embedder_name, dimension, settings.dense_exact_max)
    return Storage(index, ConversationStore(settings.index_dir / "conversations.sqlite"),
                   lambda: SlackStore(settings.index_dir / "slack.sqlite"))


def slack_store_exists(settings: StorageSettings) -> bool:
    """Whether the bot's memory may hold anything yet (a local one is a file, made on first use)."""
    return settings.store == "postgres" or (settings.index_dir / "slack.sqlite").exists()


def named_location(settings: StorageSettings, name: str, cache: Path, fresh: bool = False) -> dict:
    """Settings overrides placing a named extra index (an eval or bench corpus): a directory under
    `cache`, or (postgres) a database of its own on the configured server, so it never writes into
    the served index. `fresh`: start it empty."""
    slug = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if settings.store == "postgres":
        from index.postgres.databases import drop_database, ensure_database

        database = f"citeqa_eval_{slug}"[:63]
        if fresh:
            drop_database(settings.database_url, database)
        return {"database_url": ensure_database(settings.database_url, database)}
    directory = cache / re.sub(r"[^A-Za-z0-9_-]", "_", name)
    if fresh and directory.exists():
        shutil.rmtree(directory)
    return {"index_dir": directory}


def postgres_url(settings: StorageSettings) -> str | None:
    """The configured PostgreSQL database, or None with the local store."""
    return settings.database_url if settings.store == "postgres" else None
