"""Full-pipeline answer quality on a SQuAD-format set: accuracy@1, short-answer EM/F1, abstention."""

from __future__ import annotations

import time

import numpy as np
from sklearn.metrics import roc_auc_score

from evals import citations
from evals.datasets.squad import QAItem
from evals.report import risk_coverage
from evals.squad_metrics import contains_answer, exact_match, f1
from qa.engine import Engine

KEYS = ("questions", "accuracy@1", "short_em", "short_f1", "abstention_auroc", "abstain_precision", "abstain_recall",
        "answered_right", "shown_right", "abstained_evidence_first_right", "citations_verbatim", "citations_correct",
        "risk_coverage", "latency_p50_ms", "latency_p95_ms")


def answer_scores(engine: Engine, items: tuple[QAItem, ...], threshold: float | None) -> dict[str, float | None]:
    """The engine must run at threshold 0 so every question yields a top answer and a confidence;
    each is shown at `threshold` (default: the engine's reader's threshold for the question)."""
    rows = [_read(engine, item, threshold) for item in items]
    read = [(row, item) for row, item in zip(rows, items) if item.answerable]
    measures = _measures({key: np.asarray([row[key] for row in rows]) for key in rows[0] if key != "short"})
    scores = measures | {
        "questions": len(items),
        "short_em": _mean([exact_match(row["short"], item.answers) for row, item in read]),
        "short_f1": _mean([f1(row["short"], item.answers) for row, item in read]),
        "citations_correct": _mean([row["cited"] for row, _ in read]),
        "risk_coverage": risk_coverage([row["conf"] for row in rows], [row["correct"] for row in rows]),
    }
    return {key: scores[key] for key in KEYS}


def _read(engine: Engine, item: QAItem, threshold: float | None) -> dict:
    """One question's top answer, as the measures below need it."""
    start = time.perf_counter()
    result = engine.ask(item.question, top_k=1)
    latency = (time.perf_counter() - start) * 1000
    top = result.answers[0] if result.answers else None
    quoted = top is None or citations.verbatim(engine, top)
    return {
        "shown_at": result.reader_threshold if threshold is None else threshold, "latency": latency,
        "conf": top.score if top else 0.0, "answerable": item.answerable, "quoted": quoted,
        "correct": item.answerable and top is not None and contains_answer(top.text, item.answers),
        # what an abstention shows first: does the first closest passage's highlight hold the answer
        "evidence": citations.evidence_first_right(result, item.answers),
        # the cited article supports the answer when it is the question's own paragraph
        "cited": top is not None and quoted and top.source == item.paragraph_key,
        "short": (top.short_answer or top.text) if top else "",
    }


def _mean(values: list) -> float | None:
    return float(np.mean(values)) if values else None


def _measures(col: dict[str, np.ndarray]) -> dict[str, float | None]:
    """The measures over every question's reading."""
    conf, ans, correct = col["conf"].astype(float), col["answerable"].astype(bool), col["correct"].astype(bool)
    abstained = conf < col["shown_at"].astype(float)
    return {
        "accuracy@1": float(np.mean(correct[ans])) if ans.any() else None,
        "abstention_auroc": float(roc_auc_score(ans, conf)) if 0 < ans.sum() < len(ans) else None,
        "abstain_precision": float((~ans & abstained).sum() / max(abstained.sum(), 1)),
        "abstain_recall": float((~ans & abstained).sum() / max((~ans).sum(), 1)) if (~ans).any() else None,
        # Shown at the threshold and right, over the answerable questions (what a user gets).
        "answered_right": float(np.mean((correct & ~abstained)[ans])) if ans.any() else None,
        # Of the answers shown, the share that are right (what a user can trust).
        "shown_right": float(np.mean(correct[~abstained])) if (~abstained).any() else None,
        # What an abstention shows first: of the answerable questions abstained on, the share whose
        # first closest passage highlights a sentence holding the answer.
        "abstained_evidence_first_right": float(np.mean(col["evidence"].astype(bool)[ans & abstained]))
        if (ans & abstained).any() else None,
        "citations_verbatim": float(np.mean(col["quoted"])),
        "latency_p50_ms": float(np.percentile(col["latency"], 50)),
        "latency_p95_ms": float(np.percentile(col["latency"], 95)),
    }
