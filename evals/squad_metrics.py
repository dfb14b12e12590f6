"""Official SQuAD answer normalisation and scores (character-level for Chinese)."""

from __future__ import annotations

import re
import string
from collections import Counter

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = set(string.punctuation) | set("，。！？；：“”‘’「」『』（）《》、·—…")


def normalise(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (SQuAD v2 semantics)."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_answer(span: str, answers: tuple[str, ...]) -> bool:
    """The span holds one of the gold answers, after normalisation."""
    norm = normalise(span)
    return any(normalise(a) and normalise(a) in norm for a in answers)


def _tokens(text: str) -> list[str]:
    norm = normalise(text)
    if any("\u4e00" <= ch <= "\u9fff" for ch in norm):
        return [ch for ch in norm if not ch.isspace()]
    return norm.split()


def exact_match(prediction: str, answers: tuple[str, ...]) -> float:
    return float(any(normalise(prediction) == normalise(a) for a in answers))


def f1(prediction: str, answers: tuple[str, ...]) -> float:
    """Best token-overlap F1 against the gold answers."""
    best = 0.0
    pred = _tokens(prediction)
    for answer in answers:
        gold = _tokens(answer)
        common = sum((Counter(pred) & Counter(gold)).values())
        if common:
            p, r = common / len(pred), common / len(gold)
            best = max(best, 2 * p * r / (p + r))
    return best
