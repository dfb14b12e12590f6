"""Domain types that cross module boundaries (frozen dataclasses).

Every offset points into `Document.text`, the cleaned canonical text; a
span's text is always derived from it, never stored as a drifting copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One article: canonical text plus the metadata a citation shows."""

    id: str
    source: str
    title: str
    text: str
    content_hash: str
    url: str | None = None
    published: str | None = None
    author: str | None = None
    lang: str = "en"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document, by character offsets."""

    document_id: str
    index: int
    start: int
    end: int
    lang: str = "en"


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences (sentence indexes `first..last` inclusive)."""

    document_id: str
    index: int
    start: int
    end: int
    first_sentence: int
    last_sentence: int
    lang: str = "en"


@dataclass(frozen=True)
class ChunkedDocument:
    """A document split for indexing."""

    document: Document
    sentences: tuple[Sentence, ...]
    passages: tuple[Passage, ...]

    def sentence_text(self, sentence: Sentence) -> str:
        return self.document.text[sentence.start:sentence.end]

    def passage_text(self, passage: Passage) -> str:
        return self.document.text[passage.start:passage.end]


@dataclass(frozen=True)
class Hit:
    """A retrieval hit: a stored unit's row id and its score from one retriever."""

    unit_id: int
    score: float
    source: str


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on what may be retrieved."""

    document_ids: tuple[str, ...] | None = None
    published_from: str | None = None
    published_to: str | None = None


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


@dataclass(frozen=True)
class Result:
    """What the answering pipeline returns for one question."""

    question: str
    resolved_question: str
    answered: bool
    answer: str
    answers: tuple[Answer, ...]
    related: tuple[Related, ...]
    threshold: float = 0.0  # the confidence an answer needed to be shown
    lang: str = "en"  # the question's language; an answer's own `lang` may differ (an article in another)
    read_by: str = ""  # the model that read the question (its calibration gives `reader_threshold`)
    reader_threshold: float = 0.0  # the reading's calibrated threshold (`threshold` unless a setting overrides it)
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestReport:
    """Summary of one ingest run."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
