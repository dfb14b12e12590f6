"""Unanswerable training questions made from answerable ones: one name or number swapped.

SQuAD 2.0's unanswerable questions are written to look answerable, and about a fifth of them
swap an entity or a number for another one from the article (Rajpurkar et al., ACL 2018,
Table 3). The training side holds only the dev half's few hundred of them, and the reader
separates them from answerable questions poorly (AUROC ≈ .71). This makes more from SQuAD v1.1:
in a question whose name (a run of capitalised words) or number also occurs in its answer
sentences, that name or number is replaced by another of the same kind from the same or an
adjacent paragraph that none of its answer sentences holds ("What is Beyonce's net worth in
2015?" → "... in 1990?"). Against those answer sentences the swapped question is a negative:
a minimal pair with the original, which teaches the reader that a sentence about the wrong
person or year does not answer. Only those sentences are labelled (another sentence might
answer the swapped question).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from qa.timeline.expressions import MONTHS, WEEKDAYS

_NAME = re.compile(r"[A-Z][\w.\-]*(?:['’]s)?(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w.\-]*(?:['’]s)?)*")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[,.]\d+)*(?!\w)")
_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")
_POSSESSIVE = re.compile(r"['’]s$")
_CALENDAR = frozenset(f"{MONTHS}|{WEEKDAYS}".split("|"))
# capitalised because they start the question or the sentence, not because they are names
_LEADING = ENGLISH_STOP_WORDS | {"what", "who", "whom", "whose", "when", "where", "why", "how", "which", "did",
                                 "does", "do", "is", "are", "was", "were", "has", "have", "had", "can", "could",
                                 "according", "besides", "along", "aside", "during", "following", "approximately"}
NEIGHBOURS = 1  # paragraphs on each side whose names and numbers may replace the question's


def names(text: str, skip_first_word: bool = False) -> list[str]:
    """Runs of capitalised words in `text`, possessive 's and a leading function word dropped; with `skip_first_word`,
    not a lone word that starts the text (capitalised as the sentence's first word: "Later", "Several")."""
    out = []
    for match in _NAME.finditer(text):
        words = match.group().split()
        if skip_first_word and match.start() == 0 and len(words) == 1:
            continue
        while words and words[0].lower().strip(".") in _LEADING:
            words = words[1:]
        name = _POSSESSIVE.sub("", " ".join(words)).rstrip(".")
        if len(name) > 1:
            out.append(name)
    return out


def numbers(text: str) -> list[str]:
    """Numbers in `text` ("1858", "250", "3.5", "1,200")."""
    return [m.group() for m in _NUMBER.finditer(text)]


def _kind(token: str) -> str:
    """Which tokens may replace `token`: a month or weekday by another, a name by a name of as many words,
    a year by a year, another number by one of as many digits."""
    if token[0].isupper():
        return "calendar" if token.lower() in _CALENDAR else f"name-{len(token.split())}"
    return "year" if _YEAR.fullmatch(token) else f"number-{sum(c.isdigit() for c in token)}"


def _plain(text: str) -> str:
    """Lower case without accents, to tell "Beyoncé" and "Beyonce" for one name."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def swap(question: str, answers: list[str], nearby: list[str], rng: np.random.Generator) -> str | None:
    """`question` with one of its names or numbers that occur in `answers` (its answer sentences) replaced by a
    name or number of the same kind from `nearby` sentences that no answer sentence holds; None when there is none."""
    answer_text, asked = _plain(" ".join(answers)), _plain(question)
    shared = [t for t in dict.fromkeys(names(question) + numbers(question)) if _plain(t) in answer_text]
    shared_plain = [_plain(t) for t in shared]
    pool: dict[str, list[str]] = {}
    for sentence in nearby:
        for token in names(sentence, skip_first_word=True) + numbers(sentence):
            plain = _plain(token)
            if plain in answer_text or plain in asked or any(plain in t or t in plain for t in shared_plain):
                continue
            kind = pool.setdefault(_kind(token), [])
            if token not in kind:
                kind.append(token)
    choices = [(t, r) for t in shared for r in pool.get(_kind(t), [])]
    if not choices:
        return None
    old, new = choices[int(rng.integers(len(choices)))]
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", lambda _: new, question, count=1)


def swapped_rows(data: dict, rows: np.ndarray, share: float, seed: int) -> tuple[dict, np.ndarray]:
    """`data` with a swapped copy of a seeded `share` of the SQuAD v1.1 questions in `rows` added (role "swapped",
    no positive), and `rows` with a negative row for each copy and each answer sentence of its original, reshuffled.
    `share` 0 returns both unchanged."""
    if not 0 <= share <= 1:
        raise ValueError(f"share must be within [0, 1], got {share}")
    if share == 0:
        return data, rows
    rng = np.random.default_rng(seed + 2)
    questions, paragraphs = list(data["questions"]), data["paragraphs"]
    extra = []
    for n in sorted({int(n) for n in rows[:, 0]}):
        q = questions[n]
        if paragraphs[q["p"]]["src"] != "squad1" or not q["pos"] or rng.random() >= share:
            continue
        sents = paragraphs[q["p"]]["sents"]
        text = swap(q["q"], [sents[s] for s in q["pos"]], list(_nearby(paragraphs, q["p"])), rng)
        if text is None:
            continue
        questions.append({"q": text, "pos": [], "role": "swapped", "a": [], "p": q["p"], "from": n})
        extra.extend((len(questions) - 1, q["p"], s, 0) for s in q["pos"])
    if not extra:
        return data, rows
    return {**data, "questions": questions}, rng.permutation(np.concatenate([rows, np.array(extra, dtype=np.int64)]))


def _nearby(paragraphs: list[dict], p: int) -> Iterable[str]:
    """The sentences of paragraph `p` and of its neighbours from the same source."""
    for near in range(max(0, p - NEIGHBOURS), min(len(paragraphs), p + NEIGHBOURS + 1)):
        if paragraphs[near]["src"] == paragraphs[p]["src"]:
            yield from paragraphs[near]["sents"]
