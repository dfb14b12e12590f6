"""`IndexReader` over one PostgreSQL connection inside a read-only snapshot transaction."""

from __future__ import annotations

import numpy as np
import psycopg

from index.backend import PassageRow, SentenceRow
from index.types import Document

_PASSAGE = 'SELECT id, document_id, idx, start, "end", first_sentence, last_sentence, lang, embedding FROM passages'
_SENTENCE = 'SELECT id, document_id, idx, start, "end", lang, embedding FROM sentences'
# The columns `document_from_row` reads, in its order.
DOCUMENT_COLUMNS = "id, source, title, text, content_hash, url, published, author, lang, tags"
_DOCUMENT = f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = %s"


class PostgresReader:
    """Passages, sentences and documents as of the transaction's snapshot.

    Rows come in binary: parsing pgvector's text form costs ~0.14 ms per
    384-d vector, 20× the binary form, and an answer reads ~100 of them.
    """

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def _rows(self, query: str, params: tuple) -> list[tuple]:
        return self.conn.execute(query, params, binary=True).fetchall()

    def passages(self, ids: list[int]) -> dict[int, PassageRow]:
        """Passages by id (missing ids, e.g. just deleted, are left out)."""
        rows = self._rows(_PASSAGE + " WHERE id = ANY(%s)", (ids,))
        return {int(r[0]): _passage(r) for r in rows}

    def sentences(self, ids: list[int]) -> list[SentenceRow]:
        return [_sentence(r) for r in self._rows(_SENTENCE + " WHERE id = ANY(%s)", (ids,))]

    def sentences_between(self, document_id: str, first: int, last: int) -> list[SentenceRow]:
        """Sentences `first..last` of a document, in order."""
        rows = self._rows(_SENTENCE + " WHERE document_id = %s AND idx BETWEEN %s AND %s ORDER BY idx",
                          (document_id, first, last))
        return [_sentence(r) for r in rows]

    def sentence_passages(self, sentence_ids: list[int]) -> dict[int, tuple[int, ...]]:
        """The ids of the passages holding each sentence (two where passages overlap)."""
        rows = self._rows("SELECT s.id, array_agg(p.id ORDER BY p.id) FROM sentences s JOIN passages p"
                          " ON p.document_id = s.document_id AND p.first_sentence <= s.idx"
                          " AND p.last_sentence >= s.idx WHERE s.id = ANY(%s) GROUP BY s.id", (sentence_ids,))
        return {sid: tuple(pids) for sid, pids in rows}

    def document(self, document_id: str) -> Document | None:
        rows = self._rows(_DOCUMENT, (document_id,))
        return document_from_row(rows[0]) if rows else None


def document_from_row(r: tuple) -> Document:
    """A document from a row of `DOCUMENT_COLUMNS` (tags: JSONB, loaded as a list)."""
    return Document(id=r[0], source=r[1], title=r[2], text=r[3], content_hash=r[4], url=r[5],
                    published=r[6], author=r[7], lang=r[8], tags=tuple(r[9]))


def _passage(r: tuple) -> PassageRow:
    return PassageRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], _array(r[8]))


def _sentence(r: tuple) -> SentenceRow:
    return SentenceRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], _array(r[6]))


def _array(vector) -> np.ndarray:
    """pgvector's `Vector` as float32."""
    return np.asarray(vector.to_numpy(), dtype=np.float32)
