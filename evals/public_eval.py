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


def answer_scores(engine: Engine, items: tuple[QAItem, ...], threshold: float | None) -> dict[str, float | None]:
    """The engine must run at threshold 0 so every question yields a top answer and a confidence;
    each is shown at `threshold` (default: the engine's reader's threshold for the question)."""
    # conf … quoted: one per question; cited, em, f1s: one per answerable question.
    conf, answerable, correct, quoted, cited, em, f1s, latencies, shown_at = [], [], [], [], [], [], [], [], []
    evidence = []  # per question: the first closest passage's highlight holds the answer
    for item in items:
        start = time.perf_counter()
        result = engine.ask(item.question, top_k=1)
        shown_at.append(result.reader_threshold if threshold is None else threshold)
        latencies.append((time.perf_counter() - start) * 1000)
        top = result.answers[0] if result.answers else None
        conf.append(top.score if top else 0.0)
        answerable.append(item.answerable)
        quoted.append(top is None or citations.verbatim(engine, top))
        correct.append(item.answerable and top is not None and contains_answer(top.text, item.answers))
        evidence.append(citations.evidence_first_right(result, item.answers))
        if item.answerable:
            # The cited article supports the answer when it is the question's own paragraph.
            cited.append(top is not None and quoted[-1] and top.source == item.paragraph_key)
            short = (top.short_answer or top.text) if top else ""
            em.append(exact_match(short, item.answers))
            f1s.append(f1(short, item.answers))
    conf_a, ans = np.asarray(conf), np.asarray(answerable)
    abstained = conf_a < np.asarray(shown_at)
    return {
        "questions": len(items),
        "accuracy@1": float(np.mean(np.asarray(correct)[ans])) if ans.any() else None,
        "short_em": float(np.mean(em)) if em else None,
        "short_f1": float(np.mean(f1s)) if f1s else None,
        "abstention_auroc": float(roc_auc_score(ans, conf_a)) if 0 < ans.sum() < len(ans) else None,
        "abstain_precision": float((~ans & abstained).sum() / max(abstained.sum(), 1)),
        "abstain_recall": float((~ans & abstained).sum() / max((~ans).sum(), 1)) if (~ans).any() else None,
        # Shown at the threshold and right, over the answerable questions (what a user gets).
        "answered_right": float(np.mean((np.asarray(correct) & ~abstained)[ans])) if ans.any() else None,
        # Of the answers shown, the share that are right (what a user can trust).
        "shown_right": float(np.mean(np.asarray(correct)[~abstained])) if (~abstained).any() else None,
        # What an abstention shows first: of the answerable questions abstained on, the share whose
        # first closest passage highlights a sentence holding the answer.
        "abstained_evidence_first_right": float(np.mean(np.asarray(evidence)[ans & abstained]))
        if (ans & abstained).any() else None,
        "citations_verbatim": float(np.mean(quoted)) if quoted else None,
        "citations_correct": float(np.mean(cited)) if cited else None,
        "risk_coverage": risk_coverage(conf, correct),
        "latency_p50_ms": float(np.percentile(latencies, 50)),
        "latency_p95_ms": float(np.percentile(latencies, 95)),
    }
