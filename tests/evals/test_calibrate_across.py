"""How many candidates are read for a question asked across languages: fitted, written, served."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evals.calibrate_across import fit_top_n_across, update
from evals.calibration_sets import Asked
from qa.answer.reading.neural import CALIBRATION_FILE, LOGIT_ONLY, Calibration


def _question(rng: np.random.Generator, right: int, n: int = 12) -> Asked:
    """An answerable question whose candidate `right` (in lexical order) holds the answer, and the
    reader's logit knows it."""
    labels = np.eye(n)[right]
    return Asked(True, labels, -np.arange(n, dtype=float), np.full(n, 0.3), labels * 3 + rng.normal(0, 0.1, n))


def test_more_candidates_are_read_only_where_they_hold_more_answers():
    rng = np.random.default_rng(0)
    near = [_question(rng, int(rng.integers(3))) for _ in range(100)]
    assert fit_top_n_across({"near": near}, LOGIT_ONLY)[0] == 3  # the grid's fewest
    deep = near + [_question(rng, 4 + int(rng.integers(2))) for _ in range(30)]  # answers 5th and 6th
    n, by_n = fit_top_n_across({"deep": deep}, LOGIT_ONLY)
    assert n == 6 and by_n["deep"][6] == 1.0 and by_n["deep"][4] < 1.0
    # One answer in 261 at the 8th place is within the tolerance (.005): 6 are still read; one in 131 is not.
    assert fit_top_n_across({"deep": deep * 2 + [_question(rng, 7)]}, LOGIT_ONLY)[0] == 6
    assert fit_top_n_across({"deep": deep + [_question(rng, 7)]}, LOGIT_ONLY)[0] == 8
    with pytest.raises(ValueError, match="sets must not be empty"):
        fit_top_n_across({}, LOGIT_ONLY)


def test_the_fitted_reach_is_written_beside_the_calibration_and_served(tmp_path):
    rng = np.random.default_rng(1)
    calibration = {"weights": [1.0, 0.0, 0.0], "bias": 0.0, "threshold": 0.5, "top_n": 3, "order": [1.0, 0.0, 0.0],
                   "precision": 0.8}
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps(calibration), encoding="utf-8")
    assert Calibration.load(tmp_path).top_n_across is None
    deep = [_question(rng, int(rng.integers(8))) for _ in range(200)]
    measured = update(tmp_path, {"switched": deep})
    assert measured["top_n_across"] == 8 and measured["questions"] == {"switched": 200}
    served = Calibration.load(tmp_path)
    assert served.top_n_across == 8 and served.top_n == 3
    gaps = -np.arange(12, dtype=float)
    assert served.read_count(gaps, across=True) == 8 and served.read_count(gaps) == 3
    assert served.read_count(gaps[:5], across=True) == 5
    with pytest.raises(ValueError, match="top_n_across must be > 0 or None, got 0"):
        Calibration((1.0, 0.0, 0.0), 0.0, 0.5, 3, top_n_across=0)


def test_the_confidence_across_languages_is_measured_on_the_switched_questions(tmp_path):
    rng = np.random.default_rng(2)
    deep = [_question(rng, int(rng.integers(8))) for _ in range(200)]
    calibration = {"weights": [1.0, 0.0, 0.0], "bias": 0.0, "threshold": 0.5, "top_n": 3, "order": [1.0, 0.0, 0.0],
                   "precision": 0.8}
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps(calibration), encoding="utf-8")
    general = update(tmp_path, {"switched": deep})["confidence_across_measured"]["switched"]
    # No `across`: the general confidence, sigmoid(logit); every right candidate (logit ≈ 3) is read and shown.
    assert general["answered"] == 1.0 and general["precision"] == 1.0 and general["accuracy_at_1"] == 1.0
    calibration["across"] = {"weight": 1.0, "bias": -4.0}  # sigmoid(3 - 4) < 0.5: nothing shown across
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps(calibration), encoding="utf-8")
    across = update(tmp_path, {"switched": deep})["confidence_across_measured"]["switched"]
    assert across["answered"] == 0.0 and across["precision"] is None and across["right_and_shown"] == 0.0
    written = json.loads((tmp_path / CALIBRATION_FILE).read_text(encoding="utf-8"))
    assert written["across_reach"]["confidence_across_measured"]["switched"]["answered"] == 0.0
