"""The engine front ends call: the configured storage and the answering pipeline, behind a few methods."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from pathlib import Path

from index.keyword import content_terms, load_segmenter
from index.storage import Storage, open_storage
from index.types import Conversation, Document, Filters, Turn
from qa.answer.spans import best_span, find_spans
from qa.conversation.resolver import resolve
from qa.embedding import make_embedder
from qa.ingest.pipeline import Progress
from qa.ingest.readers import RawArticle
from qa.pipeline import Pipeline
from qa.settings import Settings
from qa.timeline.expressions import warm as warm_dates
from qa.types import IngestReport, Result

log = logging.getLogger(__name__)


class Engine:
    """What every front end (CLI, HTTP, web page, Slack) calls: ask, converse, ingest, list, delete.

    Opening it opens the configured storage (refusing an index built with
    another embedder) but loads no model; the models load on first use or
    on `warm()`. Its parts are assembled in `pipeline`, which only the eval
    suite and benchmarks use.
    """

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.settings = settings
        self._storage = open_engine_storage(settings) if storage is None else storage
        embedder = make_embedder(settings.embedder, settings.model_cache_dir)
        self.pipeline = Pipeline.assemble(settings, embedder, self._storage.index)

    def warm(self) -> None:
        """Load the models, the Chinese word segmenter and the date parser now."""
        self.pipeline.embedder.warm()
        self.pipeline.answerer.reader.warm()
        load_segmenter()
        warm_dates()

    def ingest_sample_if_empty(self) -> IngestReport | None:
        """Ingest the bundled sample corpus into an empty index; warn when there is none to ingest."""
        if self.counts()["documents"] > 0:
            return None
        sample_dir = self.settings.sample_dir
        if not sample_dir.is_dir() or not any(sample_dir.iterdir()):
            log.warning("index is empty and there is no sample corpus at %s (QA_SAMPLE_DIR): nothing to "
                        "ingest; add articles with `citeqa ingest PATH` or POST /v1/documents", sample_dir)
            return None
        log.info("index is empty: ingesting the sample corpus from %s", sample_dir)
        report = self.ingest([sample_dir])
        if not report.added:
            log.warning("the sample corpus at %s gave no documents: %s", sample_dir,
                        "; ".join(f"{s}: {r}" for s, r in report.skipped) or "no readable files")
        return report

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        """Add or update articles from files and folders."""
        return self.pipeline.ingestor.ingest_paths(paths, progress)

    def ingest_bytes(self, data: bytes, filename: str, key: str) -> IngestReport:
        """Add or update articles from one uploaded file; `key` names its source."""
        return self.pipeline.ingestor.ingest_bytes(data, filename, key)

    def ingest_articles(self, articles: Iterable[RawArticle], progress: Progress | None = None) -> IngestReport:
        """Add or update articles already read (an eval corpus, a benchmark's)."""
        return self.pipeline.ingestor.ingest_raw(articles, progress)

    def counts(self) -> dict[str, int]:
        """How many documents, passages and sentences the index holds now."""
        return self._storage.index.counts()

    def documents(self, offset: int = 0, limit: int = 50) -> list[tuple[Document, int]]:
        """Indexed documents, newest first, with their passage counts."""
        self._storage.index.refresh()
        return self._storage.index.list_documents(offset, limit)

    def document(self, document_id: str) -> Document | None:
        self._storage.index.refresh()
        return self._storage.index.get_document(document_id)

    def ask(self, question: str, top_k: int | None = None, filters: Filters | None = None,
            conversation_id: str | None = None, as_of: date | None = None, today: date | None = None) -> Result:
        """Cited answers to a question (or an abstention), newest evidence first.

        In a conversation the question is first resolved against the
        earlier turns ("Why was he ...?" → "Why was Klaus Iohannis ...?"),
        and the turn is recorded. An unknown conversation id raises
        `ConversationNotFound`. `as_of` answers from what was published by
        that date; `today` is the date "last month" counts from when there
        is no `as_of` (a Slack message's own date; default the system's).
        """
        k = self.settings.top_k if top_k is None else top_k
        answerer, conversations = self.pipeline.answerer, self._storage.conversations
        if conversation_id is None:
            return answerer.answer(question, k, filters, as_of=as_of, today=today)
        if not conversations.exists(conversation_id):
            raise ConversationNotFound(conversation_id)
        resolved = resolve(question, conversations.history(conversation_id))
        result = answerer.answer(question, k, filters, resolved_question=resolved, as_of=as_of, today=today)
        turn = Turn(question, resolved, result.answered, answer_entities(result))
        conversations.append(conversation_id, turn, result_dict(result))
        return result

    def start_conversation(self) -> str:
        """A new, empty conversation's id."""
        return self._storage.conversations.start()

    def conversation(self, conversation_id: str) -> Conversation | None:
        """A conversation with all its turns, or None."""
        return self._storage.conversations.get(conversation_id)

    def delete(self, document_id: str) -> bool:
        """Remove a document from every index."""
        return self.pipeline.writer.delete(document_id)

    def close(self) -> None:
        """Release the storage's connections (PostgreSQL); the local store needs nothing."""
        self._storage.close()


def open_engine_storage(settings: Settings) -> Storage:
    """The storage `settings` name, for the configured embedder's index."""
    embedder = make_embedder(settings.embedder, settings.model_cache_dir)
    return open_storage(settings, embedder.name, embedder.dimension)


class ConversationNotFound(KeyError):
    """No conversation has this id."""


def answer_entities(result: Result) -> tuple[str, ...]:
    """Names the answer gave (its short answer first, then other names in the quote).

    When the answer names no one (or there is none), the name nearest the
    question's words in the closest passage stands in, so "he" in a follow-up still has a referent
    (shown to the user in `resolved_question`).
    """
    asked = tuple(content_terms(result.resolved_question))
    names: list[str] = []
    if result.answers:
        top = result.answers[0]
        names = [top.short_answer] if top.short_answer else []
        names += [top.text[s:e] for s, e in find_spans(top.text, "person", asked)]
    if not names and result.related:
        text = result.related[0].text
        span = best_span(text, "person", asked)
        names = [text[span[0]:span[1]]] if span else []
    return tuple(dict.fromkeys(n for n in names if n))


def result_dict(result: Result) -> dict:
    """The answer object as plain JSON-able data (the CLI's `--json` and the HTTP body)."""
    return asdict(result)
