"""A tiny prepared training file for the reading model's training command."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from evals import reader_data
from evals.datasets.squad import VENDORED_SLICE, EvalFiles


def tiny_reader_data(path: Path) -> Path:
    """A prepared file from a few paragraphs of the vendored slice (no ../shared needed): the dev half's,
    and XQuAD-zh's standing in for CMRC 2018 (the multilingual reader's Chinese training data)."""
    files = EvalFiles(VENDORED_SLICE)
    data = json.loads(files.squad_dev_half.read_text(encoding="utf-8"))["data"]
    paragraphs = [p for a in data for p in a["paragraphs"]][:4]
    jobs = [("squad2dev", p, "heldout" if n == 3 else "train") for n, p in enumerate(paragraphs)]
    chinese = [p for a in json.loads(files.xquad("zh").read_text(encoding="utf-8"))["data"] for p in a["paragraphs"]]
    jobs += [("cmrc", p, "heldout" if n == 2 else "train") for n, p in enumerate(chinese[:3])]
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump({**reader_data.build(jobs, workers=1), "format": reader_data.FORMAT}, f)
    return path
