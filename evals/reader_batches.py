"""How the reader's training pairs are put into batches: rows of similar lengths, or whole questions.

The listwise term (`evals/listwise.py`) compares a question's sentences with each
other, so its batches hold every sampled sentence of the questions they take.
Both keep inputs of similar lengths together (less padding) and are deterministic
for a seed.
"""

from __future__ import annotations

import numpy as np


def batches(lengths: np.ndarray, size: int, seed: int) -> list[np.ndarray]:
    """Batches of `size` rows of similar lengths (less padding) in a seeded order; rows are already shuffled."""
    return question_batches(np.arange(len(lengths)), lengths, size, seed)  # each row a question of its own


def collate(encoded: list, rows: np.ndarray, index: np.ndarray, device):
    """A padded batch of the pairs at `index` and their labels, on `device`."""
    import torch

    width = max(len(encoded[i][0]) for i in index)
    ids = torch.zeros((len(index), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for r, i in enumerate(index):
        tokens, kinds = encoded[i]
        ids[r, :len(tokens)] = torch.tensor(tokens)
        types[r, :len(kinds)] = torch.tensor(kinds)
        mask[r, :len(tokens)] = 1
    labels = torch.tensor(rows[index, 3], dtype=torch.float32)
    return ids.to(device), mask.to(device), types.to(device), labels.to(device)


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
    pool = max(1, size * 50 // max(1, int(np.median([len(g) for g in groups])))) if groups else 1  # ≈ 50 batches
    out: list[np.ndarray] = []
    for start in range(0, len(groups), pool):
        chunk = sorted(groups[start:start + pool], key=lambda g: int(lengths[g].max()))
        batch: list[np.ndarray] = []
        filled = 0
        for group in chunk:
            if batch and filled + len(group) > size:
                out.append(np.concatenate(batch))
                batch, filled = [], 0
            batch.append(group)
            filled += len(group)
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
