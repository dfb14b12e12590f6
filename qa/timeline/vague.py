"""Vague recency in a question ("recently", "in the past two weeks", "最近") as a range of days.

dateparser resolves dates, not these: each names a window ending at the
reference date, its length said here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

RECENT_DAYS = 30  # "recently": the month before the reference date
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365, "天": 1, "日": 1, "周": 7, "星期": 7,
              "个月": 30, "月": 30, "年": 365}
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "few": 3, "couple of": 2, "several": 3,
           "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "几": 3}
_WINDOW_EN = re.compile(r"\b(?:in|over|during|within)?\s*(?:the\s+)?(?:past|last|previous)\s+"
                        r"(?:(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|few|couple of|several)\s+)?"
                        r"(day|week|fortnight|month|year)s?\b", re.I)
_WINDOW_ZH = re.compile(r"(?:过去|最近|近)(\d+|[一两二三四五六七八九十几])?(天|日|周|星期|个月|年)")
# Case matters: "the host of Late Night" is not "of late".
_RECENT = re.compile(r"\b(?:[Rr]ecently|[Ll]ately|these days|of late|in recent (?:days|weeks))\b|最近|近来|近期|近日")


@dataclass(frozen=True)
class VagueRange:
    """The days a vague expression covers and where it is written in the question."""

    start: date
    end: date
    first: int
    last: int


def vague_range(question: str, reference: date) -> VagueRange | None:
    """The window a vague recency expression in `question` names, ending at `reference`, or None."""
    window = _WINDOW_EN.search(question) or _WINDOW_ZH.search(question)
    if window is not None and _needs_window(window):
        count = window.group(1)
        days = _UNIT_DAYS[window.group(2).lower()] * (int(count) if count and count.isdigit()
                                                     else _COUNTS.get((count or "one").lower(), 1))
        return VagueRange(reference - timedelta(days=days - 1), reference, window.start(), window.end())
    recent = _RECENT.search(question)
    if recent is not None:
        return VagueRange(reference - timedelta(days=RECENT_DAYS - 1), reference, recent.start(), recent.end())
    return None


def _needs_window(found: re.Match) -> bool:
    """"the past week" is a rolling window; plain "last week" is the calendar week, left to dateparser."""
    written = found.group(0).lower().strip()
    return not re.fullmatch(r"last (?:day|week|month|year)", written)
