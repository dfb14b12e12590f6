"""The shipped reading model and its training command, with the real MiniLM weights."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evals import reader_data
from evals.datasets.squad import VENDORED_SLICE, EvalFiles
from index.embedders.minilm import model_path
from qa.answer.reading.neural import DEFAULT_DIR, Calibration, PairModel
from qa.answer.reading.pairs import WEIGHTS_GLOB

pytestmark = pytest.mark.model
QUESTION = "When does Stoltenberg's contract expire?"
TEXTS = ["Current NATO Secretary General Jens Stoltenberg's contract expires on October 1.",
         "Stoltenberg, who has served for nearly a decade, is the second-longest-serving Secretary General.",
         "Hungary also signed a deal to acquire four Swedish-made fighter jets.",
         "The Dutch prime minister is set to become the next Nato chief."]


@pytest.fixture(scope="module")
def pair_model(tmp_path_factory) -> PairModel:
    return PairModel(DEFAULT_DIR, tmp_path_factory.mktemp("model-cache"))


def test_the_shipped_reader_fits_the_size_budget_and_describes_itself():
    weights = sum(p.stat().st_size for p in DEFAULT_DIR.glob(WEIGHTS_GLOB))
    assert 0 < weights <= 30_000_000
    settings = json.loads((DEFAULT_DIR / "reader.json").read_text())
    training = json.loads((DEFAULT_DIR / "training.json").read_text())
    assert settings["layers"] == int(training["args"]["layers"]) and settings["max_length"] > 0
    assert training["measured"]["heldout_squad_v1_train_articles"]["questions"] > 1000
    calibration = Calibration.load(DEFAULT_DIR)
    assert 0 < calibration.threshold < 1 and calibration.top_n > 0
    assert "python -m evals.train_reader" in (DEFAULT_DIR / "README.md").read_text()


def test_the_answering_sentence_is_read_first(pair_model):
    logits = pair_model.logits(QUESTION, TEXTS)
    assert logits.shape == (4,) and int(np.argmax(logits)) == 0


def test_the_int8_session_keeps_the_networks_order(pair_model):
    """onnxruntime int8 against the float torch network built from the same shipped weights."""
    import torch

    from qa.answer.reading.network import build_network, load_weights
    from qa.answer.reading.pairs import encode_pairs

    settings = json.loads((DEFAULT_DIR / "reader.json").read_text())
    network = load_weights(build_network(model_path(), settings["layers"]), DEFAULT_DIR)
    _, tokenizer = pair_model.load()
    batch = encode_pairs(tokenizer, [QUESTION] * len(TEXTS), TEXTS, settings["max_length"], "pt")
    with torch.inference_mode():
        exact = network(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"]).numpy()
    quantised = pair_model.logits(QUESTION, TEXTS)
    assert list(np.argsort(-exact)) == list(np.argsort(-quantised))
    np.testing.assert_allclose(quantised, exact, atol=0.5)


def _tiny_data(path: Path) -> Path:
    """A prepared file from a few paragraphs of the vendored dev-half slice (no ../shared needed)."""
    data = json.loads(EvalFiles(VENDORED_SLICE).squad_dev_half.read_text(encoding="utf-8"))["data"]
    paragraphs = [p for a in data for p in a["paragraphs"]][:4]
    jobs = [("squad2dev", p, "heldout" if n == 3 else "train") for n, p in enumerate(paragraphs)]
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump({**reader_data.build(jobs, workers=1), "format": reader_data.FORMAT}, f)
    return path


def _train(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    args = ["--data", str(data), "--out", str(out), "--layers", "1", "--max-length", "64", "--batch", "8",
            "--fraction", "1", "--cpu", "--heldout-questions", "3", "--commit", "test", *extra]
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "evals.train_reader", *args], env=env, capture_output=True,
                          text=True, timeout=600)


def test_training_is_deterministic_and_resumes_where_it_stopped(tmp_path):
    data = _tiny_data(tmp_path / "data.json.gz")
    whole = _train(data, tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    stopped = _train(data, tmp_path / "resumed", "--stop-after", "2")
    assert stopped.returncode != 0 and "stopped after step 2" in stopped.stderr
    assert (tmp_path / "resumed" / "checkpoint" / "state.pt").exists()
    resumed = _train(data, tmp_path / "resumed")
    assert resumed.returncode == 0 and "resuming at step 2" in resumed.stderr, resumed.stderr
    from safetensors.numpy import load_file

    name = "reader-01-of-01.safetensors"
    a, b = load_file(str(tmp_path / "whole" / name)), load_file(str(tmp_path / "resumed" / name))
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert not (tmp_path / "resumed" / "checkpoint").exists()
    card = (tmp_path / "whole" / "README.md").read_text()
    assert "commit `test`" in card and "| heldout_squad_v1_train_articles |" in card
    training = json.loads((tmp_path / "whole" / "training.json").read_text())
    assert training["commit"] == "test" and training["steps"] > 2 and training["pairs"] > 0
