"""The extractive invariant, checked wherever answers are produced."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def assert_cited(result: Mapping[str, Any], text_of: Callable[[str], str]) -> None:
    """Every quote, short answer and related passage equals the cited document's text at its offsets."""
    for a in result["answers"]:
        text = text_of(a["document_id"])
        assert text[a["start"]:a["end"]] == a["text"], a
        assert a["text"].strip() == a["text"] and a["text"]
        assert 0.0 <= a["score"] <= 1.0
        if a["short_answer"] is not None:
            assert text[a["short_start"]:a["short_end"]] == a["short_answer"]
            assert a["start"] <= a["short_start"] < a["short_end"] <= a["end"]
        assert a["text"] in a["context"]
    for r in result["related"]:
        text = text_of(r["document_id"])
        assert text[r["start"]:r["end"]] == r["text"]
        assert text[r["highlight_start"]:r["highlight_end"]] == r["highlight"] and r["highlight"]
        assert r["start"] <= r["highlight_start"] < r["highlight_end"] <= r["end"]
    assert result["answered"] == bool(result["answers"])
