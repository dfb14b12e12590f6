"""Candidate sentences: those of the retrieved passages plus the best dense sentence hits."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from index.retriever import Retrieved
from index.search_index import SearchIndex
from index.store import fetch_passage_holding, fetch_passages, fetch_sentences, fetch_sentences_in, vector
from qa.types import Document


@dataclass(frozen=True)
class Candidate:
    """A sentence that might answer the question, with its retrieval evidence."""

    document: Document
    sentence_id: int
    sentence_index: int
    start: int
    end: int
    lang: str
    dense: float
    passage_id: int
    passage_rank: int  # 0 = best fused passage; len(passages) = reached through a sentence hit
    passage_dense: float
    passage_keyword: float
    passage_start: int
    passage_end: int

    @property
    def text(self) -> str:
        return self.document.text[self.start:self.end]


@dataclass(frozen=True)
class CandidateSet:
    """Candidates plus the passages they came from (for `related`)."""

    candidates: tuple[Candidate, ...]
    passages: tuple[tuple[sqlite3.Row, Document, float], ...]


def load_candidates(index: SearchIndex, retrieved: Retrieved, extra_sentences: int = 10) -> CandidateSet:
    """Every sentence of the retrieved passages, and the top dense sentence hits, read
    from one consistent snapshot of the store (so offsets match the text)."""
    with index.store.snapshot() as conn:
        rows = fetch_passages(conn, [pid for pid, _ in retrieved.passages])
        docs: dict[str, Document] = {}
        seen: dict[int, Candidate] = {}
        passages = []
        for rank, (pid, fused) in enumerate(retrieved.passages):
            row = rows.get(pid)
            if row is None:  # deleted since the search
                continue
            doc = _document(index, conn, docs, row["document_id"])
            if doc is None:
                continue
            passages.append((row, doc, fused))
            for s in fetch_sentences_in(conn, row["document_id"], row["first_sentence"], row["last_sentence"]):
                if s["id"] not in seen:
                    seen[s["id"]] = _candidate(s, doc, row, rank, retrieved)
        hit_ids = [h.unit_id for h in retrieved.sentence_hits[:extra_sentences] if h.unit_id not in seen]
        for s in fetch_sentences(conn, hit_ids):
            doc = _document(index, conn, docs, s["document_id"])
            row = fetch_passage_holding(conn, s["document_id"], s["idx"])
            if doc is not None and row is not None:
                seen[s["id"]] = _candidate(s, doc, row, len(retrieved.passages), retrieved)
    return CandidateSet(tuple(seen.values()), tuple(passages))


def _candidate(s: sqlite3.Row, doc: Document, passage: sqlite3.Row, rank: int, retrieved: Retrieved) -> Candidate:
    dense = float(vector(s["embedding"]) @ retrieved.query_vector)
    passage_dense = float(vector(passage["embedding"]) @ retrieved.query_vector)
    return Candidate(doc, s["id"], s["idx"], s["start"], s["end"], s["lang"], dense, passage["id"],
                     rank, passage_dense, retrieved.keyword_passages.get(passage["id"], 0.0),
                     passage["start"], passage["end"])


def _document(index: SearchIndex, conn: sqlite3.Connection, cache: dict[str, Document],
              document_id: str) -> Document | None:
    if document_id not in cache:
        doc = index.store.get_document(document_id, conn)
        if doc is None:
            return None
        cache[document_id] = doc
    return cache[document_id]

