"""Features of a candidate sentence for the answer scorer."""

from __future__ import annotations

import math
import re

import numpy as np

from qa.answer.candidates import Candidate
from qa.answer.doc_terms import CACHE, stem
from qa.answer.question import SHORT_TYPES, QuestionInfo
from qa.answer.spans import has_span

FEATURES = ("dense", "dense_gap", "dense_rank", "passage_dense", "passage_rank", "keyword",
            "term_cover", "passage_cover", "window_cover", "missing_rare", "type_match", "heading", "novelty",
            "length", "cross_lingual", "asks_reason", "asks_short")
# News often names the subject in one sentence and the answer in the next: the window
# around a candidate shows whether the question's terms are near it.
WINDOW_CHARS = 250
_SENTENCE_END = re.compile(r"[.!?。！？\"”’)]$")


def feature_matrix(question: QuestionInfo, candidates: tuple[Candidate, ...],
                   idf: dict[str, float]) -> np.ndarray:
    """One row of `FEATURES` per candidate."""
    best = max((c.dense for c in candidates), default=0.0)
    order = {id(c): rank for rank, c in enumerate(sorted(candidates, key=lambda c: -c.dense))}
    asked = {stem(t) for t in question.terms}
    passage_cover: dict[int, float] = {}
    for c in candidates:
        if c.passage_id not in passage_cover:
            passage_cover[c.passage_id] = _cover(question, CACHE.get(c.document).between(c.passage_start, c.passage_end), idf)
    return np.asarray([_features(question, asked, c, best, order[id(c)], passage_cover[c.passage_id], idf)
                       for c in candidates], dtype=np.float32).reshape(len(candidates), len(FEATURES))


def _cover(q: QuestionInfo, stems: set[str], idf: dict[str, float]) -> float:
    """Share of the question's terms (idf-weighted) found among `stems`."""
    weight = sum(idf.get(t, 1.0) for t in q.terms) or 1.0
    return sum(idf.get(t, 1.0) for t in q.terms if stem(t) in stems) / weight


def _missing_rare(q: QuestionInfo, stems: set[str], idf: dict[str, float]) -> float:
    """Weight of the rarest question term absent from `stems`, relative to the rarest overall."""
    rarest = max((idf.get(t, 1.0) for t in q.terms), default=0.0) or 1.0
    return max((idf.get(t, 1.0) for t in q.terms if stem(t) not in stems), default=0.0) / rarest


def _features(q: QuestionInfo, asked: set[str], c: Candidate, best_dense: float, dense_rank: int,
              passage_cover: float, idf: dict[str, float]) -> list[float]:
    text = c.text
    doc_terms = CACHE.get(c.document)
    terms = doc_terms.between(c.start, c.end)
    novelty = sum(1 for t in terms if t not in asked) / max(len(terms), 1)
    heading = float(not _SENTENCE_END.search(text) and len(text.split()) < 12)
    window = doc_terms.between(c.start - WINDOW_CHARS, c.end + WINDOW_CHARS)
    return [
        c.dense,
        c.dense - best_dense,
        1.0 / (1.0 + dense_rank),
        c.passage_dense,
        1.0 / (1.0 + c.passage_rank),
        math.log1p(max(c.passage_keyword, 0.0)),
        _cover(q, terms, idf),
        passage_cover,
        _cover(q, window, idf),
        _missing_rare(q, window, idf),
        float(has_span(text, q.answer_type, q.terms)) if q.answer_type not in ("other", "manner") else 0.5,
        heading,
        novelty,
        min(len(text), 400) / 400.0,
        float(c.lang != ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in q.text) else "en")),
        # Question kinds differ in how much their answers repeat the question's words.
        float(q.answer_type in ("reason", "manner")),
        float(q.answer_type in SHORT_TYPES),
    ]


def idf_weights(df: dict[str, int], total: int) -> dict[str, float]:
    """BM25-style inverse document frequency of each term."""
    return {t: math.log(1.0 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}
