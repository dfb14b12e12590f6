"""Metadata found in an article's body: headline, byline, dateline, source link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as date_parser

from qa.ingest.cleaning import is_noise_line, strip_markdown

_MONTHS = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
# "Jun.19 - 2024 11:51 AM CET", "March 5, 2024", "5 March 2024", "2024-03-05"
_DATE_PATTERNS = (
    re.compile(rf"\b({_MONTHS})\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*[,\-–]?\s*(\d{{4}})\b"),
    re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s*,?\s*(\d{{4}})\b"),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
)
_SOURCE_LINK = re.compile(r"\[(?:source link|source|原文链接|original article)\]\((https?://[^)\s]+)\)", re.I)
_BYLINE = re.compile(r"^(?:[Ww]ritten [Bb]y|[Bb]y)\s+([A-Z][\w.'\-]+(?:\s+[A-Z][\w.'\-]+){0,3})$")
_SENTENCE_END = re.compile(r"[.!?。！？:;\"”]$")
_HEAD_LINES = 6
# A dateline says little besides its date: "Budapest (AFP) March 5, 2024 -" leaves three words.
_DATELINE_MAX_WORDS = 4
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class BodyMetadata:
    """What the first lines of a body say about the article."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    consumed_lines: tuple[str, ...] = ()  # byline and dateline
    headline_line: str | None = None


def find_metadata(body: str) -> BodyMetadata:
    """Headline (first line, when it reads as one), byline, dateline and source link."""
    lines = [ln.strip() for ln in body.splitlines() if ln.strip() and not is_noise_line(ln.strip())]
    head = lines[:_HEAD_LINES]
    consumed: list[str] = []
    title = author = published = headline = None
    if head and is_headline(head[0]):
        headline = head[0]
        title = strip_markdown(headline).strip()
    for line in head:
        match = _BYLINE.match(line)
        if author is None and match:
            author = match.group(1)
            consumed.append(line)
        elif published is None and is_dateline(line):
            published = parse_date(line)
            consumed.append(line)
    if published is None:
        published = next((d for d in map(parse_date, lines[:40]) if d), None)
    link = _SOURCE_LINK.search(body)
    return BodyMetadata(title, author, published, link.group(1) if link else None, tuple(consumed), headline)


def is_headline(line: str) -> bool:
    """A short line without a sentence end, e.g. "Hungary Lifts Blockade Against NATO"."""
    text = strip_markdown(line).strip()
    words = text.split()
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    short = 2 <= len(words) <= 16 if cjk == 0 else 4 <= len(text) <= 60
    return short and not _SENTENCE_END.search(text)


def is_dateline(line: str) -> bool:
    """A line that is mostly a date, e.g. "Jun.19 - 2024 11:51 AM CET", not a sentence holding one."""
    found = _find_date(line) if len(line) <= 40 else None
    if found is None:
        return False
    rest = _WORD.findall(line[: found[1]] + " " + line[found[2]:])
    # "He died on June 1, 1980." is reporting; "Jun.19 - 2024 11:51 AM CET" is not.
    reads_as_sentence = len(rest) >= 3 and _SENTENCE_END.search(line) is not None
    return len(rest) <= _DATELINE_MAX_WORDS and not reads_as_sentence


def parse_date(text: str) -> str | None:
    """The first date written in `text`, as ISO `YYYY-MM-DD`, or None."""
    found = _find_date(text)
    return found[0] if found else None


def _find_date(text: str) -> tuple[str, int, int] | None:
    """The first date in `text` as (ISO date, start, end), or None."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match:
            parsed = _to_date(" ".join(match.groups()))
            if parsed:
                return parsed, match.start(), match.end()
    return None


def normalise_date(value: object) -> str | None:
    """A front-matter or JSON date (str, date, datetime) as ISO `YYYY-MM-DD`."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _to_date(str(value))


def _to_date(text: str) -> str | None:
    for candidate in (text, text.replace(".", " ")):
        try:
            return date_parser.parse(candidate, fuzzy=True).date().isoformat()
        except (ValueError, OverflowError):
            continue
    return None
