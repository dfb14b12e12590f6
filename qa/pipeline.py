"""The answering library assembled from settings: embedder, ingest, retrieval, reading."""

from __future__ import annotations

from dataclasses import dataclass

from index.backend import DocumentIndex
from qa.answer.answerer import Answerer
from qa.answer.reading.base import Reader
from qa.answer.reading.lexical import LexicalReader
from qa.embedding import Embedder
from qa.ingest.pipeline import Ingestor
from qa.ingest.writer import IndexWriter
from qa.passages.chunker import Chunker
from qa.retrieval.retriever import HybridRetriever
from qa.settings import Settings


@dataclass(frozen=True)
class Pipeline:
    """The parts the engine runs, over one opened index.

    Front ends use the engine's methods; the eval suite and benchmarks
    measure these parts one at a time (retrieval alone, features, ingest).
    """

    embedder: Embedder
    index: DocumentIndex
    writer: IndexWriter
    ingestor: Ingestor
    retriever: HybridRetriever
    answerer: Answerer

    @classmethod
    def assemble(cls, settings: Settings, embedder: Embedder, index: DocumentIndex) -> Pipeline:
        """Every part as `settings` configure it; no model loads yet."""
        writer = IndexWriter(index, embedder, settings.write_lock_timeout_s)
        ingestor = Ingestor(writer, Chunker(settings.passage_min_words, settings.passage_max_words),
                            settings.max_file_bytes)
        retriever = HybridRetriever(index, embedder, settings.retrieve_depth, settings.rrf_k, fusion=settings.fusion,
                                    other_languages=settings.retrieve_other_languages)
        answerer = Answerer(retriever, make_reader(settings), settings.answer_threshold,
                            settings.retrieve_passages, settings.related_count, settings.newer_margin)
        return cls(embedder, index, writer, ingestor, retriever, answerer)


def make_reader(settings: Settings) -> Reader:
    """The reader the settings name, over the lexical models trained on the configured embedder."""
    lexical = LexicalReader.for_embedder(settings.embedder)
    if settings.reader == "lexical":
        return lexical
    from qa.answer.reading.neural import NeuralReader

    return NeuralReader.shipped(lexical, settings.model_cache_dir)
