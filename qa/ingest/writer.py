"""Write documents into an index: embed, commit per document, checkpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from index.backend import DocumentIndex
from index.types import ChunkedDocument
from qa.embedding.base import Embedder


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one document."""

    document_id: str
    source: str
    status: str  # "added" | "replaced" | "unchanged"


class IndexWriter:
    """Adds, replaces and deletes documents; one writer at a time per directory.

    Embeddings are computed for a whole batch (the model is fastest that
    way), then each document commits in its own transaction, so a kill
    leaves every earlier document complete and no partial one.
    """

    def __init__(self, index: DocumentIndex, embedder: Embedder, lock_timeout_s: float = 30.0) -> None:
        if embedder.name != index.embedder_name:
            raise ValueError(f"embedder {embedder.name!r} does not match the index's "
                             f"{index.embedder_name!r}")
        self.index = index
        self.embedder = embedder
        self.lock_timeout_s = lock_timeout_s

    def write(self, documents: Iterable[ChunkedDocument],
              on_done: Callable[[WriteOutcome], None] | None = None) -> list[WriteOutcome]:
        """Index a batch of documents; unchanged ones are left alone."""
        outcomes: list[WriteOutcome] = []
        with self.index.write_lock(self.lock_timeout_s):
            todo = []
            for chunked in documents:
                doc = chunked.document
                old_hash = self.index.content_hash(doc.id)
                if old_hash == doc.content_hash:
                    outcomes.append(_report(WriteOutcome(doc.id, doc.source, "unchanged"), on_done))
                else:
                    todo.append((chunked, "added" if old_hash is None else "replaced"))
            if todo:
                passage_vectors, sentence_vectors = self._embed([c for c, _ in todo])
                for (chunked, status), pv, sv in zip(todo, passage_vectors, sentence_vectors):
                    self.index.replace_document(chunked, pv, sv)
                    doc = chunked.document
                    outcomes.append(_report(WriteOutcome(doc.id, doc.source, status), on_done))
                self.index.publish()
        return outcomes

    def delete(self, document_id: str) -> bool:
        """Remove a document from every index; False if it was not there."""
        with self.index.write_lock(self.lock_timeout_s):
            found = self.index.delete_document(document_id)
            if found:
                self.index.publish()
        return found

    def _embed(self, batch: list[ChunkedDocument]):
        """Per-document passage and sentence vectors, from one call per unit."""
        passages = [c.document.title + "\n" + c.passage_text(p) for c in batch for p in c.passages]
        sentences = [c.sentence_text(s) for c in batch for s in c.sentences]
        pv = self.embedder.encode_documents(passages)
        sv = self.embedder.encode_documents(sentences)
        return _split(pv, [len(c.passages) for c in batch]), _split(sv, [len(c.sentences) for c in batch])


def _split(vectors, sizes: list[int]) -> list:
    out, start = [], 0
    for size in sizes:
        out.append(vectors[start:start + size])
        start += size
    return out


def _report(outcome: WriteOutcome, on_done: Callable[[WriteOutcome], None] | None) -> WriteOutcome:
    if on_done is not None:
        on_done(outcome)
    return outcome
