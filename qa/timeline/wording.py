"""How an answer says when its quotes were published: "As of 19 June 2024: …", "Earlier, on 5 March 2024: …"."""

from __future__ import annotations

from datetime import date

from qa.types import TimeFilter

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def spoken_date(iso: str, lang: str = "en") -> str:
    """"19 June 2024" (or "2024年6月19日") for an ISO date."""
    day = date.fromisoformat(iso[:10])
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def dated_lead(published: str | None, older: bool, first: bool, lang: str = "en") -> str:
    """What a quote's line starts with: its article's date, said for the first, an older or another quote."""
    if published is None:
        return "（未注明日期）" if lang == "zh" else "Undated article: "
    when = spoken_date(published, lang)
    if lang == "zh":
        return f"截至{when}：" if first else (f"更早，{when}：" if older else f"{when}：")
    if first:
        return f"As of {when}: "
    return f"Earlier, on {when}: " if older else f"On {when}: "


def time_note(found: TimeFilter, lang: str = "en") -> str:
    """What the question's time was understood as, and whether the answers keep to it."""
    low = spoken_date(found.published_from, lang) if found.published_from else None
    high = spoken_date(found.published_to, lang) if found.published_to else None
    if lang == "zh":
        span = f"{low or '最早'}至{high or '今'}"
        return (f"“{found.expression}”：只用{span}发表的文章。" if found.applied
                else f"“{found.expression}”：{span}发表的文章中没有答案，以下引文来自其他日期。")
    span = f"{low} to {high}" if low and high else f"on or before {high}" if high else f"from {low} on"
    if found.applied:
        return f"“{found.expression}”: articles published {span}."
    return f"“{found.expression}”: no article published {span} answers this; the quotes below are from other dates."
