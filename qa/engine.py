"""The assembled service: one index, one embedder, one answerer, built from settings."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from index.backend import DocumentIndex
from index.embedders import Embedder, make_embedder
from index.keyword import content_terms, load_segmenter
from index.retriever import HybridRetriever
from index.search_index import SearchIndex
from index.writer import IndexWriter
from qa.answer.answerer import Answerer
from qa.answer.reading.base import Reader
from qa.answer.reading.lexical import LexicalReader
from qa.answer.spans import best_span, find_spans
from qa.conversation.resolver import Turn, resolve
from qa.conversation.store import ConversationStore
from qa.ingest.pipeline import Ingestor, Progress
from qa.passages.chunker import Chunker
from qa.settings import Settings
from qa.types import Document, Filters, IngestReport, Result

if TYPE_CHECKING:
    from qa.conversation.pg_store import PostgresConversations

log = logging.getLogger(__name__)


class Engine:
    """Everything a front end (CLI, HTTP, Slack) needs, behind a few calls.

    Opening it reads the index (refusing one built with another embedder)
    but loads no model; the model loads on first use or on `warm()`.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder = make_embedder(settings.embedder, settings.model_cache_dir)
        self.index = open_index(settings, self.embedder)
        self.writer = IndexWriter(self.index, self.embedder, settings.write_lock_timeout_s)
        self.ingestor = Ingestor(self.writer, Chunker(settings.passage_min_words, settings.passage_max_words),
                                 settings.max_file_bytes)
        retriever = HybridRetriever(self.index, self.embedder, settings.retrieve_depth, settings.rrf_k,
                                    fusion=settings.fusion)
        self.conversations = open_conversations(settings, self.index)
        self.answerer = Answerer(retriever, make_reader(settings), settings.answer_threshold,
                                 settings.retrieve_passages, settings.related_count)

    def warm(self) -> None:
        """Load the models and the Chinese word segmenter now."""
        self.embedder.warm()
        self.answerer.reader.warm()
        load_segmenter()

    def ingest_sample_if_empty(self) -> IngestReport | None:
        """Ingest the bundled sample corpus into an empty index; warn when there is none to ingest."""
        if self.index.counts()["documents"] > 0:
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
        return self.ingestor.ingest_paths(paths, progress)

    def ingest_bytes(self, data: bytes, filename: str, key: str) -> IngestReport:
        """Add or update articles from one uploaded file; `key` names its source."""
        return self.ingestor.ingest_bytes(data, filename, key)

    def documents(self, offset: int = 0, limit: int = 50) -> list[tuple[Document, int]]:
        """Indexed documents, newest first, with their passage counts."""
        self.index.refresh()
        return self.index.list_documents(offset, limit)

    def ask(self, question: str, top_k: int | None = None, filters: Filters | None = None,
            conversation_id: str | None = None) -> Result:
        """Cited answers to a question (or an abstention).

        In a conversation the question is first resolved against the
        earlier turns ("Why was he ...?" → "Why was Klaus Iohannis ...?"),
        and the turn is recorded. An unknown conversation id raises
        `ConversationNotFound`.
        """
        k = self.settings.top_k if top_k is None else top_k
        if conversation_id is None:
            return self.answerer.answer(question, k, filters)
        if not self.conversations.exists(conversation_id):
            raise ConversationNotFound(conversation_id)
        resolved = resolve(question, self.conversations.history(conversation_id))
        result = self.answerer.answer(question, k, filters, resolved_question=resolved)
        turn = Turn(question, resolved, result.answered, answer_entities(result))
        self.conversations.append(conversation_id, turn, result_dict(result))
        return result

    def document(self, document_id: str) -> Document | None:
        self.index.refresh()
        return self.index.get_document(document_id)

    def delete(self, document_id: str) -> bool:
        """Remove a document from every index."""
        return self.writer.delete(document_id)


    def close(self) -> None:
        """Release the index's connections (PostgreSQL); the local store needs nothing."""
        self.index.close()


def make_reader(settings: Settings) -> Reader:
    """The reader the settings name, over the lexical models trained on the configured embedder."""
    lexical = LexicalReader.for_embedder(settings.embedder)
    if settings.reader == "lexical":
        return lexical
    from qa.answer.reading.neural import NeuralReader

    return NeuralReader.shipped(lexical, settings.model_cache_dir)


def open_index(settings: Settings, embedder: Embedder) -> DocumentIndex:
    """The index backend the settings name."""
    if settings.store == "postgres":
        from index.postgres.pg_index import PostgresIndex

        return PostgresIndex(settings.database_url, embedder.name, embedder.dimension,
                             settings.database_pool_size, settings.database_timeout_s)
    return SearchIndex(settings.index_dir, embedder.name, embedder.dimension, settings.dense_exact_max)


def open_conversations(settings: Settings, index: DocumentIndex) -> ConversationStore | PostgresConversations:
    """Conversations beside the index: in its directory, or in its database (shared by replicas)."""
    if settings.store == "postgres":
        from qa.conversation.pg_store import PostgresConversations

        return PostgresConversations(index.pool)  # type: ignore[attr-defined]  # a PostgresIndex
    return ConversationStore(settings.index_dir / "conversations.sqlite")


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
