"""SQLite store: documents, passages, sentences, their vectors and keyword rows.

One transaction per document write, WAL mode so readers keep a consistent
snapshot while a writer works; a kill mid-write rolls back to the old state.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import numpy as np

from index.backend import UNITS, PassageRow, SentenceRow, check_unit
from index.keyword import tokenize
from index.sqlite_file import SQLiteFile
from index.types import ChunkedDocument, Document

_PASSAGE_COLUMNS = 'id, document_id, idx, start, "end", first_sentence, last_sentence, lang, embedding'
_SENTENCE_COLUMNS = 'id, document_id, idx, start, "end", lang, embedding'


class Store(SQLiteFile):
    """The SQLite half of an index directory; one connection per thread."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, resources.files("index").joinpath("schema.sql").read_text())

    def get_meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def generation(self) -> int:
        """Counter bumped by every committed change."""
        return int(self.get_meta("generation") or 0)

    def content_hash(self, document_id: str) -> str | None:
        row = self.connection().execute(
            "SELECT content_hash FROM documents WHERE id = ?", (document_id,)).fetchone()
        return row["content_hash"] if row else None

    def replace_document(self, chunked: ChunkedDocument, passage_vectors: np.ndarray,
                         sentence_vectors: np.ndarray) -> None:
        """Write a document and its units, replacing any earlier version, in one transaction."""
        doc = chunked.document
        with self.transaction() as conn:
            _delete(conn, doc.id)
            conn.execute(
                "INSERT INTO documents (id, source, title, url, published, author, lang, tags,"
                " content_hash, text, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (doc.id, doc.source, doc.title, doc.url, doc.published, doc.author, doc.lang,
                 json.dumps(list(doc.tags)), doc.content_hash, doc.text,
                 datetime.now(timezone.utc).isoformat(timespec="seconds")))
            for p, vector in zip(chunked.passages, passage_vectors):
                cur = conn.execute(
                    'INSERT INTO passages (document_id, idx, start, "end", first_sentence,'
                    " last_sentence, lang, embedding) VALUES (?,?,?,?,?,?,?,?)",
                    (doc.id, p.index, p.start, p.end, p.first_sentence, p.last_sentence, p.lang,
                     _blob(vector)))
                conn.execute("INSERT INTO passages_fts (rowid, tokens) VALUES (?, ?)",
                             (cur.lastrowid, " ".join(tokenize(doc.title + "\n" + chunked.passage_text(p)))))
            conn.executemany(
                'INSERT INTO sentences (document_id, idx, start, "end", lang, embedding)'
                " VALUES (?,?,?,?,?,?)",
                [(doc.id, s.index, s.start, s.end, s.lang, _blob(v))
                 for s, v in zip(chunked.sentences, sentence_vectors)])
            _bump(conn)

    def delete_document(self, document_id: str) -> bool:
        """Remove a document and everything derived from it; False if it was not there."""
        with self.transaction() as conn:
            found = _delete(conn, document_id)
            if found:
                _bump(conn)
        return found

    def get_document(self, document_id: str) -> Document | None:
        return StoreReader(self.connection()).document(document_id)

    def list_documents(self, offset: int = 0, limit: int = 50) -> list[tuple[Document, int]]:
        """Documents by title with their passage counts."""
        rows = self.connection().execute(
            "SELECT d.*, (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS n"
            " FROM documents d ORDER BY d.published DESC, d.title LIMIT ? OFFSET ?",
            (limit, offset)).fetchall()
        return [(_document(r), r["n"]) for r in rows]

    def counts(self) -> dict[str, int]:
        conn = self.connection()
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("documents",) + UNITS}

    def unit_ids(self, unit: str) -> np.ndarray:
        """Every row id of a unit table."""
        check_unit(unit)
        rows = self.connection().execute(f"SELECT id FROM {unit}").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def unit_vectors(self, unit: str, ids: np.ndarray, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids found, vectors) for the given row ids of a unit table."""
        check_unit(unit)
        rows = _select_in(self.connection(), f"SELECT id, embedding FROM {unit}", [int(i) for i in ids])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, dimension), dtype=np.float32)
        return (np.asarray([r[0] for r in rows], dtype=np.int64),
                np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows]))


def _delete(conn: sqlite3.Connection, document_id: str) -> bool:
    conn.execute("DELETE FROM passages_fts WHERE rowid IN"
                 " (SELECT id FROM passages WHERE document_id = ?)", (document_id,))
    conn.execute("DELETE FROM passages WHERE document_id = ?", (document_id,))
    conn.execute("DELETE FROM sentences WHERE document_id = ?", (document_id,))
    return conn.execute("DELETE FROM documents WHERE id = ?", (document_id,)).rowcount > 0


def _bump(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT(key)"
                 " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _document(row: sqlite3.Row) -> Document:
    return Document(id=row["id"], source=row["source"], title=row["title"], text=row["text"],
                    content_hash=row["content_hash"], url=row["url"], published=row["published"],
                    author=row["author"], lang=row["lang"], tags=tuple(json.loads(row["tags"])))


class StoreReader:
    """`IndexReader` over one SQLite connection (inside a read transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def passages(self, ids: list[int]) -> dict[int, PassageRow]:
        """Passages by id (missing ids, e.g. just deleted, are left out)."""
        rows = _select_in(self.conn, f"SELECT {_PASSAGE_COLUMNS} FROM passages", ids)
        return {r["id"]: _passage(r) for r in rows}

    def sentences(self, ids: list[int]) -> list[SentenceRow]:
        return [_sentence(r) for r in _select_in(self.conn, f"SELECT {_SENTENCE_COLUMNS} FROM sentences", ids)]

    def sentences_between(self, document_id: str, first: int, last: int) -> list[SentenceRow]:
        """Sentences `first..last` of a document, in order."""
        rows = self.conn.execute(f"SELECT {_SENTENCE_COLUMNS} FROM sentences"
                                 " WHERE document_id = ? AND idx BETWEEN ? AND ? ORDER BY idx",
                                 (document_id, first, last)).fetchall()
        return [_sentence(r) for r in rows]

    def sentence_passages(self, sentence_ids: list[int]) -> dict[int, tuple[int, ...]]:
        """The ids of the passages holding each sentence (two where passages overlap)."""
        rows = _select_in(self.conn, "SELECT s.id, p.id FROM sentences s JOIN passages p"
                          " ON p.document_id = s.document_id AND p.first_sentence <= s.idx"
                          " AND p.last_sentence >= s.idx", sentence_ids, column="s.id")
        return _grouped(rows)

    def document(self, document_id: str) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        return _document(row) if row else None


def _grouped(pairs) -> dict[int, tuple[int, ...]]:
    """(key, value) rows as key → values."""
    out: dict[int, list[int]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _select_in(conn: sqlite3.Connection, select: str, ids: list[int], column: str = "id") -> list[sqlite3.Row]:
    """`select ... WHERE column IN ids`, in slices under SQLite's bound-parameter limit."""
    rows: list[sqlite3.Row] = []
    for chunk in range(0, len(ids), 900):
        part = ids[chunk:chunk + 900]
        rows += conn.execute(f"{select} WHERE {column} IN ({','.join('?' * len(part))})", part).fetchall()
    return rows


def _passage(r: sqlite3.Row) -> PassageRow:
    return PassageRow(r["id"], r["document_id"], r["idx"], r["start"], r["end"], r["first_sentence"],
                      r["last_sentence"], r["lang"], np.frombuffer(r["embedding"], dtype=np.float32))


def _sentence(r: sqlite3.Row) -> SentenceRow:
    return SentenceRow(r["id"], r["document_id"], r["idx"], r["start"], r["end"], r["lang"],
                       np.frombuffer(r["embedding"], dtype=np.float32))
