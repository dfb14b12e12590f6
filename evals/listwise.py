"""A listwise term for training the reader: a question's sentences compete for its answer.

Binary cross-entropy scores each (question, sentence) pair alone, yet the service
answers with the best of a question's read candidates, so what counts is their
order. With `python -m evals.train_reader --listwise W` each batch holds whole
questions (all their sampled sentences; `evals/reader_batches.py`), and W × the
softmax cross-entropy over each question's sentences and a fixed "no answer"
logit of 0 is added to the binary loss: the answer's sentences must beat its
other sentences and the null, and an unanswerable question's sentences must all
stay below it (the null column of SQuAD 2.0 readers; Gao et al. 2021's localised
contrastive estimation for the grouping). Since the binary term already puts
"holds the answer" above 0, the two agree on the logit's scale, and the
calibration is refitted after training anyway.
"""

from __future__ import annotations


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
