"""The answering pipeline: question → retrieve → candidates → read → select → cited answers."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import numpy as np

from index.backend import PassageRow
from index.types import Document, Filters
from qa.answer.candidates import Candidate, CandidateSet, load_candidates
from qa.answer.features import feature_matrix, idf_weights
from qa.answer.question import SHORT_TYPES, QuestionInfo, analyse
from qa.answer.reading.base import Reader, Reading
from qa.answer.selection import select
from qa.answer.spans import best_span
from qa.answer.windows import with_windows
from qa.passages.language import detect_language
from qa.retrieval.retriever import HybridRetriever
from qa.timeline.expressions import find_time
from qa.timeline.filters import within
from qa.timeline.recency import NEWER_MARGIN, RIVALS, newest_first
from qa.timeline.wording import dated_lead
from qa.types import Answer, Related, Result, TimeFilter

ABSTAIN_MESSAGE = "I could not find this in the articles."


class Answerer:
    """Answers a question with verbatim, cited quotes, or abstains.

    The retriever finds passages, their sentences are the candidates, the
    `reader` gives each a rank and a confidence, and the best ranked are
    shown while their confidence reaches `threshold` (default: the one the
    reading says, calibrated for the model that read the question). When
    the best quotes come from articles of different dates, the newest leads
    unless an older one is `newer_margin` more confident. Every answer's
    `text` is `document.text[start:end]` of the cited document, read in the
    same store snapshot as its offsets.
    """

    def __init__(self, retriever: HybridRetriever, reader: Reader, threshold: float | None = None,
                 passages: int = 8, related: int = 3, newer_margin: float = NEWER_MARGIN) -> None:
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        if not 0.0 <= newer_margin <= 1.0:
            raise ValueError(f"newer_margin must be in [0, 1], got {newer_margin}")
        if passages <= 0:
            raise ValueError(f"passages must be > 0, got {passages}")
        self.retriever = retriever
        self.reader = reader
        self.threshold = threshold
        self.passages = passages
        self.related = related
        self.newer_margin = newer_margin

    def answer(self, question: str, top_k: int = 3, filters: Filters | None = None,
               resolved_question: str | None = None, as_of: date | None = None,
               today: date | None = None) -> Result:
        """Up to `top_k` answers to `resolved_question` (default: `question`), newest evidence first.

        `as_of` leaves out articles published after it (and undated ones);
        time in the question ("in March 2024", "last month") resolves
        against `as_of`, else `today` (default: the system date), and
        narrows the articles further; when none of that period answers
        confidently, the answers come from any date and
        `time_filter.applied` says so.
        """
        if top_k <= 0:
            raise ValueError(f"top_k must be > 0, got {top_k}")
        asked = question if resolved_question is None else resolved_question
        base = within(filters, None, as_of)
        lang = detect_language(asked)
        named = find_time(asked, as_of if as_of is not None else today if today is not None else date.today(), lang)
        stamp = {"as_of": as_of.isoformat() if as_of is not None else None}
        if named is None:
            return replace(self._answer(question, asked, asked, top_k, base, lang), **stamp)
        narrowed = within(base, named.start, named.end)
        result = self._answer(question, asked, named.remainder or asked, top_k, narrowed, lang)
        # Judged at the reader's calibrated threshold, whatever is shown: "reopen in May" names when
        # something happens, and then no article of May answers and any date may.
        applied = bool(result.answers) and result.answers[0].score >= result.reader_threshold
        if not applied:
            result = self._answer(question, asked, asked, top_k, base, lang)
        time_filter = TimeFilter(named.expression, narrowed.published_from, narrowed.published_to, applied)
        return replace(result, time_filter=time_filter, **stamp)

    def _answer(self, question: str, asked: str, read: str, top_k: int, filters: Filters | None,
                lang: str) -> Result:
        """One pass: `read` (the question as the reader sees it) answered under `filters`; `lang` is `asked`'s."""
        clock = _Clock()
        info, found, features = self.featurize(read, filters, clock)
        reading = self.reader.read(read, found.candidates, features)
        clock.lap("read_ms")
        ranks = [float(r) for r in reading.ranks]
        threshold = reading.threshold if self.threshold is None else self.threshold
        chosen = select(found.candidates, ranks, [float(c) for c in reading.confidences], max(top_k, RIVALS),
                        threshold)
        spans = _spans(found.candidates, reading)
        answers = tuple(_answer(c, s, info, spans.get(id(c))) for c, s in chosen)
        answers = newest_first(answers, self.newer_margin, reading.threshold)[:top_k]
        clock.lap("answer_ms")
        return Result(question=question, resolved_question=asked, answered=bool(answers),
                      answer=_readable(answers, lang), answers=answers, threshold=threshold, lang=lang,
                      read_by=reading.read_by, reader_threshold=reading.threshold,
                      related=_related(found, ranks, self.related), timings_ms=clock.laps)

    def featurize(self, question: str, filters: Filters | None = None,
                  clock: _Clock | None = None) -> tuple[QuestionInfo, CandidateSet, np.ndarray]:
        """The question analysed, its candidates and their scorer features (also used to train)."""
        info = analyse(question)
        retrieved = self.retriever.retrieve(question, self.passages, filters)
        if clock is not None:
            clock.lap("retrieve_ms")
        found = with_windows(load_candidates(self.retriever.index, retrieved), info.answer_type)
        # The question's analysed terms are a subset of the retriever's, whose frequencies it looked up.
        idf = idf_weights(retrieved.document_frequencies, retrieved.total_passages)
        return info, found, feature_matrix(info, found.candidates, idf)


def _spans(candidates: tuple[Candidate, ...], reading: Reading) -> dict[int, tuple[int, int]]:
    """The reader's short-answer spans by candidate (empty when it finds none)."""
    if reading.spans is None:
        return {}
    return {id(c): span for c, span in zip(candidates, reading.spans) if span is not None}


def _answer(c: Candidate, score: float, info: QuestionInfo, span: tuple[int, int] | None = None) -> Answer:
    doc = c.document
    short = span
    if short is None and info.answer_type in SHORT_TYPES:
        short = best_span(c.text, info.answer_type, info.terms)
    return Answer(
        text=c.text, score=round(score, 4), document_id=doc.id, title=doc.title, source=doc.source,
        url=doc.url, published=doc.published, start=c.start, end=c.end, passage_id=c.passage_id,
        context=_context(c),
        short_answer=c.text[short[0]:short[1]] if short else None,
        short_start=c.start + short[0] if short else None,
        short_end=c.start + short[1] if short else None, lang=c.lang)


def _context(c: Candidate, chars: int = 160) -> str:
    """The quote with some text either side, cut at word boundaries."""
    text = c.document.text
    left = text.rfind(" ", 0, max(c.start - chars, 0)) + 1 if c.start > chars else 0
    right = text.find(" ", min(c.end + chars, len(text)))
    return text[left: right if right != -1 else len(text)].strip()


def _readable(answers: tuple[Answer, ...], lang: str) -> str:
    """One line a quote, each led by its article's date: "As of 19 June 2024: Rutte — “…” [1]"."""
    if not answers:
        return ABSTAIN_MESSAGE
    lines = []
    for n, a in enumerate(answers, start=1):
        short = f"{a.short_answer} — " if a.short_answer else ""
        lines.append(f"{dated_lead(a.published, a.older, n == 1, lang)}{short}“{a.text}” [{n}]")
    return "\n".join(lines)



def _related(found: CandidateSet, ranks: list[float], count: int) -> tuple[Related, ...]:
    """The passage holding the best ranked sentence, then the best retrieved ones, `count` in all,
    each with its best ranked sentence not highlighted already."""
    related, shown = [], set()
    for row, doc, fused in _evidence_first(found, ranks)[:count]:
        inside = [(r, c.start, c.end) for c, r in zip(found.candidates, ranks) if _holds(row, doc, c)]
        fresh = [s for s in inside if (doc.id, s[1]) not in shown]
        _, start, end = max(fresh or inside, default=(0.0, row.start, row.end))
        shown.add((doc.id, start))
        related.append(Related(document_id=doc.id, title=doc.title, passage_id=row.id, start=row.start,
                               end=row.end, text=doc.text[row.start:row.end], score=round(fused, 5),
                               highlight=doc.text[start:end], highlight_start=start, highlight_end=end,
                               published=doc.published))
    return tuple(related)


def _evidence_first(found: CandidateSet, ranks: list[float]) -> list[tuple[PassageRow, Document, float]]:
    """The retrieved passages, the first one holding the reader's best ranked candidate moved to the front.

    The reader judges sentences better than retrieval judges passages: when it abstains, the
    closest evidence a user is shown first is the sentence it ranked best (training side, SQuAD
    v1.1 held-out questions it abstained on: first related highlight right .545 -> .596)."""
    passages = list(found.passages)
    if not found.candidates:
        return passages
    best = found.candidates[int(np.argmax(ranks))]
    holding = next((n for n, (row, doc, _) in enumerate(passages) if _holds(row, doc, best)), None)
    if holding is not None:
        passages.insert(0, passages.pop(holding))
    return passages


def _holds(row: PassageRow, doc: Document, candidate: Candidate) -> bool:
    """Whether the passage `row` of `doc` holds all of `candidate` (by offsets, not passage id:
    a sentence in two overlapping passages is one candidate)."""
    return candidate.document.id == doc.id and row.start <= candidate.start and candidate.end <= row.end


class _Clock:
    """Milliseconds per stage."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._t) * 1000, 2)
        self._t = now
