"""Resumable training for the reading model: a checkpoint of everything a run needs to continue.

`evals.train_reader` writes one every `--checkpoint-every` steps (and at `--stop-after`) to
OUT/checkpoint/state.pt, atomically; a rerun with the same arguments continues from it bit for
bit, and one with other arguments is refused rather than mixed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("train_reader")


def fingerprint(args) -> dict:
    """The training arguments a checkpoint must share with the run that continues it."""
    keys = ("layers", "max_length", "batch", "lr", "warmup", "fraction", "far_share", "seed", "repeat",
            "negatives", "base_model", "trainable_layers", "near")
    # recorded only when on, so checkpoints written before the option existed still resume
    optional = {k: getattr(args, k) for k in ("code_switch", "swap", "listwise", "polar") if getattr(args, k)}
    base = {} if args.base is None else {"base": str(args.base)}
    return {k: getattr(args, k) for k in keys} | {"init": str(args.init)} | optional | base


def save(folder: Path, args, model, optimiser, schedule, step: int) -> None:
    """Everything needed to continue at `step`, written atomically."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    state = {"args": fingerprint(args), "step": step, "model": model.state_dict(),
             "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict(),
             "torch_rng": torch.get_rng_state(),
             "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None}
    torch.save(state, folder / "state.pt.tmp")
    os.replace(folder / "state.pt.tmp", folder / "state.pt")
    log.info("checkpoint at step %d", step)


def resume(folder: Path, args, model, optimiser, schedule) -> int:
    """The step to continue from: a checkpoint of the same arguments, else 0."""
    import torch

    path = folder / "state.pt"
    if not path.exists():
        return 0
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state["args"] != fingerprint(args):
        raise SystemExit(f"{path} was written with other arguments ({state['args']}); remove it to start over")
    model.load_state_dict(state["model"])
    optimiser.load_state_dict(state["optimiser"])
    schedule.load_state_dict(state["schedule"])
    torch.set_rng_state(state["torch_rng"])
    if state["cuda_rng"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    log.info("resuming at step %d", state["step"])
    return int(state["step"])
