"""How the store maps sentences to passages, as the retrieval tests of every backend read it."""

from __future__ import annotations


def holding_passages(engine) -> dict[tuple[str, int], tuple[int, ...]]:
    """(document id, sentence index) → indexes of the passages holding it, as the store maps them."""
    with engine.pipeline.index.reader() as reader:
        sentences = [s for doc, _ in engine.documents(limit=100) for s in reader.sentences_between(doc.id, 0, 10_000)]
        holding = reader.sentence_passages([s.id for s in sentences])
        passages = reader.passages(sorted({pid for pids in holding.values() for pid in pids}))
    return {(s.document_id, s.index): tuple(sorted(passages[pid].index for pid in holding.get(s.id, ())))
            for s in sentences}
