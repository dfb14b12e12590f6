"""The answering pipeline's types: cited answers, related passages, results (frozen dataclasses).

Every offset points into a `Document.text` (`index.types`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answer:
    """A verbatim quote with its citation; `text == document.text[start:end]`."""

    text: str
    score: float
    document_id: str
    title: str
    source: str
    url: str | None
    published: str | None
    start: int
    end: int
    passage_id: int
    context: str
    short_answer: str | None = None
    short_start: int | None = None
    short_end: int | None = None
    lang: str = "en"  # the quote's language ("en", "zh"): a question may be answered from an article in another
    older: bool = False  # published before the first answer's article: what was said earlier


@dataclass(frozen=True)
class TimeFilter:
    """The time a question named ("in March 2024", "last month") as the publication dates it allows.

    `applied` is False when no article of that period answered, so the
    answers shown come from any date (each carries its own).
    """

    expression: str
    published_from: str | None
    published_to: str | None
    applied: bool = True


@dataclass(frozen=True)
class Related:
    """A passage close to the question, shown when abstaining or as further reading.

    `highlight` is the passage's sentence that the ranker puts closest to the
    question (`document.text[highlight_start:highlight_end]`): what a reader
    should look at first, not an answer.
    """

    document_id: str
    title: str
    passage_id: int
    start: int
    end: int
    text: str
    score: float
    highlight: str
    highlight_start: int
    highlight_end: int
    published: str | None = None  # the article's publication date, when known


@dataclass(frozen=True)
class Result:
    """What the answering pipeline returns for one question."""

    question: str
    resolved_question: str
    answered: bool
    answer: str
    answers: tuple[Answer, ...]
    related: tuple[Related, ...]  # the passage holding the best ranked sentence first, then the best retrieved
    threshold: float = 0.0  # the confidence an answer needed to be shown
    lang: str = "en"  # the question's language; an answer's own `lang` may differ (an article in another)
    read_by: str = ""  # the model that read the question (its calibration gives `reader_threshold`)
    reader_threshold: float = 0.0  # the reading's calibrated threshold (`threshold` unless a setting overrides it)
    timings_ms: dict[str, float] = field(default_factory=dict)
    as_of: str | None = None  # only articles published on or before this date were used
    time_filter: TimeFilter | None = None


@dataclass(frozen=True)
class IngestReport:
    """Summary of one ingest run."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
