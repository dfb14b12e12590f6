"""Time written in a question ("in March 2024", "last month", "上个月") as a publication-date range.

dateparser finds and resolves the expression against a reference date; this
module decides which finds are meant as time (a lone "May" or "march" is
often not), what range of days each covers (its period: day, week, month,
year), and what a preposition around it does to the range ("before June").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from qa.timeline.vague import vague_range

# Month and weekday names, lower case, as regex alternatives (also the calendar words of evals/unanswerable.py)
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december"
          "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# A find that is only a month name, a weekday or a year is time only after one of these words:
# "in May", "since 2023"; not "Who may replace him?", "Theresa May", "the 2023 budget".
_PREPOSITION = re.compile(r"(?:\b(before|prior to|earlier than|after|later than|since|from|until|till|up to|by"
                          r"|through|during|between|in|on)\s+(?:the\s+)?)$", re.I)
_LONE = re.compile(rf"^(?:{MONTHS}|{WEEKDAYS}|\d{{4}})$", re.I)
# Words dateparser may take into a find that are not the date itself ("about the 2023", "after 1 June").
# Chinese "在"/"于" ("in", "at") too: "在2015年" is the year 2015.
_LEADING = re.compile(r"^(?:(?:in|on|at|of|about|around|the|during|before|prior to|earlier than|after|later than"
                      r"|since|from|until|till|up to|by|through|between)\s+|[在于]\s*)+", re.I)
_NAME_FIRST = re.compile(rf"^(?:{MONTHS}|{WEEKDAYS})\b", re.I)
# What an English find must look like to count: dateparser also takes "we", "sat", "a a", "90% of",
# "the 1970's" and "years two" for dates (seen on SQuAD and XQuAD questions).
_EN_SHAPE = re.compile(rf"""^(?:\d{{4}}
    | \d{{4}}-\d{{1,2}}(?:-\d{{1,2}})?
    | (?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{MONTHS})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?
    | (?:last|this|next|past)\s+(?:week|month|year|{WEEKDAYS})
    | {WEEKDAYS} | yesterday | tomorrow
    | (?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:day|week|month|year)s?\s+ago)$""",
                       re.I | re.X)
# What a Chinese find must look like to count: dateparser also takes a clock reading ("4 分 51 秒"),
# a score ("24-10") and a date with the next name's first character ("2015 年约" of 约什) for dates
# (seen on XQuAD-zh questions).
_ZH_NUMERALS = "一二三四五六七八九十两"
_ZH_SHAPE = re.compile(rf"""^(?:\d{{4}}\s*年(?:\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*[日号])?)?
    | \d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*[日号])? | [{_ZH_NUMERALS}]{{1,3}}月(?:[{_ZH_NUMERALS}]{{1,3}}[日号])?
    | (?:上|下|这|本|今|去|前|昨|明)(?:个|一)?(?:星期|周|礼拜|月|年|天)[一二三四五六日天]?
    | 昨天|前天|今年|去年|前年|最近|近来|近期
    | (?:过去|最近|近)?[\d{_ZH_NUMERALS}]+\s*(?:个)?(?:天|日|周|星期|月|年)(?:前|以前|之前|内|来|以来)?)$""",
                       re.X)
# Finds that mean "at present", not a period to filter on ("Who leads NATO now?").
# "today" among them: "injectors today" means nowadays far more often than "published today".
_NOT_A_PERIOD = {"now", "today", "current", "currently", "present", "today's", "现在", "今天", "目前", "当前", "如今"}
_ZH_AFTER = (("之前", "before"), ("以前", "before"), ("前", "before"), ("之后", "after"), ("以后", "after"),
             ("后", "after"), ("以来", "since"))
# dateparser 1.5 reads "2023年" as the year 3 and "6月19日" as nothing: numeric Chinese dates are built directly.
_ZH_NUMERIC = re.compile(r"^(?:(\d{4})\s*年)?\s*(?:(\d{1,2})\s*月)?\s*(?:(\d{1,2})\s*[日号])?$")


@dataclass(frozen=True)
class QuestionTime:
    """A time expression found in a question and the publication dates it allows (inclusive; None: open)."""

    expression: str
    start: date | None
    end: date | None
    remainder: str  # the question without the expression, for retrieval and reading


def find_time(question: str, reference: date, lang: str = "en") -> QuestionTime | None:
    """The first time expression in `question` that names a period up to `reference`, or None.

    Relative expressions ("last month", "yesterday", "recently") resolve
    against `reference`; a period wholly after it ("next Friday") is not a
    publication date and gives None.
    """
    vague = vague_range(question, reference)
    if vague is not None:
        return _clamped(question, vague.start, vague.end, vague.first, vague.last, reference)
    for text, first, last in _finds(question, reference, lang):
        period = _period(text, reference, lang)
        if period is None:
            continue
        start, end = period
        preposition, first, last = _preposition(question, first, last, lang)
        if preposition is not None:
            start, end, last = _apply(preposition, start, end, question, last, reference, lang)
        found = _clamped(question, start, end, first, last, reference)
        if found is not None:
            return found
    return None


def warm() -> None:
    """Load dateparser's English and Chinese data now (≈ 0.4 s), not on the first question."""
    for question, lang in (("in March 2024", "en"), ("上个月", "zh")):
        find_time(question, date.today(), lang)


def _finds(question: str, reference: date, lang: str) -> list[tuple[str, int, int]]:
    """What dateparser takes for dates in `question`, as (text, start, end), guarded against false finds."""
    from dateparser.search import search_dates

    found = search_dates(question, languages=[lang], settings=_settings(reference)) or []
    spans, cursor = [], 0
    for text, _ in found:
        at = question.find(text, cursor)
        if at >= 0:
            spans.append((at, at + len(text)))
            cursor = at + len(text)
    finds = []
    for start, end in _joined(question, spans, reference, lang):
        text = question[start:end]
        lead = _LEADING.match(text)
        core, start = (text[lead.end():], start + lead.end()) if lead else (text, start)
        if _meant_as_time(question, core, start, lang):
            finds.append((core, start, start + len(core)))
    return finds


def _joined(question: str, spans: list[tuple[int, int]], reference: date, lang: str) -> list[tuple[int, int]]:
    """Neighbouring finds read as one date when they make one: dateparser splits "before June 2024"."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and re.fullmatch(r"[\s,]*", question[joined[-1][1]:start]):
            merged = (joined[-1][0], end)
            if _period(_LEADING.sub("", question[merged[0]:merged[1]]), reference, lang) is not None:
                joined[-1] = merged
                continue
        joined.append((start, end))
    return joined


def _meant_as_time(question: str, core: str, start: int, lang: str) -> bool:
    if core.strip().lower() in _NOT_A_PERIOD or not core.strip():
        return False
    if lang == "zh":
        return _ZH_SHAPE.match(core.strip()) is not None and not _zh_count(question, core, start)
    if not _EN_SHAPE.match(core.strip()):
        return False
    if _NAME_FIRST.match(core) and not core[0].isupper():
        return False  # English writes months and weekdays capitalised: "march in Budapest" is not March
    return not _LONE.match(core) or _PREPOSITION.search(question[:start]) is not None


def _zh_count(question: str, core: str, start: int) -> bool:
    """A Chinese find of a date's shape that counts years or names a decade: "15年", "70年代"."""
    end = start + len(core)
    return re.fullmatch(r"\d{1,3}\s*年", core.strip()) is not None or question[end:end + 1] == "代"


@lru_cache(maxsize=256)  # a find is parsed when neighbours are joined and again when it is read
def _period(text: str, reference: date, lang: str) -> tuple[date, date] | None:
    """The days `text` covers: a day, its week, month or year."""
    if lang == "zh" and (numeric := _ZH_NUMERIC.match(text)) and any(numeric.groups()):
        return _zh_numeric(numeric.groups(), reference)
    data = _parser(lang, reference).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    return _span(data.date_obj.date(), data.period)


def _span(day: date, period: str) -> tuple[date, date]:
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if period == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    return day, day


def _zh_numeric(groups: tuple[str | None, ...], reference: date) -> tuple[date, date] | None:
    year, month, day = (int(g) if g else None for g in groups)
    try:
        if month is None:
            return (date(year, 1, 1), date(year, 12, 31)) if year and day is None else None
        chosen = year if year is not None else reference.year
        if day is None:
            first = date(chosen, month, 1)
            if year is None and first > reference:  # "3月" asked in February means last year's March
                first = first.replace(year=chosen - 1)
            return _span(first, "month")
        exact = date(chosen, month, day)
        if year is None and exact > reference:
            exact = exact.replace(year=chosen - 1)
        return exact, exact
    except ValueError:
        return None  # "2月30日": no such day


def _preposition(question: str, first: int, last: int, lang: str) -> tuple[str | None, int, int]:
    """The preposition governing the expression at [first:last] and the whole phrase's bounds."""
    if lang == "zh":
        after = next(((w, p) for w, p in _ZH_AFTER if question.startswith(w, last)), None)
        if after is None:
            return None, first, last
        since = after[1] == "since" or question[max(first - 1, 0):first] in {"自", "从"}
        begin = first - 1 if question[max(first - 1, 0):first] in {"自", "从"} else first
        return ("since" if since else after[1]), begin, last + len(after[0])
    found = _PREPOSITION.search(question[:first])
    if found is None:
        return None, first, last
    word = found.group(1).lower()
    return ({"prior to": "before", "earlier than": "before", "later than": "after", "from": "since",
             "till": "until", "up to": "until", "by": "until"}.get(word, word), found.start(), last)


def _apply(preposition: str, start: date, end: date, question: str, last: int, reference: date,
           lang: str) -> tuple[date | None, date | None, int]:
    """The range the preposition leaves: "before June" ends the day before June starts."""
    if preposition == "before":
        return None, start - timedelta(days=1), last
    if preposition == "after":
        return end + timedelta(days=1), None, last
    if preposition == "since":
        return start, None, last
    if preposition == "until":
        return None, end, last
    if preposition == "between":
        second = re.match(r"\s+and\s+(\S.*?)(?=[?.!,]|$)", question[last:])
        period = _period(second.group(1), reference, lang) if second else None
        if period is not None:
            return start, period[1], last + second.end(1)
    return start, end, last


def _clamped(question: str, start: date | None, end: date | None, first: int, last: int,
             reference: date) -> QuestionTime | None:
    """The expression with its range cut at `reference`; None when it lies wholly after it."""
    if start is not None and start > reference:
        return None
    end = reference if end is None or end > reference else end
    if start is not None and start > end:
        return None
    return QuestionTime(question[first:last].strip(), start, end, _without(question, first, last))


def _without(question: str, first: int, last: int) -> str:
    """The question with [first:last] cut out and the spaces around it closed."""
    rest = (question[:first].rstrip() + " " + question[last:].lstrip()).strip()
    return re.sub(r"\s+([?.!,，？。])", r"\1", rest)


@lru_cache(maxsize=4)
def _parser(lang: str, reference: date):
    from dateparser.date import DateDataParser

    return DateDataParser(languages=[lang], settings=_settings(reference))


def _settings(reference: date) -> dict:
    return {"RELATIVE_BASE": datetime(reference.year, reference.month, reference.day),
            "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True, "STRICT_PARSING": False}
