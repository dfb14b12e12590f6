"""The reader's calibration: the fitted order of read candidates, and that serving scores them the same way."""

from __future__ import annotations

import json

import numpy as np

from evals.calibrate_reader import (
    LOGIT_ONLY,
    Asked,
    calibrate,
    fit_order,
    fit_read_within,
    order_accuracy,
    read_counts,
    scored,
)
from evals.calibration_sets import read_as_served
from qa.answer.reading.neural import CALIBRATION_FILE, Calibration, reading_features


def _question(rng: np.random.Generator, right: int, logit_noise: float, gap_signal: float, n: int = 4) -> Asked:
    """An answerable question whose candidate `right` holds the answer; the logits are noisy by
    `logit_noise`, and the lexical rank gap points at `right` by `gap_signal`."""
    labels = np.zeros(n)
    labels[right] = 1.0
    logits = rng.normal(0.0, logit_noise, n) + labels
    gap = -np.abs(rng.normal(1.0, 0.2, n)) + gap_signal * labels
    gap -= gap.max()
    return Asked(True, labels, gap, np.full(n, 0.3), logits)


def test_fit_order_leans_on_the_rank_gap_when_the_logits_are_noisy():
    rng = np.random.default_rng(0)
    noisy = [_question(rng, int(rng.integers(4)), logit_noise=3.0, gap_signal=1.5) for _ in range(200)]
    order = fit_order({"noisy": noisy}, top_n=4)
    assert order[0] == 1.0 and order[1] > 0.0
    assert order_accuracy(noisy, 4, order) > order_accuracy(noisy, 4, LOGIT_ONLY) + 0.1


def test_fit_order_keeps_the_logit_alone_when_it_is_already_right():
    rng = np.random.default_rng(1)
    clean = [_question(rng, int(rng.integers(4)), logit_noise=0.0, gap_signal=0.0) for _ in range(50)]
    assert order_accuracy(clean, 4, LOGIT_ONLY) == 1.0
    assert fit_order({"clean": clean}, top_n=4) == LOGIT_ONLY


def test_fit_order_weighs_each_set_once_whatever_its_size():
    rng = np.random.default_rng(0)
    # The logits alone are right for one set (its rank gap misleads a little); the other needs the gap.
    clean = [_question(rng, int(rng.integers(4)), logit_noise=0.3, gap_signal=-0.3) for _ in range(40)]
    noisy = [_question(rng, int(rng.integers(4)), logit_noise=3.0, gap_signal=2.0) for _ in range(40)]
    per_set = fit_order({"clean": clean, "noisy": noisy}, top_n=4)
    assert fit_order({"clean": clean * 10, "noisy": noisy}, top_n=4) == per_set
    assert fit_order({"pooled": clean * 10 + noisy}, top_n=4) != per_set  # what pooling the questions would pick


def test_scored_ranks_as_the_service_calibration_does():
    rng = np.random.default_rng(3)
    asked = [_question(rng, 1, logit_noise=1.0, gap_signal=1.0, n=6) for _ in range(5)]
    order = (1.0, 0.5, 0.25)
    for a, (ranks, confidences) in zip(asked, scored(asked, (0.4, 0.0, 0.6), 0.1, 4, order)):
        served = Calibration((0.4, 0.0, 0.6), 0.1, 0.5, 4, order)
        expected = served.score(reading_features(a.logits[:4], a.rank_gap[:4], a.lexical[:4]))
        np.testing.assert_allclose(ranks, expected[0])
        np.testing.assert_allclose(confidences, expected[1])
        assert len(ranks) == 4 and np.all((0 < confidences) & (confidences < 1))


def _with_far_candidates(rng: np.random.Generator, far_right: bool) -> Asked:
    """Two near candidates (lexical gaps 0 and -0.5) and two far ones (-3, -5); the answer is near,
    unless `far_right`, when it is the last one and the logits say so."""
    labels = np.array([0.0, 0.0, 0.0, 1.0]) if far_right else np.eye(4)[int(rng.integers(2))]
    return Asked(True, labels, np.array([0.0, -0.5, -3.0, -5.0]), np.full(4, 0.3), labels * 3 + rng.normal(0, 0.1, 4))


def test_the_reach_is_as_short_as_keeps_the_answers():
    rng = np.random.default_rng(4)
    near = [_with_far_candidates(rng, far_right=False) for _ in range(100)]
    assert fit_read_within({"near": near}, 4, LOGIT_ONLY) == 1.0  # the grid's shortest
    assert read_counts(near, 4, 1.0) == 2.0 and read_counts(near, 4, None) == 4.0
    some_far = near + [_with_far_candidates(rng, far_right=True) for _ in range(10)]
    assert fit_read_within({"some far": some_far}, 4, LOGIT_ONLY) == 5.0
    assert order_accuracy(some_far, 4, LOGIT_ONLY, 5.0) == order_accuracy(some_far, 4, LOGIT_ONLY) == 1.0
    assert order_accuracy(some_far, 4, LOGIT_ONLY, 4.0) < 1.0


def test_scored_reads_only_within_reach_as_the_service_does():
    rng = np.random.default_rng(5)
    asked = [_with_far_candidates(rng, far_right=False) for _ in range(3)]
    for a, (ranks, confidences) in zip(asked, scored(asked, (0.4, 0.0, 0.6), 0.1, 4, LOGIT_ONLY, 2.0)):
        served = Calibration((0.4, 0.0, 0.6), 0.1, 0.5, 4, LOGIT_ONLY, read_within=2.0)
        assert served.read_count(a.rank_gap) == 2
        expected = served.score(reading_features(a.logits[:2], a.rank_gap[:2], a.lexical[:2]))
        np.testing.assert_allclose(ranks, expected[0])
        np.testing.assert_allclose(confidences, expected[1])


class _BatchRecorder:
    """A fake pair model that logs the batches it is given and reads each text as its length."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.array([float(len(t)) for t in texts], dtype=np.float32)


def test_calibration_reads_the_best_top_n_in_one_batch_as_the_service_does():
    model = _BatchRecorder()
    texts = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]
    logits = read_as_served(model, "q?", texts, 4)
    assert model.batches == [texts[:4], texts[4:]]
    assert logits.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_the_calibration_fits_a_logit_alone_confidence_for_other_languages_and_ships_it(tmp_path):
    rng = np.random.default_rng(6)
    # The lexical logit is uninformative here (constant), so the logit carries all the signal.
    asked = [_question(rng, int(rng.integers(4)), logit_noise=1.0, gap_signal=0.5) for _ in range(300)]
    result = calibrate({"SQuAD v1.1 held-out articles": asked}, 4, 0.25, None)
    across = result["across"]
    assert across["weight"] > 0 and across["measured"]["questions"] == 300
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps(result), encoding="utf-8")
    served = Calibration.load(tmp_path)
    assert served.across == (across["weight"], across["bias"]) and served.threshold == result["threshold"]
    x = reading_features(asked[0].logits[:4], asked[0].rank_gap[:4], asked[0].lexical[:4])
    crossed = served.score(x, np.ones(4, dtype=bool))[1]
    np.testing.assert_allclose(crossed, 1 / (1 + np.exp(-(across["weight"] * x[:, 0] + across["bias"]))))
