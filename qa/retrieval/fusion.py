"""Fusion of several rankings: by reciprocal rank or by scaled score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

from index.types import Hit

Fusion = Literal["score", "rrf"]
FUSIONS: tuple[str, ...] = get_args(Fusion)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hit]], k: int = 60,
                           weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """(unit id, fused score) best first; score = sum of weight / (k + rank)."""
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    if weights is not None and len(weights) != len(rankings):
        raise ValueError(f"weights must have one entry per ranking ({len(rankings)}), got {len(weights)}")
    fused: dict[int, float] = {}
    for n, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[n]
        for rank, hit in enumerate(ranking, start=1):
            fused[hit.unit_id] = fused.get(hit.unit_id, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def score_fusion(rankings: Sequence[Sequence[Hit]],
                 weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """(unit id, fused score) best first; score = sum of weight × the unit's min-max scaled score.

    Each ranking's scores are scaled over its own hits (best 1, worst 0), so BM25 scores and
    cosines can be added. Unlike rank fusion, it keeps how far apart the hits are: a passage
    far ahead in one ranking is not pulled level with one that is merely second.
    """
    if weights is not None and len(weights) != len(rankings):
        raise ValueError(f"weights must have one entry per ranking ({len(rankings)}), got {len(weights)}")
    fused: dict[int, float] = {}
    for n, ranking in enumerate(rankings):
        if not ranking:
            continue
        weight = 1.0 if weights is None else weights[n]
        best, worst = max(h.score for h in ranking), min(h.score for h in ranking)
        spread = best - worst
        for hit in ranking:
            scaled = (hit.score - worst) / spread if spread > 0 else 1.0
            fused[hit.unit_id] = fused.get(hit.unit_id, 0.0) + weight * scaled
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
