"""Sentence windows: a sentence and the one after it, as one more candidate for "why" questions."""

from __future__ import annotations

from dataclasses import replace

from qa.answer.candidates import CandidateSet

# A "why" answer is often an event and the sentence after it that gives its cause
# ("... announced the decision on Tuesday, following a letter from Rutte ...").
WINDOW_TYPES = frozenset({"reason"})
MAX_WINDOW_CHARS = 600


def with_windows(found: CandidateSet, answer_type: str) -> CandidateSet:
    """`found` plus, for a question of a WINDOW_TYPES type, each candidate joined with the next
    sentence of its document when that is a candidate too (the window is the document's text
    from the first's start to the second's end, so it stays a verbatim quote)."""
    if answer_type not in WINDOW_TYPES:
        return found
    by_position = {(c.document.id, c.sentence_index): c for c in found.candidates}
    windows = []
    for c in found.candidates:
        following = by_position.get((c.document.id, c.sentence_index + 1))
        if following is not None and following.end - c.start <= MAX_WINDOW_CHARS:
            windows.append(replace(c, end=following.end, dense=max(c.dense, following.dense)))
    return CandidateSet(found.candidates + tuple(windows), found.passages)
