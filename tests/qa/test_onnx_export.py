"""The ONNX export helper: one file, written once, and nothing printed on stdout (`citeqa ask --json` is parsed)."""

import numpy as np
import torch

from qa.embedding.onnx_runtime import TOKEN_INPUTS, export_once, open_session, run_tokens


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
