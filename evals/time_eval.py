"""Score time-aware answers on the time questions: filters understood, as_of kept, newest evidence first.

The engine answers with threshold 0 (every question gets its best quotes);
`right_at_1` judges the first quote, `answered_right` also asks that it
reach the reader's threshold. The newest-first margin is swept to show how
it was chosen (on the `tune` split) and what it does to the `test` split.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.settings import ServiceSettings
from evals import citations
from evals.datasets import time_questions
from evals.datasets.time_questions import TimeQuestion
from evals.squad_metrics import contains_answer
from index.storage import named_location
from qa.engine import Engine
from qa.types import Result

MARGINS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)


@dataclass(frozen=True)
class TimeJudged:
    """What the pipeline did with one time question (None: the check does not apply to it)."""

    id: str
    split: str
    question: str
    right_at_1: bool  # first quote holds an accepted span from an expected article, verbatim
    shown: bool  # its confidence reaches the reader's threshold
    filter_right: bool  # the time filter understood is the expected one (or none, when none is)
    as_of_kept: bool | None  # every quote from an article published by `as_of`
    older_right: bool | None  # among the quotes shown, one marked as earlier exactly when one should be
    verbatim: bool
    top: str | None


def run(settings: ServiceSettings, cache: Path) -> dict:
    """The time questions' numbers at the configured margin, and right@1 per split at each margin."""
    questions = time_questions.load()
    engine = _engine(settings, cache)
    judged = [judge(engine, q) for q in questions]
    by_margin = {}
    for margin in MARGINS:
        other = Engine(engine.settings.model_copy(update={"newer_margin": margin}))
        scored = [judge(other, q) for q in questions]
        by_margin[str(margin)] = {split: _mean([j.right_at_1 for j in scored if j.split == split])
                                  for split in time_questions.SPLITS}
    return {"summary": summary(judged), "margin": settings.newer_margin, "by_margin": by_margin,
            "failures": [j.__dict__ for j in judged if not (j.right_at_1 and j.filter_right)]}


def judge(engine: Engine, q: TimeQuestion) -> TimeJudged:
    """Ask one question at its `as_of` and judge the quotes."""
    result = engine.ask(q.question, top_k=3, as_of=q.as_of)
    top = result.answers[0] if result.answers else None
    verbatim = all(citations.verbatim(engine, a) for a in result.answers)
    if q.answers:
        right = (top is not None and verbatim and Path(top.source).name in q.documents
                 and contains_answer(top.text, q.answers))
    else:  # nothing of that period holds an answer: the filter must say it was not kept to
        right = result.time_filter is not None and not result.time_filter.applied
    shown = [a for a in result.answers if a.score >= result.reader_threshold]
    older = None if q.older is None else any(a.older for a in shown) == q.older
    kept = None if q.as_of is None else all(a.published is not None and a.published <= q.as_of.isoformat()
                                            for a in result.answers)
    return TimeJudged(q.id, q.split, q.question, right, top is not None and top.score >= result.reader_threshold,
                      _filter_right(q, result), kept, older, verbatim, top.text if top else None)


def _filter_right(q: TimeQuestion, result: Result) -> bool:
    found = result.time_filter
    if q.time_filter is None:
        return found is None
    return found is not None and (found.published_from, found.published_to) == q.time_filter


def summary(judged: list[TimeJudged]) -> dict:
    """Each check's share over the questions it applies to, for all questions and per split."""
    def numbers(items: list[TimeJudged]) -> dict:
        return {"questions": len(items),
                "right_at_1": _mean([j.right_at_1 for j in items]),
                "answered_right": _mean([j.right_at_1 and j.shown for j in items]),
                "time_filter_right": _mean([j.filter_right for j in items]),
                "as_of_kept": _mean([j.as_of_kept for j in items if j.as_of_kept is not None]),
                "older_marked_right": _mean([j.older_right for j in items if j.older_right is not None]),
                "citations_verbatim": _mean([j.verbatim for j in items])}
    return {"all": numbers(judged), **{split: numbers([j for j in judged if j.split == split])
                                       for split in time_questions.SPLITS}}


def _engine(settings: ServiceSettings, cache: Path) -> Engine:
    """The sample corpus and the made-up dated articles, indexed with `settings.embedder`, threshold 0."""
    engine = Engine(settings.model_copy(update={"answer_threshold": 0.0, "ingest_sample_on_start": False,
                                                **named_location(settings, f"time-{settings.embedder}", cache)}))
    engine.ingest([settings.sample_dir, time_questions.articles_dir()])
    return engine


def _mean(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
