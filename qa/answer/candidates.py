"""Candidate sentences: those of the retrieved passages plus the best dense sentence hits."""

from __future__ import annotations

from dataclasses import dataclass

from index.backend import DocumentIndex, IndexReader, PassageRow, SentenceRow
from index.types import Document
from qa.retrieval.retriever import Retrieved


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
    passages: tuple[tuple[PassageRow, Document, float], ...]


def load_candidates(index: DocumentIndex, retrieved: Retrieved, extra_sentences: int = 10) -> CandidateSet:
    """Every sentence of the retrieved passages, and the top dense sentence hits, read
    from one consistent snapshot of the store (so offsets match the text)."""
    with index.reader() as reader:
        rows = reader.passages([pid for pid, _ in retrieved.passages])
        docs: dict[str, Document] = {}
        seen: dict[int, Candidate] = {}
        passages = []
        for rank, (pid, fused) in enumerate(retrieved.passages):
            row = rows.get(pid)
            if row is None:  # deleted since the search
                continue
            doc = _document(reader, docs, row.document_id)
            if doc is None:
                continue
            passages.append((row, doc, fused))
            for s in reader.sentences_between(row.document_id, row.first_sentence, row.last_sentence):
                if s.id not in seen:
                    seen[s.id] = _candidate(s, doc, row, rank, retrieved)
        hit_ids = [h.unit_id for h in retrieved.sentence_hits[:extra_sentences] if h.unit_id not in seen]
        held_by = retrieved.sentence_passages
        holding = reader.passages(sorted({pid for sid in hit_ids for pid in held_by.get(sid, ())}))
        for s in reader.sentences(hit_ids):
            doc = _document(reader, docs, s.document_id)
            # A sentence in two overlapping passages belongs to the first.
            row = min((holding[pid] for pid in held_by.get(s.id, ()) if pid in holding),
                      key=lambda r: r.index, default=None)
            if doc is not None and row is not None:
                seen[s.id] = _candidate(s, doc, row, len(retrieved.passages), retrieved)
    return CandidateSet(tuple(seen.values()), tuple(passages))


def _candidate(s: SentenceRow, doc: Document, passage: PassageRow, rank: int, retrieved: Retrieved) -> Candidate:
    dense = float(s.embedding @ retrieved.query_vector)
    passage_dense = float(passage.embedding @ retrieved.query_vector)
    return Candidate(doc, s.id, s.index, s.start, s.end, s.lang, dense, passage.id,
                     rank, passage_dense, retrieved.keyword_passages.get(passage.id, 0.0),
                     passage.start, passage.end)


def _document(reader: IndexReader, cache: dict[str, Document], document_id: str) -> Document | None:
    if document_id not in cache:
        doc = reader.document(document_id)
        if doc is None:
            return None
        cache[document_id] = doc
    return cache[document_id]

