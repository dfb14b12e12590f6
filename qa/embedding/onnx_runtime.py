"""One way to turn a torch module into an onnxruntime session: exported once, atomically, then reused."""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
TOKEN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_once(module: Any, example: dict[str, Any], output: str, path: Path) -> Path:
    """`module` (called with the TOKEN_INPUTS tensors of `example`) exported to `path` unless it is there.

    Batch and length are dynamic. The file is written under a temporary name
    and renamed, so a reader never sees half of it and two processes may race.
    """
    if path.exists():
        return path
    import torch

    log.info("exporting %s to ONNX at %s (once)", type(module).__name__, path)
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=512)
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    # The exporter's notes (axis names, deprecations, "torchvision is not installed") are not the user's concern.
    exporter_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # verbose=False: the exporter otherwise prints its progress on stdout, into `citeqa ask --json`'s output.
            program = torch.onnx.export(module.eval(), tuple(example[k] for k in TOKEN_INPUTS), verbose=False,
                                        input_names=list(TOKEN_INPUTS), output_names=[output], dynamo=True,
                                        dynamic_shapes={k: {0: batch, 1: length} for k in TOKEN_INPUTS})
    finally:
        exporter_log.setLevel(level)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        program.save(tmp, external_data=False)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def quantize_once(source: Path, path: Path) -> Path:
    """`source` with its weights in int8 (dynamic, per channel) at `path` unless it is there, written atomically."""
    if path.exists():
        return path
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    # The quantiser logs a line per tensor, and advice to pre-process, on the root logger.
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(str(source), tmp, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, path)
    finally:
        logging.disable(logging.NOTSET)
        Path(tmp).unlink(missing_ok=True)
    return path


def open_session(path: Path, threads: int) -> Any:
    """A CPU inference session over `path` using `threads` threads."""
    import onnxruntime

    if threads <= 0:
        raise ValueError(f"threads must be > 0, got {threads}")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    # Idle pool threads spin by default and take the cores from the next question's retrieval
    # (reader on: retrieval p50 12 -> 21 ms, p90 15 -> 53 ms in process until this was off).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_tokens(session: Any, batch: Any) -> Any:
    """The session's first output for a tokenised numpy batch."""
    import numpy as np

    return session.run(None, {k: batch[k].astype(np.int64) for k in TOKEN_INPUTS})[0]
