"""The reranker's network: an encoder's mean token vector → one logit per (question, text) pair."""

from __future__ import annotations

import torch


class PairScorer(torch.nn.Module):
    """A linear head over the mean of an encoder's last hidden states (padding left out).

    Built by `qa.answer.reranker.load_pair_model` and trained by
    `evals/train_reranker.py`; a module of its own so that importing the
    reranker does not import torch.
    """

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, 1)

    def forward(self, batch) -> torch.Tensor:
        hidden = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                              token_type_ids=batch.get("token_type_ids")).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return self.head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)
