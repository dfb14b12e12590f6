"""The ONNX export helper: one file, written once, and nothing printed on stdout (`citeqa ask --json` is parsed)."""

import numpy as np
import pytest
import torch

from qa.answer.reading.export import export_reader
from qa.embedding.onnx_runtime import (
    TOKEN_INPUTS,
    export_once,
    fuse_once,
    matmuls_in_modules,
    open_session,
    quantize_once,
    run_tokens,
)


class _Sum(torch.nn.Module):
    """A tiny stand-in for an encoder: one number per row from the three token inputs."""

    def forward(self, input_ids, attention_mask, token_type_ids):
        return (input_ids * attention_mask + token_type_ids).sum(-1).float()


def test_export_prints_nothing_on_stdout_and_runs(tmp_path, capfd):
    example = {k: torch.ones((2, 5), dtype=torch.long) for k in TOKEN_INPUTS}
    path = export_once(_Sum(), example, "out", tmp_path / "sum.onnx")
    assert capfd.readouterr().out == ""
    batch = {"input_ids": np.array([[1, 2, 3]]), "attention_mask": np.array([[1, 1, 0]]),
             "token_type_ids": np.array([[0, 0, 1]])}
    assert run_tokens(open_session(path, 1), batch).tolist() == [4.0]
    assert export_once(None, example, "out", path) == path  # already there: not exported again


def _tiny_reader():
    """A two-layer BERT pair scorer with random weights: the reader's network shape, in miniature."""
    from transformers import BertConfig, BertModel

    from qa.answer.reading.network import PairScorer

    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=32)
    return PairScorer(BertModel(config, add_pooling_layer=False)).eval()


def _batch():
    """Three token rows of a pair, one of them padded, as a batch of candidates is."""
    rng = np.random.default_rng(0)
    batch = {"input_ids": rng.integers(1, 64, (3, 9)), "attention_mask": np.ones((3, 9), dtype=np.int64),
             "token_type_ids": np.zeros((3, 9), dtype=np.int64)}
    batch["attention_mask"][1, 6:] = 0
    return batch


def _ops(path):
    import onnx

    return [n.op_type for n in onnx.load(str(path)).graph.node]


def test_fused_graph_reads_as_the_exported_one_and_quantises_its_attention(tmp_path):
    batch = _batch()
    example = {k: torch.from_numpy(v[:1]) for k, v in batch.items()}
    exported = export_once(_tiny_reader(), example, "logit", tmp_path / "reader.onnx")
    fused = fuse_once(exported, tmp_path / "reader.fused.onnx")
    assert _ops(fused).count("Attention") == 2 and _ops(fused).count("BiasGelu") == 2, _ops(fused)
    np.testing.assert_allclose(run_tokens(open_session(fused, 1), batch), run_tokens(open_session(exported, 1), batch),
                               atol=1e-5)
    quantised = quantize_once(fused, tmp_path / "reader.int8.onnx")
    assert _ops(quantised).count("QAttention") == 2
    assert fuse_once(None, fused) == fused  # already there: not fused again


def test_matmuls_are_found_by_the_module_they_were_exported_from(tmp_path):
    example = {k: torch.from_numpy(v[:1]) for k, v in _batch().items()}
    exported = export_once(_tiny_reader(), example, "logit", tmp_path / "reader.onnx")
    outputs = matmuls_in_modules(exported, r"\.layer\.\d+\.output\.dense$")
    assert len(outputs) == 2 and len(set(outputs)) == 2
    assert matmuls_in_modules(exported, r"\.layer\.1\.output\.dense$") == outputs[1:]
    assert matmuls_in_modules(exported, r"no such module") == []


def test_reader_export_keeps_the_lowest_layers_feed_forward_outputs_in_float32(tmp_path):
    import onnx

    batch = _batch()
    example = {k: torch.from_numpy(v[:1]) for k, v in batch.items()}
    model = _tiny_reader()
    settings = {"fuse_attention": True, "float32_ffn_output_layers": 1}
    path = export_reader(model, example, settings, tmp_path / "reader-x.int8.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reader-x.int8.onnx"]  # the float files are gone
    graph = onnx.load(str(path)).graph
    assert [n.op_type for n in graph.node].count("QAttention") == 2
    floats = {i.name for i in graph.initializer if i.data_type == onnx.TensorProto.FLOAT and len(i.dims) == 2}
    float_matmuls = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in floats]
    assert len(float_matmuls) == 1, [n.name for n in float_matmuls]  # layer 0's output projection; layer 1's is int8
    expected = model(**{k: torch.from_numpy(v) for k, v in batch.items()}).detach().numpy()
    np.testing.assert_allclose(run_tokens(open_session(path, 1), batch), expected, atol=0.05)


def test_reader_export_refuses_bad_settings_before_exporting(tmp_path):
    with pytest.raises(ValueError, match="float32_ffn_output_layers must be >= 0, got -1"):
        export_reader(None, {}, {"float32_ffn_output_layers": -1}, tmp_path / "reader.int8.onnx")
    with pytest.raises(ValueError, match="must end in .int8.onnx, got reader.onnx"):
        export_reader(None, {}, {}, tmp_path / "reader.onnx")
