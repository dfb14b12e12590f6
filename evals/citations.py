"""Citation correctness: a quote must be its document's text at its offsets."""

from __future__ import annotations

from qa.engine import Engine
from qa.types import Answer


def verbatim(engine: Engine, answer: Answer) -> bool:
    """The quote equals its document's canonical text at its offsets."""
    doc = engine.document(answer.document_id)
    return doc is not None and doc.text[answer.start:answer.end] == answer.text
