"""How a (question, candidate) pair becomes model input: one function for training and serving."""

from __future__ import annotations

from typing import Any

# The shipped weights' files (float16 safetensors, possibly in shards), as training writes them.
WEIGHTS_GLOB = "reader-*.safetensors"


def encode_pairs(tokenizer: Any, questions: list[str], texts: list[str], max_length: int,
                 tensors: str | None = "np") -> Any:
    """`question [SEP] text` token ids; the text is cut to fit `max_length`.

    `tensors` None gives unpadded lists (training pads per batch); "np" or
    "pt" gives a padded batch. A tokenizer with its own `encode_pairs` (the
    multilingual reader's, `qa/answer/reading/e5/tokenizer.py`) lays its pairs out itself.
    """
    if hasattr(tokenizer, "encode_pairs"):
        return tokenizer.encode_pairs(questions, texts, max_length, tensors)
    if len(questions) != len(texts):
        raise ValueError(f"questions and texts must have the same length, got {len(questions)} and {len(texts)}")
    return tokenizer(questions, texts, truncation="only_second", max_length=max_length,
                     padding=tensors is not None, return_tensors=tensors)
