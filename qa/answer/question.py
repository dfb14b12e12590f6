"""What a question asks for: its expected answer type and its content terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.keyword import content_terms
from qa.answer.spans import given_names

# Checked in order: the first pattern that matches names the type.
_TYPES = (
    ("age", re.compile(r"\bhow old\b|\bwhat age\b|\bage of\b|多大|几岁|年龄", re.I)),
    ("date", re.compile(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|date|day|month)\b"
                        r"|\bby when\b|什么时候|何时|哪一?年|哪天|日期", re.I)),
    ("number", re.compile(r"\bhow (many|much|long|far)\b|\bwhat (number|percentage|share)\b"
                          r"|多少|几个|几名|几架|百分之", re.I)),
    ("person", re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (?:\w+ )?(?:leader|president|minister|person|official|chancellor|politician)\b"
                          r"|谁|哪位", re.I)),
    ("place", re.compile(r"\bwhere\b|\bwhich (country|city|countries|place)\b|哪里|在哪|哪个国家", re.I)),
    ("reason", re.compile(r"\bwhy\b|\bwhat (made|caused|led)\b|\breason\b|为什么|为何|原因", re.I)),
    ("manner", re.compile(r"\bhow\b|如何|怎样|怎么", re.I)),
)
# Words that only say what kind of answer is wanted; the answer text will not repeat them.
_CUE_WORDS = {
    "age": {"old", "age", "aged"},
    "date": {"year", "date", "day", "month", "time"},
    "number": {"long", "far", "number", "percentage", "share"},
}
# Types whose answer is a short span (a name, number or date) inside a sentence.
SHORT_TYPES = frozenset({"age", "date", "number", "person"})


@dataclass(frozen=True)
class QuestionInfo:
    """A question, analysed."""

    text: str
    answer_type: str
    terms: tuple[str, ...]


def analyse(question: str) -> QuestionInfo:
    """Expected answer type ('person', 'date', ..., 'other') and content terms."""
    answer_type = next((name for name, pattern in _TYPES if pattern.search(question)), "other")
    drop = _CUE_WORDS.get(answer_type, set()) | given_names(question)
    return QuestionInfo(question, answer_type, tuple(t for t in content_terms(question) if t not in drop))
