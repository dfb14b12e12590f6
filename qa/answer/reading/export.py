"""How a reader's network becomes the int8 ONNX file it is served from, as its settings say.

reader.json may ask for two things beyond the plain export quantised to int8:

- `fuse_attention`: each layer's attention fused into one op (`fuse_once`), quantised as one;
- `float32_ffn_output_layers`: the feed-forward output projections of that many of the
  lowest layers keep float32 weights. The multilingual reader's lower layers are
  multilingual-e5's, frozen as dequantised; their large activations are where int8 cost it
  Chinese accuracy (docs/answer-quality.md, 2026-12-07 and 2026-12-08).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.embedding.onnx_runtime import export_once, fuse_once, matmuls_in_modules, quantize_once

INT8_SUFFIX = ".int8.onnx"


def export_reader(model: Any, example: dict[str, Any], settings: dict, path: Path) -> Path:
    """`model` (a `PairScorer`, called with `example`'s tensors) as an int8 ONNX file at `path` (ending
    in INT8_SUFFIX) unless it is there; the float files it goes through beside it are removed."""
    if not path.name.endswith(INT8_SUFFIX):
        raise ValueError(f"the reader's file name must end in {INT8_SUFFIX}, got {path.name}")
    float_layers = int(settings.get("float32_ffn_output_layers", 0))
    if float_layers < 0:
        raise ValueError(f"float32_ffn_output_layers must be >= 0, got {float_layers}")
    if path.exists():
        return path
    stem = path.name[: -len(INT8_SUFFIX)]
    exported = path.with_name(f"{stem}.onnx")
    fused = path.with_name(f"{stem}.fused.onnx")
    try:
        source = export_once(model, example, "logit", exported)
        if settings.get("fuse_attention", False):
            source = fuse_once(source, fused)
        keep = matmuls_in_modules(source, rf"\.layer\.({'|'.join(map(str, range(float_layers)))})\.output\.dense$") \
            if float_layers else []
        # int8 weights: 1.6x faster here; in-paragraph accuracy .899 -> .896 on 800 held-out questions (MiniLM).
        return quantize_once(source, path, tuple(keep))
    finally:
        exported.unlink(missing_ok=True)
        fused.unlink(missing_ok=True)
