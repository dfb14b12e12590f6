"""Schema migrations for the PostgreSQL backend: numbered SQL files, applied once, in order."""

from __future__ import annotations

import re
from importlib import resources

import psycopg

from index.manifest import FORMAT_VERSION, IndexMismatchError

# Any fixed number: every process migrating the same database queues on it.
_LOCK_KEY = 7_134_020_611
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration in the package, oldest first."""
    found = []
    for entry in resources.files("index.postgres").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(conn: psycopg.Connection, embedder: str, dimension: int) -> list[str]:
    """Bring the schema up to date and claim the database for an embedder; the applied files.

    Runs in one transaction under an advisory lock, so replicas starting
    together neither race nor leave a half-made schema. A database set up
    for another embedder or dimension is refused, as an index directory is.
    """
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                     " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in migrations():
            if version not in done:
                conn.execute(sql.replace("{dimension}", str(int(dimension))).encode())
                conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
                applied.append(name)
        _claim(conn, embedder, dimension)
    return applied


def _claim(conn: psycopg.Connection, embedder: str, dimension: int) -> None:
    """Record the embedder on first use; refuse a different one later."""
    wanted = {"embedder": embedder, "dimension": str(dimension), "format_version": str(FORMAT_VERSION)}
    for key, value in wanted.items():
        conn.execute("INSERT INTO index_meta (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING", (key, value))
    stored = dict(conn.execute("SELECT key, value FROM index_meta").fetchall())
    if stored["embedder"] != embedder or stored["dimension"] != str(dimension):
        raise IndexMismatchError(
            f"the database was set up with embedder '{stored['embedder']}' ({stored['dimension']}-d), "
            f"but the settings ask for '{embedder}' ({dimension}-d). Set QA_EMBEDDER={stored['embedder']}, "
            "or point QA_DATABASE_URL at another database.")
    if stored["format_version"] != str(FORMAT_VERSION):
        raise IndexMismatchError(f"the database holds index format {stored['format_version']}; this citeqa "
                                 f"reads {FORMAT_VERSION}")
