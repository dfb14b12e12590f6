"""Each document's stemmed terms with their offsets, computed once and kept across questions,
so a candidate's sentence, window or passage terms are a slice, not a fresh tokenisation."""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from dataclasses import dataclass

from index.keyword import content_term_spans
from index.types import Document


def stem(term: str) -> str:
    """Crude stem so 'objection' meets 'objections' and 'withdraw' meets 'withdrew'."""
    return term[:5] if term.isascii() and len(term) > 5 else term


@dataclass(frozen=True)
class DocTerms:
    """Stems of a document's content terms, in order, with their start offsets."""

    starts: list[int]
    stems: list[str]

    def between(self, start: int, end: int) -> set[str]:
        """The stems of the terms that start in [start, end)."""
        return set(self.stems[bisect.bisect_left(self.starts, start):bisect.bisect_left(self.starts, end)])


class DocTermsCache:
    """A small LRU keyed by document id and content hash (a changed document is re-read)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], DocTerms] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, doc: Document) -> DocTerms:
        key = (doc.id, doc.content_hash)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        spans = content_term_spans(doc.text)
        terms = DocTerms([at for at, _ in spans], [stem(t) for _, t in spans])
        with self._lock:
            self._items[key] = terms
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return terms


CACHE = DocTermsCache()
