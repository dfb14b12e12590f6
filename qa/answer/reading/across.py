"""Reading across languages: lexical scores compare only within one language's candidates."""

from __future__ import annotations

import numpy as np

from qa.answer.candidates import Candidate
from qa.answer.reading.base import Reading


def best_of_missing_languages(candidates: tuple[Candidate, ...], order: np.ndarray, read: np.ndarray) -> np.ndarray:
    """The lexically best candidate (by `order`, best first) of each language the ones at `read` lack."""
    held = {candidates[i].lang for i in read}
    best: dict[str, int] = {}
    for i in order:
        if candidates[i].lang not in held:
            best.setdefault(candidates[i].lang, int(i))
    return np.asarray(list(best.values()), dtype=read.dtype)


def merged(first: Reading, second: Reading, read: np.ndarray, extra: np.ndarray, comparable: np.ndarray) -> Reading:
    """`first` (which read `read`) with the candidates at `extra` scored by `second`: above
    `first`'s read ones, at `second`'s threshold, when one of them is more confident than all of
    those (ranked higher by `comparable`, the ranks without their lexical term, when the same
    model read both), else below them and above the candidates neither read."""
    ranks, confidences = first.ranks.copy(), first.confidences.copy()
    confidences[extra] = second.confidences[extra]
    if second.read_by == first.read_by:
        leads = comparable[extra].max() > comparable[read].max()
    else:
        leads = confidences[extra].max() > first.confidences[read].max()
    # Within `extra`, `second`'s order; scaled into a unit step beside the read ones.
    spread = second.ranks[extra] - second.ranks[extra].min()
    spread = spread / (spread.max() + 1.0)
    base = ranks[read].max() + 1.0 if leads else ranks[read].min() - 0.5 - spread.max() * 0.5
    ranks[extra] = base + spread * 0.5
    chosen = second if leads else first
    return Reading(ranks, confidences, chosen.threshold, read_by=chosen.read_by)


def rank_gaps(candidates: tuple[Candidate, ...], ranks: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Each read candidate's lexical rank less the best of its own language's (lexical ranks do
    not compare across languages)."""
    langs = np.array([c.lang for c in candidates])
    best = {lang: ranks[langs == lang].max() for lang in set(langs[top])}
    return np.array([ranks[i] - best[langs[i]] for i in top])
