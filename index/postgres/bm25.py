"""Keyword search on PostgreSQL, tokenised and scored as the local index's SQLite FTS5 does.

The local index is FTS5 with `porter unicode61 remove_diacritics 2` and
`bm25()`. Here the same tokens are folded and Porter-stemmed in Python and
stored as a `simple` tsvector (no second stemmer, no stop list), so both
backends match the same passages. PostgreSQL's own `ts_rank` has no inverse
document frequency, so the ranking is BM25 in SQL: the GIN index finds the
passages holding any term, `ts_rank_cd` with unit weights counts each
term's occurrences (its cover density for one lexeme is the term
frequency), and the sum uses the caller's idf and the mean passage length.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer
from psycopg import sql

K1 = 1.2
B = 0.75
_stemmer = snowballstemmer.stemmer("porter")
_stemmer_lock = threading.Lock()  # a Snowball stemmer keeps state between calls
# FTS5's unicode61 tokenizer keeps runs of letters and digits: it reads "1,000" as two tokens.
_FTS5_TOKEN = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Text without diacritics ("Orbán" → "Orban"), as FTS5's `remove_diacritics` indexes it."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=100_000)
def lexeme(token: str) -> str:
    """The indexed form of a lower-cased token: folded, then Porter-stemmed as FTS5 stems
    (ASCII tokens of 3 to 64 bytes; others pass through)."""
    token = fold(token)
    if not (token.isascii() and 3 <= len(token) <= 64):
        return token
    with _stemmer_lock:
        return _stemmer.stemWord(token)


def fts5_length(tokens: list[str]) -> int:
    """How many tokens FTS5 counts in a passage's tokens (its BM25 length normalisation)."""
    return sum(len(_FTS5_TOKEN.findall(t)) for t in tokens)


def document_text(tokens: list[str]) -> str:
    """What `to_tsvector('simple', ...)` indexes for a passage's tokens."""
    return " ".join(lexeme(t) for t in tokens)


def bm25_query(terms: list[str], idf: list[float], mean_length: float, k: int, where: str,
               params: list) -> tuple[sql.Composed, list]:
    """(SQL, parameters) ranking passages by BM25 over `terms`; `where` filters documents `d`."""
    lexemes = [lexeme(t) for t in terms]
    any_term = sql.SQL(" || ").join([sql.SQL("plainto_tsquery('simple', %s)")] * len(lexemes))
    query = sql.SQL(
        "WITH q AS (SELECT plainto_tsquery('simple', t) AS query, idf"
        " FROM unnest(%s::text[], %s::float8[]) AS x(t, idf)),"
        " matched AS (SELECT u.id, u.tsv, u.n_tokens FROM passages u JOIN documents d ON d.id = u.document_id"
        " WHERE u.tsv @@ ({any_term}) {where})"
        " SELECT m.id, sum(q.idf * r.tf * {k1_plus_1} / (r.tf + {k1} * ({one_minus_b} + {b} * m.n_tokens / %s)))"
        " AS score FROM matched m CROSS JOIN q"
        " CROSS JOIN LATERAL (SELECT ts_rank_cd('{{1,1,1,1}}', m.tsv, q.query) AS tf) r"
        " WHERE r.tf > 0 GROUP BY m.id ORDER BY score DESC, m.id LIMIT %s").format(
            any_term=any_term, where=sql.SQL(where), k1_plus_1=sql.Literal(K1 + 1), k1=sql.Literal(K1),
            one_minus_b=sql.Literal(1 - B), b=sql.Literal(B))
    return query, [lexemes, idf, *lexemes, *params, mean_length, k]
