"""Score the answering pipeline on the sample gold set.

The engine runs with threshold 0, so every question yields its best
answer and a confidence; abstention is then applied at each question's
threshold (the reader's for it, or the one under test), which lets one run
give the whole risk-coverage curve.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals import citations
from evals.datasets.gold import GoldQuestion, GoldSet
from evals.squad_metrics import contains_answer
from qa.engine import Engine


@dataclass(frozen=True)
class Judged:
    """What the pipeline did with one gold question."""

    id: str
    kind: str
    question: str
    resolved_question: str
    answerable: bool
    confidence: float
    top_text: str | None
    top_source: str | None
    right_at_1: bool  # the top quote holds an accepted span, from a supporting article, verbatim
    latency_ms: float
    verbatim: bool  # the top quote equals its document's text at its offsets (or there is none)
    supported: bool  # the top quote comes from an article that supports an answer to the question
    threshold: float  # the confidence its answer needs to be shown
    evidence_right: bool = False  # the first closest passage's highlight holds an accepted span (shown on abstaining)

    @property
    def shown(self) -> bool:
        return self.confidence >= self.threshold

    def correct(self) -> bool:
        """Right answer shown, or (for an unanswerable question) abstained."""
        if self.answerable:
            return self.right_at_1 and self.shown
        return not self.shown


def judge_all(engine: Engine, gold: GoldSet, threshold: float | None = None) -> list[Judged]:
    """Ask every question (conversations turn by turn) and judge the top answer, shown at
    `threshold` (default: the engine's reader's threshold for each question)."""
    judged = [_judge(engine, q, None, threshold) for q in gold.questions]
    for conversation in gold.conversations:
        conversation_id = engine.start_conversation()
        judged.extend(_judge(engine, turn, conversation_id, threshold) for turn in conversation.turns)
    return judged


def _judge(engine: Engine, item: GoldQuestion, conversation_id: str | None, threshold: float | None) -> Judged:
    start = time.perf_counter()
    result = engine.ask(item.question, 1, conversation_id=conversation_id)
    latency = (time.perf_counter() - start) * 1000
    top = result.answers[0] if result.answers else None
    quoted = top is not None and citations.verbatim(engine, top)
    supported = top is not None and item.answerable and Path(top.source).name in item.documents
    right = quoted and supported and contains_answer(top.text, item.answers)
    return Judged(item.id, item.kind, item.question, result.resolved_question, item.answerable,
                  top.score if top else 0.0, top.text if top else None, top.source if top else None,
                  right, round(latency, 2), quoted or top is None, supported,
                  result.reader_threshold if threshold is None else threshold,
                  citations.evidence_first_right(result, item.answers))


def summary(judged: list[Judged]) -> dict:
    """The headline numbers, each question shown at its threshold."""
    answerable = [j for j in judged if j.answerable and j.kind != "followup"]
    unanswerable = [j for j in judged if not j.answerable]
    followups = [j for j in judged if j.kind == "followup"]
    abstained = [j for j in judged if not j.shown]
    latencies = [j.latency_ms for j in judged]
    kinds = sorted({j.kind for j in judged})
    return {
        "threshold": " / ".join(str(round(t, 4)) for t in sorted({j.threshold for j in judged}, reverse=True)),
        "questions": len(judged),
        "answerable_right": _share(answerable),
        "answerable_right_at_1_ignoring_threshold": _mean([j.right_at_1 for j in answerable]),
        "unanswerable_abstained": _share(unanswerable),
        "followups_right": _share(followups),
        "answered_precision": _mean([j.answerable and j.right_at_1 for j in judged if j.shown]),
        "abstain_precision": _mean([not j.answerable for j in abstained]),
        "abstain_recall": _mean([not j.shown for j in unanswerable]),
        # What an abstention shows first: of the answerable questions abstained on, the share whose
        # first closest passage highlights a sentence holding the answer.
        "abstained_evidence_first_right": _mean([j.evidence_right for j in answerable if not j.shown]),
        # Citation correctness of the top quote (threshold ignored): verbatim at its offsets, and
        # verbatim and from a supporting article for the answerable questions.
        "citations_verbatim": _mean([j.verbatim for j in judged]),
        "citations_correct": _mean([j.verbatim and j.supported for j in judged if j.answerable]),
        "per_kind": {k: _share([j for j in judged if j.kind == k]) for k in kinds},
        "latency_p50_ms": float(np.percentile(latencies, 50)) if latencies else None,
        "latency_p95_ms": float(np.percentile(latencies, 95)) if latencies else None,
    }


def failures(judged: list[Judged]) -> list[dict]:
    """Every question the pipeline got wrong, with what it answered instead."""
    return [{"id": j.id, "kind": j.kind, "question": j.question, "resolved_question": j.resolved_question,
             "confidence": round(j.confidence, 3), "threshold": round(j.threshold, 4),
             "answered": j.top_text if j.shown else None, "top": j.top_text, "source": j.top_source}
            for j in judged if not j.correct()]


def _share(items: list[Judged]) -> float | None:
    return _mean([j.correct() for j in items])


def _mean(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
