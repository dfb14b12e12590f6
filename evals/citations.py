"""Citation correctness: a quote must be its document's text at its offsets; what the first closest passage shows."""

from __future__ import annotations

from qa.engine import Engine
from evals.squad_metrics import contains_answer
from qa.types import Answer, Result


def verbatim(engine: Engine, answer: Answer) -> bool:
    """The quote equals its document's canonical text at its offsets."""
    doc = engine.document(answer.document_id)
    return doc is not None and doc.text[answer.start:answer.end] == answer.text


def evidence_first_right(result: Result, answers: tuple[str, ...]) -> bool:
    """Whether the first closest passage's highlight (what an abstention shows first) holds an answer."""
    return bool(answers) and bool(result.related) and contains_answer(result.related[0].highlight, answers)
