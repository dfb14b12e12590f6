"""The MiniLM choice: its ONNX question encoder (the torch model's vectors, exported once, reused)
and its own answer scorer, end to end on the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support.citations import assert_cited
from support.settings import DATA, make_settings

from qa.embedding.minilm import MiniLMEmbedder
from qa.embedding.onnx_query import OnnxQueryEncoder
from qa.engine import Engine, result_dict

pytestmark = pytest.mark.model

QUESTIONS = ["Why did Hungary drop its objection?", "When does Stoltenberg's contract expire?",
             "谁是北约秘书长？", "How many member states does NATO have " + "and what " * 60 + "?"]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def onnx_minilm(onnx_cache) -> MiniLMEmbedder:
    embedder = MiniLMEmbedder(cache_dir=onnx_cache)
    embedder.warm()
    return embedder


def test_onnx_question_vectors_equal_the_torch_model(onnx_minilm):
    torch_only = MiniLMEmbedder()
    onnx_vectors = onnx_minilm.encode_query(QUESTIONS)
    assert onnx_vectors.shape == (len(QUESTIONS), 384)
    np.testing.assert_allclose(onnx_vectors, torch_only.encode_query(QUESTIONS), atol=1e-4)
    # Documents still go through sentence-transformers.
    assert np.allclose(onnx_minilm.encode_documents(QUESTIONS[:1]), torch_only.encode_documents(QUESTIONS[:1]))


def test_the_export_is_one_finished_file_reused_by_the_next_process(onnx_minilm, onnx_cache):
    files = sorted(p.name for p in onnx_cache.iterdir())
    assert len(files) == 1 and files[0].endswith(".onnx"), files  # no temporary file left behind
    exported = onnx_cache / files[0]
    before = exported.stat().st_mtime_ns
    again = MiniLMEmbedder(cache_dir=onnx_cache)
    assert np.allclose(again.encode_query(QUESTIONS[:1]), onnx_minilm.encode_query(QUESTIONS[:1]), atol=1e-6)
    assert exported.stat().st_mtime_ns == before and len(list(onnx_cache.iterdir())) == 1


def test_only_mean_pooled_models_and_positive_threads_are_accepted(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    with pytest.raises(ValueError, match="mean pooling only"):
        OnnxQueryEncoder(tmp_path, tmp_path / "cache")
    with pytest.raises(ValueError, match="threads must be > 0, got 0"):
        OnnxQueryEncoder(tmp_path, tmp_path / "cache", threads=0)


def test_minilm_answers_the_sample_with_cited_quotes(tmp_path_factory, onnx_cache):
    engine = Engine(make_settings(tmp_path_factory.mktemp("minilm-index"), embedder="minilm",
                                  model_cache_dir=onnx_cache))
    engine.ingest([DATA])
    result = result_dict(engine.ask("When does Stoltenberg's contract expire?"))
    assert_cited(result, lambda doc_id: engine.document(doc_id).text)
    assert result["answered"] and "contract expires on October 1" in result["answers"][0]["text"]
