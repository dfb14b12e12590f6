"""A sentence-transformers model's question encoder run by onnxruntime, exported once from the package's weights."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxQueryEncoder:
    """The same vectors as the torch model (mean pooling, unit length), ≈ 3× faster per question.

    The transformer is exported with `torch.onnx.export` from the weights in
    `model_dir` into `cache_dir` the first time (≈ 10 s), under a name derived
    from its config and weights file, and reused by every later process. Only models whose
    sentence-transformers pooling is the token mean are accepted.
    """

    def __init__(self, model_dir: Path, cache_dir: Path, threads: int = 2) -> None:
        if threads <= 0:
            raise ValueError(f"threads must be > 0, got {threads}")
        pooling = json.loads((Path(model_dir) / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{model_dir}: the ONNX question encoder supports mean pooling only, got {pooling}")
        self.model_dir = Path(model_dir)
        self.path = Path(cache_dir) / f"{self.model_dir.parent.name}-{_weights_hash(self.model_dir)}.onnx"
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors for `texts` (not thread-safe: the embedder calls it under its lock)."""
        if self._session is None:
            self._session, self._tokenizer = self._load()
        batch = self._tokenizer(texts, padding=True, truncation=True, return_tensors="np")
        hidden = self._session.run(None, {k: batch[k].astype(np.int64) for k in _INPUTS})[0]
        mask = batch["attention_mask"][..., None].astype(np.float32)
        vectors = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def _load(self) -> tuple[Any, Any]:
        import onnxruntime
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
        if not self.path.exists():
            self._export(tokenizer)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        session = onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        return session, tokenizer

    def _export(self, tokenizer: Any) -> None:
        """Export the transformer to `self.path`, atomically (a half-written file is never there)."""
        import torch
        from transformers import AutoModel

        log.info("exporting %s to ONNX at %s (once)", self.model_dir, self.path)
        model = AutoModel.from_pretrained(str(self.model_dir), local_files_only=True).eval()
        example = tokenizer(["an example question"], return_tensors="pt")
        batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=512)
        with warnings.catch_warnings():  # the exporter's notes on axis names and deprecations are not ours
            warnings.simplefilter("ignore")
            program = torch.onnx.export(_hidden_state(model), tuple(example[k] for k in _INPUTS),
                                        input_names=list(_INPUTS), output_names=["hidden"], dynamo=True,
                                        dynamic_shapes={k: {0: batch, 1: length} for k in _INPUTS})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".onnx.tmp")
        os.close(fd)
        try:
            program.save(tmp, external_data=False)
            os.replace(tmp, self.path)
        finally:
            Path(tmp).unlink(missing_ok=True)


def _hidden_state(model: Any) -> Any:
    """The transformer's last hidden state as a module of three tensors (what gets exported)."""
    import torch

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    return Hidden()


def _weights_hash(model_dir: Path) -> str:
    """A short key of the model's config and weights file (size and time, not its 90 MB of bytes,
    which every process start would read), so reinstalled or changed weights export anew."""
    weights = (model_dir / "model.safetensors").stat()
    digest = hashlib.sha256((model_dir / "config.json").read_bytes())
    digest.update(f"{weights.st_size}:{weights.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
