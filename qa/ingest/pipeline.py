"""Ingestion end to end: files or uploaded bytes → chunked documents → index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from index.types import ChunkedDocument
from qa.ingest.article import build_document
from qa.ingest.errors import SkippedInput
from qa.ingest.readers import RawArticle, parse_articles, read_articles
from qa.ingest.sources import find_files, source_key
from qa.ingest.writer import IndexWriter, WriteOutcome
from qa.passages.chunker import Chunker
from qa.types import IngestReport

Progress = Callable[[WriteOutcome | SkippedInput], None]


class Ingestor:
    """Reads, cleans, chunks and indexes articles, in batches.

    Bad inputs are skipped with a reason and the rest go on; each batch is
    embedded together and each document commits on its own.
    """

    def __init__(self, writer: IndexWriter, chunker: Chunker, max_file_bytes: int,
                 batch_size: int = 16) -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        self.writer = writer
        self.chunker = chunker
        self.max_file_bytes = max_file_bytes
        self.batch_size = batch_size

    def ingest_paths(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders (recursively)."""
        return self._ingest(self._raw_from_paths(paths), progress)

    def ingest_bytes(self, data: bytes, filename: str, key: str | None = None,
                     progress: Progress | None = None) -> IngestReport:
        """Ingest one uploaded file; `key` (e.g. its URL) names the source, else the filename."""
        suffix = Path(filename).suffix.lower()

        def raws() -> Iterator[RawArticle | SkippedInput]:
            try:
                yield from parse_articles(data, suffix, key or filename)
            except SkippedInput as skip:
                yield skip

        return self._ingest(raws(), progress)

    def ingest_raw(self, raws: Iterable[RawArticle], progress: Progress | None = None) -> IngestReport:
        """Ingest articles already read (JSON bodies, eval corpora)."""
        return self._ingest(iter(raws), progress)

    def _raw_from_paths(self, paths: list[Path]) -> Iterator[RawArticle | SkippedInput]:
        for found in find_files(paths):
            if isinstance(found, SkippedInput):
                yield found
                continue
            try:
                yield from read_articles(found, source_key(found), self.max_file_bytes)
            except SkippedInput as skip:
                yield skip
            except OSError as err:
                yield SkippedInput(source_key(found), f"cannot read: {err.strerror or err}")

    def _ingest(self, raws: Iterator[RawArticle | SkippedInput], progress: Progress | None) -> IngestReport:
        outcomes: list[WriteOutcome] = []
        skipped: list[SkippedInput] = []
        batch: list[ChunkedDocument] = []

        def note(item: WriteOutcome | SkippedInput) -> None:
            (skipped if isinstance(item, SkippedInput) else outcomes).append(item)
            if progress is not None:
                progress(item)

        def flush() -> None:
            self.writer.write(batch, on_done=note)
            batch.clear()

        for raw in raws:
            if isinstance(raw, SkippedInput):
                note(raw)
                continue
            try:
                batch.append(self.chunker.chunk(build_document(raw)))
            except SkippedInput as skip:
                note(skip)
            if len(batch) >= self.batch_size:
                flush()
        if batch:
            flush()
        return _report(outcomes, skipped)


def _report(outcomes: list[WriteOutcome], skipped: list[SkippedInput]) -> IngestReport:
    def ids(status: str) -> tuple[str, ...]:
        return tuple(o.document_id for o in outcomes if o.status == status)

    return IngestReport(added=ids("added"), replaced=ids("replaced"), unchanged=ids("unchanged"),
                        skipped=tuple((s.source, s.reason) for s in skipped))
