"""Hard negatives for the reading model: sentences of nearby paragraphs that share the question's words.

Trained on a question's own paragraph (and sometimes a far one), the reader never
sees what it meets when serving: the lexically best sentences of other passages
retrieved with the gold one, mostly from the same article. On SQuAD v1.1's
held-out articles (training side) 66 of its 175 wrong picks among the candidates
it read came from another paragraph than the question's. SQuAD keeps an article's
paragraphs together, so a question's neighbours within `span` paragraphs of the same
source are mostly its article's; of their sentences, those sharing the most of the
question's rare words (idf-weighted) and holding none of its answers are the negatives.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"[^\W_]{3,}")
# Sources whose text splits into words on spaces (CMRC 2018's Chinese does not).
SPACED_SOURCES = ("squad1", "squad2dev")
COMMON = 0.01  # share of sentences: a word in more ("the", "what") makes no sentence look like an answer


def _words(text: str) -> set[str]:
    """The lowercased words of three letters or more."""
    return set(_WORD.findall(text.lower()))


class NearNegatives:
    """Picks, for a question of the prepared reader data, the `count` sentences of the paragraphs within
    `span` of its own (same source) that best match its words (those in at most `common` of the
    sentences) and hold none of its answers."""

    def __init__(self, data: dict, span: int = 8, common: float = COMMON) -> None:
        if span <= 0:
            raise ValueError(f"span must be > 0, got {span}")
        if not 0.0 < common <= 1.0:
            raise ValueError(f"common must be in (0, 1], got {common}")
        self.data = data
        self.span = span
        # Each sentence's words, once (empty for sources that do not split on spaces).
        self._words = [[_words(t) for t in p["sents"]] if p["src"] in SPACED_SOURCES else []
                       for p in data["paragraphs"]]
        frequencies = Counter(w for paragraph in self._words for words in paragraph for w in words)
        sentences = sum(len(paragraph) for paragraph in self._words)
        self._idf = {w: math.log((sentences + 1) / (df + 1)) for w, df in frequencies.items()
                     if df <= common * sentences}

    def pick(self, question: int, count: int) -> list[tuple[int, int]]:
        """(paragraph, sentence) of up to `count` hard negatives for question number `question`, best first."""
        q = self.data["questions"][question]
        paragraphs = self.data["paragraphs"]
        source = paragraphs[q["p"]]["src"]
        if count <= 0 or source not in SPACED_SOURCES:
            return []
        asked = _words(q["q"])
        answers = [a.lower() for a in q.get("a", [])]
        scored = []
        for p in range(max(0, q["p"] - self.span), min(len(paragraphs), q["p"] + self.span + 1)):
            if p == q["p"] or paragraphs[p]["src"] != source:
                continue
            for s, words in enumerate(self._words[p]):
                score = sum(self._idf.get(w, 0.0) for w in asked & words)
                if score > 0 and not any(a and a in paragraphs[p]["sents"][s].lower() for a in answers):
                    scored.append((-score, p, s))
        return [(p, s) for _, p, s in sorted(scored)[:count]]
