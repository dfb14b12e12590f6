import math

import numpy as np
import pytest
import torch

from evals import train_reader
from evals.listwise import listwise_loss
from evals.reader_batches import batches, question_batches


def test_batches_hold_whole_questions_each_row_once_within_the_size():
    rng = np.random.default_rng(0)
    questions = rng.permutation(np.repeat(np.arange(40), rng.integers(1, 8, size=40)))
    lengths = rng.integers(5, 60, size=len(questions))
    plan = question_batches(questions, lengths, size=16, seed=3)
    rows = np.concatenate(plan)
    assert sorted(rows.tolist()) == list(range(len(questions)))
    for batch in plan:
        assert len(batch) <= 16
        for q in set(questions[batch].tolist()):  # every row of a question it holds
            assert set(np.flatnonzero(questions == q).tolist()) <= set(batch.tolist())
    again = question_batches(questions, lengths, size=16, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(plan, again))
    assert not all(np.array_equal(a, b) for a, b in zip(plan, question_batches(questions, lengths, 16, seed=4)))


def test_row_batches_are_full_and_sorted_by_length_within_their_pool():
    lengths = np.random.default_rng(2).integers(5, 60, size=50)
    plan = batches(lengths, size=8, seed=1)
    assert sorted(np.concatenate(plan).tolist()) == list(range(50))
    assert sorted(len(b) for b in plan) == [2] + [8] * 6
    assert all((np.diff(lengths[b]) >= 0).all() for b in plan)  # one pool here: each batch a run of the sorted rows


def test_a_question_with_more_rows_than_the_size_gets_a_batch_of_its_own():
    plan = question_batches(np.array([7] * 5 + [8]), np.full(6, 10), size=3, seed=0)
    assert sorted(len(b) for b in plan) == [1, 5]
    many = np.repeat(np.arange(3), 60)  # questions of 60 rows against batches of 1
    assert sorted(len(b) for b in question_batches(many, np.ones(len(many)), size=1, seed=0)) == [60, 60, 60]


def test_bad_sizes_are_refused_with_the_value():
    with pytest.raises(ValueError, match="size must be > 0, got 0"):
        question_batches(np.zeros(2), np.zeros(2), 0, 0)
    with pytest.raises(ValueError, match="got 2 and 3"):
        question_batches(np.zeros(2), np.zeros(3), 4, 0)


def test_the_loss_is_a_softmax_over_the_sentences_and_a_null():
    logits = torch.tensor([2.0, -1.0, 0.5, 1.0], requires_grad=True)
    labels = torch.tensor([1.0, 0.0, 0.0, 0.0])
    questions = torch.tensor([4, 4, 9, 9])  # question 9 has no answer: the null is its target
    loss = listwise_loss(logits, labels, questions)
    answered = math.log(1 + math.exp(2) + math.exp(-1)) - 2
    unanswered = math.log(1 + math.exp(0.5) + math.exp(1))
    assert loss.item() == pytest.approx((answered + unanswered) / 2, rel=1e-6)
    loss.backward()
    assert logits.grad[0] < 0 and (logits.grad[1:] > 0).all()  # the answer up, the others down


def test_two_answer_sentences_share_the_target():
    loss = listwise_loss(torch.tensor([1.0, 1.0, -2.0]), torch.tensor([1.0, 1.0, 0.0]), torch.tensor([0, 0, 0]))
    expected = math.log(1 + 2 * math.e + math.exp(-2)) - math.log(2 * math.e)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_a_negative_weight_is_refused_with_the_value(capsys):
    with pytest.raises(SystemExit):
        train_reader.main(["--listwise", "-1"])
    assert "--listwise must be >= 0, got -1.0" in capsys.readouterr().err
