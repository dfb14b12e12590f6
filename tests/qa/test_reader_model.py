"""The shipped reading model and its training command, with the real MiniLM weights."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.answer.reading.neural import DEFAULT_DIR, MULTILINGUAL_DIR, Calibration, PairModel
from qa.answer.reading.pairs import WEIGHTS_GLOB
from support.reader_data import tiny_reader_data

pytestmark = pytest.mark.model
QUESTION = "When does Stoltenberg's contract expire?"
TEXTS = ["Current NATO Secretary General Jens Stoltenberg's contract expires on October 1.",
         "Stoltenberg, who has served for nearly a decade, is the second-longest-serving Secretary General.",
         "Hungary also signed a deal to acquire four Swedish-made fighter jets.",
         "The Dutch prime minister is set to become the next Nato chief."]


CHINESE_QUESTION = "斯托尔滕贝格的合同什么时候到期？"
CHINESE_TEXTS = ["两位领导人在布鲁塞尔举行的欧盟领导人晚宴期间举行了会谈。",
                 "为了获得匈牙利对任命他的批准，鲁特承诺，匈牙利将有选择退出这些活动的选择权。",
                 "荷兰首相还保证，海牙的新政府将继续支持乌克兰。"]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory) -> Path:
    """One empty ONNX cache for this module: each reader is exported and quantised into it once
    (the multilingual one takes ≈ 45 s), then reused as the service reuses it."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def pair_model(model_cache) -> PairModel:
    return PairModel(DEFAULT_DIR, model_cache)


@pytest.fixture(scope="module")
def multilingual_model(model_cache) -> PairModel:
    return PairModel(MULTILINGUAL_DIR, model_cache)


@pytest.mark.parametrize("directory", [DEFAULT_DIR, MULTILINGUAL_DIR], ids=["minilm", "multilingual"])
def test_the_shipped_readers_fit_the_size_budget_and_describe_themselves(directory):
    weights = sum(p.stat().st_size for p in directory.glob(WEIGHTS_GLOB))
    assert 0 < weights <= 30_000_000
    settings = json.loads((directory / "reader.json").read_text())
    training = json.loads((directory / "training.json").read_text())
    layers = "trainable_layers" if settings.get("base_model") == "e5" else "layers"
    assert settings[layers] == int(training["args"][layers]) and settings["max_length"] > 0
    assert training["measured"]["heldout_squad_v1_train_articles"]["questions"] >= 400
    if settings.get("base_model") == "e5":
        assert settings["languages"] == ["en", "zh"]
        assert training["measured"]["heldout_cmrc_train_articles"]["questions"] >= 400
    calibration = Calibration.load(directory)
    assert 0 < calibration.threshold < 1 and calibration.top_n > 0
    assert "python -m evals.train_reader" in (directory / "README.md").read_text()


def test_the_multilingual_reader_reads_chinese_and_across_languages(multilingual_model):
    chinese = [*CHINESE_TEXTS, "斯托尔滕贝格的合同将于10月1日到期。"]
    assert int(np.argmax(multilingual_model.logits(CHINESE_QUESTION, chinese))) == 3
    assert int(np.argmax(multilingual_model.logits(CHINESE_QUESTION, TEXTS))) == 0  # a Chinese question, English text
    assert int(np.argmax(multilingual_model.logits(QUESTION, TEXTS))) == 0


def test_the_answering_sentence_is_read_first(pair_model):
    logits = pair_model.logits(QUESTION, TEXTS)
    assert logits.shape == (4,) and int(np.argmax(logits)) == 0


@pytest.mark.parametrize(("directory", "question", "texts"), [
    (DEFAULT_DIR, QUESTION, TEXTS), (MULTILINGUAL_DIR, CHINESE_QUESTION, [*CHINESE_TEXTS, *TEXTS])],
    ids=["minilm", "multilingual"])
def test_the_int8_session_keeps_the_networks_order(directory, question, texts, model_cache):
    """onnxruntime int8 against the float torch network built from the same shipped weights."""
    import torch

    from qa.answer.reading.network import load_weights, open_network
    from qa.answer.reading.pairs import encode_pairs

    settings = json.loads((directory / "reader.json").read_text())
    network, tokenizer = open_network(settings)
    network = load_weights(network, directory)
    batch = encode_pairs(tokenizer, [question] * len(texts), texts, settings["max_length"], "pt")
    with torch.inference_mode():
        exact = network(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"]).numpy()
    quantised = PairModel(directory, model_cache).logits(question, texts)
    assert int(np.argmax(exact)) == int(np.argmax(quantised))
    if directory == DEFAULT_DIR:
        assert list(np.argsort(-exact)) == list(np.argsort(-quantised))
        np.testing.assert_allclose(quantised, exact, atol=0.5)
    else:  # 12 layers round more: near-tied wrong ones may swap, the right one moved .64 here (every number the
        # service reports, calibration included, is the int8 model's)
        np.testing.assert_allclose(quantised, exact, atol=1.0)


def _train(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    args = ["--data", str(data), "--out", str(out), "--layers", "1", "--trainable-layers", "1", "--max-length", "64",
            "--batch", "8", "--fraction", "1", "--cpu", "--heldout-questions", "3", "--commit", "test", *extra]
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "evals.train_reader", *args], env=env, capture_output=True,
                          text=True, timeout=600)


def test_a_time_limit_saves_the_weights_trained_so_far(tmp_path):
    data = tiny_reader_data(tmp_path / "data.json.gz")
    run = _train(data, tmp_path / "out", "--negatives", "0", "--time-limit", "0")
    assert run.returncode == 0 and "time limit of 0 s reached at step 1" in run.stderr, run.stderr[-2000:]
    training = json.loads((tmp_path / "out" / "training.json").read_text())
    assert training["steps"] == 1 < training["planned_steps"]
    assert f"1 (of {training['planned_steps']} planned; stopped by --time-limit) steps" in (
        tmp_path / "out" / "README.md").read_text()
    assert list((tmp_path / "out").glob(WEIGHTS_GLOB)) and not (tmp_path / "out" / "checkpoint").exists()


@pytest.mark.parametrize("base", ["minilm", "e5"])
def test_training_is_deterministic_and_resumes_where_it_stopped(tmp_path, base):
    data = tiny_reader_data(tmp_path / "data.json.gz")
    # MiniLM with hard negatives from nearby paragraphs (English sources only) and the listwise term in batches of
    # whole questions, and yes/no copies of its questions; e5 with code-switched questions.
    chosen = ("--base-model", base, *(("--negatives", "2", "--code-switch", "1") if base == "e5"
                                      else ("--negatives", "0", "--near", "2", "--listwise", "1", "--polar", "1")))
    whole = _train(data, tmp_path / "whole", *chosen)
    assert whole.returncode == 0, whole.stderr
    stopped = _train(data, tmp_path / "resumed", *chosen, "--stop-after", "2")
    assert stopped.returncode != 0 and "stopped after step 2" in stopped.stderr
    assert (tmp_path / "resumed" / "checkpoint" / "state.pt").exists()
    resumed = _train(data, tmp_path / "resumed", *chosen)
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
    settings = json.loads((tmp_path / "whole" / "reader.json").read_text())
    if base == "e5":  # Chinese questions trained on; only the top layer and the head ship
        assert settings["base_model"] == "e5" and settings["languages"] == ["en", "zh"]
        assert "| heldout_cmrc_train_articles |" in card and "| heldout_cmrc_switched |" in card
        assert training["code_switched_questions"] > 0 and "code-switched" in card
        assert all(k.startswith(("encoder.encoder.layer.11.", "head.")) for k in a), sorted(a)[:3]
    else:
        assert "base_model" not in settings and settings["layers"] == 1
        assert training["yes_no_questions"] > 0 and "| heldout_squad_v1_yes_no |" in card
