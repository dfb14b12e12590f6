"""Group sentences into overlapping passages of roughly 100-200 words."""

from __future__ import annotations

from dataclasses import dataclass

from index.types import ChunkedDocument, Document, Passage, Sentence
from qa.passages.language import word_count
from qa.passages.sentences import split_sentences


@dataclass(frozen=True)
class Chunker:
    """Splits a document into sentences and sentence-aligned passages.

    A passage grows sentence by sentence until it holds `min_words`, never
    past `max_words` (a single longer sentence stands alone), and never
    across a change of language. Consecutive passages share one sentence.
    """

    min_words: int = 100
    max_words: int = 200

    def __post_init__(self) -> None:
        if self.min_words <= 0:
            raise ValueError(f"min_words must be > 0, got {self.min_words}")
        if self.max_words < self.min_words:
            raise ValueError(f"max_words must be >= min_words ({self.min_words}), got {self.max_words}")

    def chunk(self, document: Document) -> ChunkedDocument:
        """The document with its sentences and passages."""
        sentences = split_sentences(document.id, document.text)
        lengths = [word_count(document.text[s.start:s.end]) for s in sentences]
        groups = self._groups(sentences, lengths)
        passages = tuple(
            Passage(document.id, n, sentences[a].start, sentences[b].end, a, b, sentences[a].lang)
            for n, (a, b) in enumerate(groups)
        )
        return ChunkedDocument(document, sentences, passages)

    def _groups(self, sentences: tuple[Sentence, ...], lengths: list[float]) -> list[tuple[int, int]]:
        """(first, last) sentence indexes of each passage."""
        groups: list[tuple[int, int]] = []
        first = 0
        while first < len(sentences):
            last, words = first, lengths[first]
            while last + 1 < len(sentences) and words < self.min_words:
                nxt = sentences[last + 1]
                if nxt.lang != sentences[first].lang or words + lengths[last + 1] > self.max_words:
                    break
                last += 1
                words += lengths[last]
            groups.append((first, last))
            if last + 1 >= len(sentences):
                break
            # One sentence of overlap, unless the next passage starts a new language.
            overlap = last > first and sentences[last + 1].lang == sentences[last].lang
            first = last if overlap else last + 1
        return groups
