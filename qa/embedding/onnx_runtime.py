"""One way to turn a torch module into an onnxruntime session: exported once, atomically, then reused."""

from __future__ import annotations

import ast
import logging
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
TOKEN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
FOLD_LIMIT = 1 << 24  # elements: large enough to fold a layer's packed Q/K/V weights into one constant
NAME_SCOPES = "pkg.torch.onnx.name_scopes"  # the dynamo exporter's record of the modules a node came from


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
    _write_atomically(path, lambda tmp: program.save(tmp, external_data=False))
    return path


def fuse_once(source: Path, path: Path) -> Path:
    """`source`, a BERT-style encoder, with onnxruntime's fused transformer ops at `path` unless it is there.

    onnxscript's fusions turn each layer's attention into one `Attention` op over
    packed Q/K/V weights (quantised later into `QAttention`), and its norms and
    GELU into `SkipLayerNormalization` and `BiasGelu`; the packed weights are folded
    into constants so that the quantiser sees them. Written atomically.
    """
    if path.exists():
        return path
    import onnx_ir as ir
    from onnxscript.optimizer import fold_constants
    from onnxscript.rewriter.ort_fusions import optimize_for_ort

    model, _ = optimize_for_ort(ir.load(str(source)))
    fold_constants(model, input_size_limit=FOLD_LIMIT, output_size_limit=FOLD_LIMIT)
    for node in model.graph:
        sizes = node.attributes.get("qkv_hidden_sizes") if node.op_type == "Attention" else None
        # The quantiser leaves an Attention with this attribute in float; equal sizes are its default.
        if sizes is not None and len(set(sizes.as_ints())) == 1:
            del node.attributes["qkv_hidden_sizes"]
    _write_atomically(path, lambda tmp: ir.save(model, tmp))
    return path


def matmuls_in_modules(path: Path, pattern: str) -> list[str]:
    """The names of the MatMul nodes of `path` exported from a module whose name matches `pattern` (a regex)."""
    import onnx

    found = re.compile(pattern)
    names = []
    for node in onnx.load(str(path), load_external_data=False).graph.node:
        scopes = next((p.value for p in node.metadata_props if p.key == NAME_SCOPES), "[]")
        if node.op_type == "MatMul" and any(found.search(s) for s in ast.literal_eval(scopes)):
            names.append(node.name)
    return names


def quantize_once(source: Path, path: Path, keep_float: tuple[str, ...] = ()) -> Path:
    """`source` with its weights in int8 (dynamic, per channel) at `path` unless it is there, written atomically;
    the nodes named in `keep_float` keep theirs in float32."""
    if path.exists():
        return path
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantiser logs a line per tensor, and advice to pre-process, on the root logger.
    logging.disable(logging.WARNING)
    try:
        _write_atomically(path, lambda tmp: quantize_dynamic(str(source), tmp, weight_type=QuantType.QInt8,
                                                             per_channel=True, nodes_to_exclude=list(keep_float)))
    finally:
        logging.disable(logging.NOTSET)
    return path


def _write_atomically(path: Path, write: Any) -> None:
    """`write(tmp)` to a temporary file beside `path`, then renamed to it: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


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
