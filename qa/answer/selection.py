"""Pick the answers to show: best first, no overlapping or near-identical quotes."""

from __future__ import annotations

from index.keyword import content_terms
from qa.answer.candidates import Candidate

NEAR_DUPLICATE = 0.8
SAME_DOCUMENT_PENALTY = 0.05


def select(candidates: tuple[Candidate, ...], scores: list[float], top_k: int,
           threshold: float) -> list[tuple[Candidate, float]]:
    """Up to `top_k` (candidate, score) pairs at or above `threshold`.

    Greedy: each round takes the best remaining candidate, slightly
    preferring documents not yet quoted, and drops candidates that overlap
    or nearly repeat a chosen quote (the same fact worded the same way in
    two articles stays one answer; reworded, it is a second ranked answer).
    """
    pool = sorted(zip(candidates, scores), key=lambda cs: -cs[1])
    chosen: list[tuple[Candidate, float]] = []
    term_sets: list[set[str]] = []
    while pool and len(chosen) < top_k:
        quoted = {c.document.id for c, _ in chosen}
        best = max(range(len(pool)), key=lambda i: pool[i][1] - SAME_DOCUMENT_PENALTY * (pool[i][0].document.id in quoted))
        candidate, score = pool.pop(best)
        if score < threshold:
            break
        terms = set(content_terms(candidate.text))
        if any(_overlaps(candidate, c) for c, _ in chosen) or any(_similar(terms, t) for t in term_sets):
            continue
        chosen.append((candidate, score))
        term_sets.append(terms)
    return sorted(chosen, key=lambda cs: -cs[1])


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.document.id == b.document.id and a.start < b.end and b.start < a.end


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE
