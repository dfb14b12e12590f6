"""Tokens for the keyword index: words for English, jieba words for Chinese."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

# Words (a trailing possessive 's is not part of the word) and numbers.
_LATIN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_jieba_lock = threading.Lock()

STOPWORDS = frozenset("""
a an and are as at be been being but by can could did do does doing for from had has have having he her
hers him his how i if in into is it its itself me my of on or our ours she so than that the their them
then there these they this those to too was we were what when where which while who whom whose why will
with would you your yours about after again against all also am any because before between both during
each few further here just more most no nor not now off once only other out over own same should some
such through under until up very s t d ll re ve don many much
的 了 是 在 和 与 也 就 都 而 及 或 一个 这 那 他 她 它 我们 你们 他们 什么 为什么 怎么 谁 哪 吗 呢 吧
""".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def load_segmenter() -> None:
    """Load jieba's dictionary now (~1 s), not in the first request that holds Chinese."""
    _jieba()


def _token_spans(text: str) -> list[tuple[int, str]]:
    """Every lower-cased word token of mixed English/Chinese text with its start offset, in order
    (jieba's search mode for Chinese: a long word and the shorter words inside it)."""
    spans: list[tuple[int, str]] = []
    cursor = 0

    def latin(start: int, end: int) -> None:
        spans.extend((start + m.start(), m.group().lower()) for m in _LATIN.finditer(text[start:end]))

    for run in _CJK_RUN.finditer(text):
        latin(cursor, run.start())
        with _jieba_lock:
            spans.extend((run.start() + b, w) for w, b, _ in _jieba().tokenize(run.group(), mode="search")
                         if w.strip())
        cursor = run.end()
    latin(cursor, len(text))
    return spans


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of mixed English/Chinese text, in order."""
    return [token for _, token in _token_spans(text)]


def content_term_spans(text: str) -> list[tuple[int, str]]:
    """Every occurrence of a meaningful token, with its start offset, in order."""
    return [(at, t) for at, t in _token_spans(text) if _meaningful(t)]


def content_terms(text: str) -> list[str]:
    """Tokens that carry meaning (stop words dropped), each once, in order."""
    return list(dict.fromkeys(t for _, t in content_term_spans(text)))


def _meaningful(token: str) -> bool:
    """Not a stop word, and more than one letter (one Chinese character is a word)."""
    return token not in STOPWORDS and (len(token) > 1 or bool(_CJK_RUN.match(token)))


def match_expression(terms: list[str]) -> str:
    """An FTS5 MATCH expression: any of the terms, each quoted."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
