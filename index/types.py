"""The plain types storage takes and returns: documents, their sentences and passages, hits, turns.

The bottom of the layers: every other package may import these, and this
package imports nothing of theirs. Every offset points into `Document.text`,
the cleaned canonical text; a span's text is always derived from it, never
stored as a drifting copy.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    languages: tuple[str, ...] | None = None  # of the documents ("en", "zh")


@dataclass(frozen=True)
class Turn:
    """One earlier question of a conversation, as it was understood and answered."""

    question: str
    resolved_question: str
    answered: bool
    answer_entities: tuple[str, ...]  # names the answer gave (short answers first)


@dataclass(frozen=True)
class StoredTurn:
    """A turn as stored: what was asked, how it was understood, the answer object."""

    turn: Turn
    result: dict
    created: str


@dataclass(frozen=True)
class Conversation:
    id: str
    created: str
    turns: tuple[StoredTurn, ...]
