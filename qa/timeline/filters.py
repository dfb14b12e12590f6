"""Publication-date limits laid over the filters a caller gave."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from index.types import Filters


def within(filters: Filters | None, start: date | None, end: date | None) -> Filters | None:
    """`filters` further limited to articles published in [start, end] (None: no limit that side)."""
    if start is None and end is None:
        return filters
    base = Filters() if filters is None else filters
    low = _later(base.published_from, start.isoformat() if start else None)
    high = _earlier(base.published_to, end.isoformat() if end else None)
    return replace(base, published_from=low, published_to=high)


def _later(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)
