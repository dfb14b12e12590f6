"""Request and response models of the HTTP API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AskFilters(BaseModel):
    """Restrict answers to some documents or a publication date range."""

    model_config = ConfigDict(extra="forbid")

    document_ids: list[str] | None = Field(default=None, max_length=1000)
    published_from: date | None = None
    published_to: date | None = None


class AskRequest(BaseModel):
    """A question, optionally in a conversation."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=1000, examples=["Why did Hungary drop its objection?"])
    conversation_id: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    top_k: int | None = Field(default=None, ge=1, le=10)
    filters: AskFilters | None = None
    as_of: date | None = Field(default=None, examples=["2024-03-31"],
                               description="Answer from articles published on or before this ISO date (undated ones "
                                           "are left out); 'last month' in the question counts from it. Default: "
                                           "every article, and today for 'last month'.")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be blank")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if value is not None and not isinstance(value, str):  # a number would pass as a Unix time
            raise ValueError(f"as_of must be an ISO date such as 2024-03-31, got {value!r}")
        return value


class AnswerOut(BaseModel):
    text: str
    score: float = Field(description="The confidence in [0, 1] that this quote answers the question.")
    document_id: str
    title: str
    source: str
    url: str | None
    published: str | None
    start: int
    end: int
    passage_id: int
    context: str
    short_answer: str | None
    short_start: int | None
    short_end: int | None
    lang: str = Field(default="en", description="The quote's language (en, zh); it may differ from the question's.")
    older: bool = Field(default=False, description="Published before the first answer's article: what was said "
                                                   "earlier (shown as 'earlier, on 5 March 2024').")


class TimeFilterOut(BaseModel):
    """The time the question named, as the publication dates it allowed."""

    expression: str = Field(description="As written in the question, e.g. 'in March 2024', 'last month'.")
    published_from: str | None
    published_to: str | None
    applied: bool = Field(description="False when no article of that period answered: the quotes then come "
                                      "from other dates, each with its own.")


class RelatedOut(BaseModel):
    document_id: str
    title: str
    passage_id: int
    start: int
    end: int
    text: str
    score: float = Field(description="The passage's fused retrieval score (higher is closer; not a probability).")
    highlight: str = Field(description="The passage's sentence ranked closest to the question "
                                       "(the document's text at highlight_start:highlight_end); not an answer.")
    highlight_start: int
    highlight_end: int
    published: str | None = None


class AskResponse(BaseModel):
    """The answer object (the CLI's `--json` prints the same)."""

    question: str
    resolved_question: str
    answered: bool
    answer: str
    answers: list[AnswerOut]
    related: list[RelatedOut] = Field(description="The closest passages: first the one holding the sentence the "
                                                  "reader ranked best, then the best retrieved.")
    threshold: float | None = Field(default=None, description="The score an answer needed to be shown: the reader's "
                                                             "calibrated threshold unless QA_ANSWER_THRESHOLD sets it.")
    lang: str = Field(default="en", description="The question's language (en, zh); an answer from an article in "
                                               "the other language says so in its own `lang`.")
    read_by: str = Field(default="", description="The model that read the question: neural-en (MiniLM), "
                                                 "neural-multilingual (multilingual-e5) or lexical.")
    reader_threshold: float = Field(default=0.0, description="The calibrated threshold of the model that read the "
                                                             "question (`threshold` unless QA_ANSWER_THRESHOLD sets it).")
    timings_ms: dict[str, float]
    as_of: str | None = Field(default=None, description="The as_of date the answer keeps to, if one was asked.")
    time_filter: TimeFilterOut | None = Field(default=None, description="The time the question named, if any.")
    conversation_id: str | None = None


class DocumentOut(BaseModel):
    """A document's metadata and canonical text (what citation offsets point into)."""

    id: str
    source: str
    title: str
    url: str | None
    published: str | None
    author: str | None
    lang: str
    tags: list[str]
    content_hash: str
    text: str


class ErrorOut(BaseModel):
    """Every error body: a stable code and a message saying what was wrong."""

    code: str
    message: str


class TurnOut(BaseModel):
    """One question of a conversation and the answer object it got."""

    question: str
    resolved_question: str
    answered: bool
    created: str
    result: dict


class ConversationOut(BaseModel):
    id: str
    created: str
    turns: list[TurnOut]


class DocumentIn(BaseModel):
    """One article as JSON (the same fields `citeqa ingest` reads from .json files)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200,
                           description="Your name for the article (part of its source); the response's `ids` "
                                       "hold the document id that the other routes take.")
    title: str | None = Field(default=None, max_length=1000)
    text: str = Field(min_length=1, max_length=5_000_000)
    url: str | None = Field(default=None, max_length=2000)
    published: date | None = Field(default=None, strict=True, description="ISO date, e.g. 2024-06-19")
    author: str | None = Field(default=None, max_length=500)

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


class IngestOut(BaseModel):
    """What an upload did: ids of the documents it added, replaced or left unchanged."""

    ids: list[str]
    added: list[str]
    replaced: list[str]
    unchanged: list[str]
    skipped: list[dict[str, str]]


class DocumentSummary(BaseModel):
    id: str
    title: str
    source: str
    url: str | None
    published: str | None
    passages: int


class DocumentList(BaseModel):
    offset: int
    limit: int
    total: int
    documents: list[DocumentSummary]
