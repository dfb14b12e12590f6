"""The time questions (evals/data/time/): made-up dated articles, and questions whose answer depends on when.

Each question may carry an `as_of` date, the publication-date filter its
wording should give, the accepted answer spans with the articles (file
names) holding them, and whether an older quote should be shown as earlier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

TIME_DATA = Path(__file__).resolve().parents[1] / "data" / "time"
SPLITS = ("tune", "test")


@dataclass(frozen=True)
class TimeQuestion:
    """A question whose right answer depends on dates."""

    id: str
    split: str
    question: str
    as_of: date | None
    time_filter: tuple[str | None, str | None] | None  # the (from, to) its time expression should give
    answers: tuple[str, ...]  # empty: no article of the named period answers; the filter must say so
    documents: tuple[str, ...]
    older: bool | None  # an older quote must (True) or must not (False) be shown marked as earlier


def load(path: Path = TIME_DATA / "questions.jsonl") -> tuple[TimeQuestion, ...]:
    """Read and check the time questions."""
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["split"] not in SPLITS:
            raise ValueError(f"{path}:{n}: split must be one of {SPLITS}, got {row['split']!r}")
        wanted = row.get("time_filter")
        questions.append(TimeQuestion(
            row["id"], row["split"], row["question"],
            date.fromisoformat(row["as_of"]) if row.get("as_of") else None,
            (wanted["published_from"], wanted["published_to"]) if wanted else None,
            tuple(row["answers"]), tuple(row["documents"]), row.get("older")))
    return tuple(questions)


def articles_dir(root: Path = TIME_DATA) -> Path:
    """The made-up dated articles the questions are about (besides the sample corpus)."""
    return root / "articles"
