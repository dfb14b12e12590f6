"""A listwise term for training the reader: a question's sentences compete for its answer.

Binary cross-entropy scores each (question, sentence) pair alone, yet the service
answers with the best of a question's read candidates, so what counts is their
order. With `python -m evals.train_reader --listwise W` each batch holds whole
questions (all their sampled sentences), and W × the softmax cross-entropy over
each question's sentences and a fixed "no answer" logit of 0 is added to the
binary loss: the answer's sentences must beat its other sentences and the null,
and an unanswerable question's sentences must all stay below it (the null column
of SQuAD 2.0 readers; Gao et al. 2021's localised contrastive estimation for the
grouping). Since the binary term already puts "holds the answer" above 0, the two
agree on the logit's scale, and the calibration is refitted after training anyway.
"""

from __future__ import annotations

import numpy as np


def question_batches(questions: np.ndarray, lengths: np.ndarray, size: int, seed: int) -> list[np.ndarray]:
    """Batches of whole questions' rows (at most `size` rows unless one question has more), questions of
    similar lengths together (less padding), in a seeded order; `questions` is each row's question id."""
    if size <= 0:
        raise ValueError(f"size must be > 0, got {size}")
    if len(questions) != len(lengths):
        raise ValueError(f"questions and lengths must have the same length, got {len(questions)} and {len(lengths)}")
    _, first, inverse = np.unique(questions, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # groups in the order the (already shuffled) rows meet them
    groups = _groups(inverse, order)
    pool = size * 50 // max(1, int(np.median([len(g) for g in groups]))) if groups else 1
    out: list[np.ndarray] = []
    for start in range(0, len(groups), pool):
        chunk = sorted(groups[start:start + pool], key=lambda g: int(lengths[g].max()))
        batch: list[np.ndarray] = []
        for group in chunk:
            if batch and sum(len(g) for g in batch) + len(group) > size:
                out.append(np.concatenate(batch))
                batch = []
            batch.append(group)
        if batch:
            out.append(np.concatenate(batch))
    rng = np.random.default_rng(seed + 1)
    return [out[i] for i in rng.permutation(len(out))]


def _groups(inverse: np.ndarray, order: np.ndarray) -> list[np.ndarray]:
    """Each group's rows, groups in `order`."""
    rows = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[rows])) + 1
    split = np.split(rows, bounds)
    return [split[g] for g in order]


def listwise_loss(logits, labels, questions):
    """Mean over the batch's questions of −log P(its answer's sentences) under a softmax over its sentences'
    logits and a null logit of 0 (the null is the target of a question without a positive sentence)."""
    import torch

    losses = []
    for q in torch.unique(questions):
        mine = questions == q
        z = torch.cat([logits.new_zeros(1), logits[mine]])
        positive = torch.cat([labels.new_zeros(1), labels[mine]]) > 0
        if not positive.any():
            positive[0] = True
        losses.append(torch.logsumexp(z, 0) - torch.logsumexp(z[positive], 0))
    return torch.stack(losses).mean()
