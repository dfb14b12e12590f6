"""Sentence splitting with character offsets (pysbd, per paragraph language)."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from index.types import Sentence
from qa.passages.language import detect_language

_PARAGRAPH = re.compile(r"[^\n]+")


@lru_cache(maxsize=4)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang, clean=False, char_span=True)


def split_sentences(document_id: str, text: str) -> tuple[Sentence, ...]:
    """Sentences of `text` in order; each `text[start:end]` is stripped of outer spaces."""
    sentences: list[Sentence] = []
    for paragraph in _PARAGRAPH.finditer(text):
        lang = detect_language(paragraph.group())
        for start, end in _spans(paragraph.group(), lang):
            sentences.append(Sentence(document_id, len(sentences), paragraph.start() + start,
                                      paragraph.start() + end, lang))
    return tuple(sentences)


def _spans(paragraph: str, lang: str) -> list[tuple[int, int]]:
    """Stripped (start, end) spans of the sentences of one paragraph."""
    spans = []
    cursor = 0
    for piece in _segmenter(lang).segment(paragraph):
        # pysbd's spans can drift on odd input; re-find each piece from the cursor.
        start = paragraph.find(piece.sent, cursor)
        if start < 0:
            continue
        end = start + len(piece.sent)
        cursor = end
        stripped = piece.sent.strip()
        if not any(ch.isalnum() for ch in stripped):  # stray punctuation, e.g. ". ."
            continue
        lead = len(piece.sent) - len(piece.sent.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))
    if not spans and paragraph.strip():
        lead = len(paragraph) - len(paragraph.lstrip())
        spans.append((lead, lead + len(paragraph.strip())))
    return spans
