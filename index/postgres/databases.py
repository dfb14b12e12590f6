"""Databases beside the configured one on the same server (eval corpora, test isolation)."""

from __future__ import annotations

import re

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo


def sibling_url(url: str, database: str) -> str:
    """`url` with its database name replaced."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
        raise ValueError(f"database must be a lower-case SQL identifier, got {database!r}")
    params = conninfo_to_dict(url)
    params["dbname"] = database
    return make_conninfo(**params)


def ensure_database(url: str, database: str) -> str:
    """Create `database` on `url`'s server unless it exists; its URL."""
    target = sibling_url(url, database)
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return target


def drop_database(url: str, database: str) -> None:
    """Drop `database` on `url`'s server, disconnecting whoever is still on it."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
