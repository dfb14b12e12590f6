"""Time in questions, as-of cut-offs and newest evidence first (the parts, without a model)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from index.types import Filters
from qa.timeline.expressions import find_time
from qa.timeline.filters import within
from qa.timeline.recency import newest_first
from qa.timeline.wording import dated_lead, spoken_date, time_note
from qa.types import Answer, TimeFilter

TODAY = date(2026, 12, 2)  # a Wednesday


def _range(question: str, reference: date = TODAY, lang: str = "en") -> tuple[str | None, str | None] | None:
    found = find_time(question, reference, lang)
    if found is None:
        return None
    return (found.start.isoformat() if found.start else None, found.end.isoformat() if found.end else None)


@pytest.mark.parametrize("question, expected", [
    ("What did Hungary say about Rutte in March 2024?", ("2024-03-01", "2024-03-31")),
    ("What happened on 19 June 2024?", ("2024-06-19", "2024-06-19")),
    ("What happened on 2024-06-19?", ("2024-06-19", "2024-06-19")),
    ("Who led NATO in 2023?", ("2023-01-01", "2023-12-31")),
    ("What did Orban say before June 2024?", (None, "2024-05-31")),
    ("What was said after 1 June 2024?", ("2024-06-02", "2026-12-02")),
    ("What has Rutte said since March 2024?", ("2024-03-01", "2026-12-02")),
    ("What happened between March 2024 and June 2024?", ("2024-03-01", "2024-06-30")),
    ("What happened in May?", ("2026-05-01", "2026-05-31")),  # the last May up to the reference date
])
def test_absolute_expressions_become_a_range_of_publication_dates(question, expected):
    assert _range(question) == expected


@pytest.mark.parametrize("question, expected", [
    ("Who won this week?", ("2026-11-30", "2026-12-02")),  # Monday to the reference date, not beyond it
    ("What happened last week?", ("2026-11-23", "2026-11-29")),  # the calendar week before
    ("What happened last month?", ("2026-11-01", "2026-11-30")),
    ("What happened yesterday?", ("2026-12-01", "2026-12-01")),
    ("What did NATO decide 2 days ago?", ("2026-11-30", "2026-11-30")),
    ("What happened last year?", ("2025-01-01", "2025-12-31")),
    ("What did Orban say recently?", ("2026-11-03", "2026-12-02")),  # the 30 days up to it
    ("What happened in the past two weeks?", ("2026-11-19", "2026-12-02")),
])
def test_relative_expressions_resolve_against_the_reference_date(question, expected):
    assert _range(question) == expected


@pytest.mark.parametrize("question", [
    "Who may replace Stoltenberg?",  # the verb, not the month
    "What did Theresa May say about NATO?",  # a name
    "Why did protesters march in Budapest?",  # lower-case: the verb
    "What about the 2023 budget?",  # a year naming a thing, not when it was published
    "How many of the 32 members agreed?",
    "Who leads NATO now?",  # "now" is not a period to filter on
    "Does Hungary support Rutte's bid to lead NATO?",
    "What happens next Friday?",  # wholly after the reference date: no article is published then
    "What did Szijjarto say in 2099?",
    "What happened on February 30, 2024?",  # no such day: no filter rather than a wrong one
    "What is a common use of drones today?",  # "today" as nowadays
    "What do SAT solvers handle?", "What did we want to compute?", "Who hosted Late Night?",  # dateparser's finds
    "When was the November Uprising?", "What happened in the 1970's?",  # a name; a decade (not handled)
    "What share did coal have, 90% of it?",
])
def test_words_that_are_not_a_past_period_give_no_filter(question):
    assert find_time(question, TODAY, "en") is None


@pytest.mark.parametrize("question, expected", [
    ("上个月发生了什么？", ("2026-11-01", "2026-11-30")),
    ("三月匈牙利说了什么？", ("2026-03-01", "2026-03-31")),
    ("2024年3月匈牙利对鲁特说了什么？", ("2024-03-01", "2024-03-31")),
    ("2023年谁领导北约？", ("2023-01-01", "2023-12-31")),  # dateparser alone reads this as the year 3
    ("谁是黑豹队 2015 年的截锋领袖？", ("2015-01-01", "2015-12-31")),  # spaced, as XQuAD-zh writes it (not year 11)
    ("在2015年谁领导北约？", ("2015-01-01", "2015-12-31")),  # dateparser takes "在" into the find
    ("前天发生了什么？", ("2026-11-30", "2026-11-30")),  # "the day before yesterday", not "the first N years"
    ("6月19日发生了什么？", ("2026-06-19", "2026-06-19")),  # and this as nothing
    ("2024年6月之前匈牙利的立场是什么？", (None, "2024-05-31")),
    ("最近北约发生了什么？", ("2026-11-03", "2026-12-02")),
])
def test_chinese_expressions(question, expected):
    assert _range(question, lang="zh") == expected


@pytest.mark.parametrize("question", [
    "2月30日发生了什么？",  # no such day
    "现在谁领导北约？",
    "第 50 届超级碗在哪里举行？",  # an ordinal
    "20世纪70年代发生了什么？",  # a decade
    "他在 38 岁时做了什么？",  # an age
    "前15年谁是主编？",  # "the first 15 years"
    "5.05亿年前是什么时期？",
    "当比赛还剩 4 分 51 秒时，卡罗莱纳在几码线开球？",  # a clock reading (XQuAD-zh)
    "当丹佛把比分提高到 24-10 时，比赛还剩多少时间？",  # a score
])
def test_chinese_numbers_that_are_not_dates_give_no_filter(question):
    assert find_time(question, TODAY, "zh") is None


def test_a_chinese_date_does_not_take_the_next_name_with_it():
    # dateparser finds "2015 年约" in "2015 年约什·诺曼" (Josh Norman): the find is refused, not cut mid-name.
    found = find_time("2015 年约什·诺曼有多少次拦截被判为触地得分？", TODAY, "zh")
    assert found is None or "约什" in found.remainder


def test_the_expression_is_cut_out_of_the_question_the_reader_sees():
    found = find_time("What did Hungary say about Rutte in March 2024?", TODAY)
    assert found.expression == "in March 2024" and found.remainder == "What did Hungary say about Rutte?"
    assert find_time("上个月匈牙利说了什么？", TODAY, "zh").remainder == "匈牙利说了什么？"


def test_an_earlier_reference_date_moves_relative_expressions():
    assert _range("What happened last month?", date(2024, 7, 10)) == ("2024-06-01", "2024-06-30")
    assert _range("What happened in May?", date(2024, 3, 1)) == ("2023-05-01", "2023-05-31")


def test_limits_combine_with_the_callers_filters():
    assert within(None, None, None) is None
    caller = Filters(document_ids=("a",), published_from="2024-02-01", published_to="2024-12-31")
    narrowed = within(caller, date(2024, 1, 1), date(2024, 3, 31))
    assert narrowed == Filters(("a",), "2024-02-01", "2024-03-31")
    assert within(None, None, date(2024, 3, 31)) == Filters(published_to="2024-03-31")


def _quote(text: str, published: str | None, score: float) -> Answer:
    return Answer(text=text, score=score, document_id=text, title=text, source=text, url=None, published=published,
                  start=0, end=len(text), passage_id=0, context=text)


def test_the_newest_of_close_quotes_leads_and_older_ones_are_marked():
    march, june, undated = _quote("no", "2024-03-05", 0.8), _quote("yes", "2024-06-19", 0.6), _quote("u", None, 0.5)
    ordered = newest_first((march, undated, june), margin=0.5)
    assert [a.text for a in ordered] == ["yes", "no", "u"]
    assert [a.older for a in ordered] == [False, True, False]  # an undated article is never "older"


def test_a_clearly_better_older_quote_keeps_the_lead():
    march, june = _quote("no", "2024-03-05", 0.9), _quote("yes", "2024-06-19", 0.2)
    ordered = newest_first((march, june), margin=0.5)
    assert [a.text for a in ordered] == ["no", "yes"] and not any(a.older for a in ordered)


def test_a_dated_quote_leads_over_an_undated_best_one_within_the_margin():
    ordered = newest_first((_quote("u", None, 0.7), _quote("d", "2024-06-19", 0.6)), margin=0.5)
    assert [a.text for a in ordered] == ["d", "u"]
    assert newest_first((_quote("u", None, 0.7),)) == (_quote("u", None, 0.7),)


def test_quotes_say_their_dates():
    assert spoken_date("2024-06-19") == "19 June 2024" and spoken_date("2024-06-19", "zh") == "2024年6月19日"
    assert dated_lead("2024-06-19", False, first=True) == "As of 19 June 2024: "
    assert dated_lead("2024-03-05", True, first=False) == "Earlier, on 5 March 2024: "
    assert dated_lead(None, False, first=True) == "Undated article: "
    assert dated_lead("2024-03-05", True, first=False, lang="zh") == "更早，2024年3月5日："
    kept = TimeFilter("in March 2024", "2024-03-01", "2024-03-31")
    assert time_note(kept) == "“in March 2024”: articles published 1 March 2024 to 31 March 2024."
    assert "no article published" in time_note(replace(kept, applied=False))
