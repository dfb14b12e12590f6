"""Write an eval run's numbers: JSON (everything), Markdown (tables), PNG charts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def write_json(path: Path, report: dict) -> None:
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


def write_markdown(path: Path, report: dict) -> None:
    """The comparison tables, the targets with their gaps, and the failed questions."""
    lines = [f"# citeqa eval ({report['mode']})", "", f"Command: `{report['command']}`",
             f"Embedder: {report['embedder']}; reader: {report.get('reader', 'neural')}; "
             f"store: {report.get('store', 'local')}", ""]
    if report.get("gate"):
        lines += ["## Regression gate", "", "| metric | measured | gate | ok |", "|---|---|---|---|"]
        lines += [f"| {g['metric']} | {g['measured']} | ≥ {g['gate']} | {'yes' if g['ok'] else 'NO'} |"
                  for g in report["gate"]]
        lines.append("")
    if report.get("targets"):
        lines += ["## Targets", "", "| target | measured | wanted | gap |", "|---|---|---|---|"]
        lines += [f"| {t['metric']} | {_fmt(t['measured'])} | ≥ {t['wanted']} | {_fmt(t['gap'])} |"
                  for t in report["targets"]]
        lines.append("")
    by_reader = report.get("sample_gold_by_reader", {})
    if len(by_reader) > 1:
        keys = ("threshold", "answerable_right", "answerable_right_at_1_ignoring_threshold", "unanswerable_abstained",
                "followups_right")
        lines += ["## Sample gold set by reader", "", "| reader | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        lines += [f"| {r} | " + " | ".join(_fmt(s.get(k)) for k in keys) + " |" for r, s in by_reader.items()]
        lines.append("")
    gold = report["sample_gold"]
    lines += ["## Sample gold set", "", f"Reader {report.get('reader', 'neural')}, threshold "
              f"{gold['summary']['threshold']}.", "",
              "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in gold["summary"].items() if not isinstance(v, dict)]
    lines += ["", "| question kind | right |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in gold["summary"]["per_kind"].items()]
    lines += _time_lines(report.get("time_questions"))
    for name, table in report.get("tables", {}).items():
        lines += ["", f"## {name}", "", "| " + " | ".join(table["columns"]) + " |",
                  "|" + "---|" * len(table["columns"])]
        lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in table["rows"]]
    lines += ["", "## Failed questions (sample gold set)", "", "| id | question | confidence | answered instead |",
              "|---|---|---|---|"]
    lines += [f"| {f['id']} | {f['question']} | {f['confidence']} | {_cell(f['answered'])} |"
              for f in gold["failures"]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _time_lines(timed: dict | None) -> list[str]:
    """The time questions per split, and first-quote accuracy at each newest-first margin."""
    if not timed:
        return []
    splits = list(timed["summary"])
    keys = [k for k in timed["summary"]["all"] if k != "questions"]
    lines = ["", "## Time questions (evals/data/time)", "", f"Newest-first margin {timed['margin']}.", "",
             "| metric | " + " | ".join(f"{s} ({timed['summary'][s]['questions']})" for s in splits) + " |",
             "|---|" + "---|" * len(splits)]
    lines += [f"| {k} | " + " | ".join(_fmt(timed["summary"][s][k]) for s in splits) + " |" for k in keys]
    lines += ["", "| margin | right@1 tune | right@1 test |", "|---|---|---|"]
    lines += [f"| {m} | {_fmt(v['tune'])} | {_fmt(v['test'])} |" for m, v in timed["by_margin"].items()]
    return lines


def write_charts(directory: Path, curves: dict[str, tuple[list[float], list[float]]],
                 per_kind: dict[str, float | None]) -> list[str]:
    """Risk-coverage (one line per set) and per-question-type accuracy charts; returns the file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for name, (coverage, risk) in curves.items():
        ax.plot(coverage, risk, label=name)
    ax.set_xlabel("coverage (share of questions answered)")
    ax.set_ylabel("risk (share of those answers wrong)")
    ax.set_title("Risk-coverage: most confident answered first")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(directory / "risk_coverage.png", dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(list(per_kind), [v or 0.0 for v in per_kind.values()])
    ax.set_ylim(0, 1)
    ax.set_ylabel("right")
    ax.set_title("Right answers (or abstentions) by question kind")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(directory / "per_kind.png", dpi=110)
    plt.close(fig)
    return ["risk_coverage.png", "per_kind.png"]


def risk_coverage(confidences: Sequence[float], right: Sequence[bool],
                  points: int = 200) -> tuple[list[float], list[float]]:
    """Answer the most confident questions first: coverage vs error rate among the answered
    (`right[i]`: question i's top answer is right; an unanswerable question's never is), at
    most `points` points, the last always kept."""
    order = np.argsort(-np.asarray(confidences, dtype=float), kind="stable")
    wrong = np.cumsum(~np.asarray(right, dtype=bool)[order])
    answered = np.arange(1, len(order) + 1)
    keep = np.unique(np.linspace(0, len(order) - 1, min(points, len(order))).round().astype(int))
    return (answered[keep] / len(order)).tolist(), (wrong[keep] / answered[keep]).tolist()


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "–" if value is None else str(value)


def _cell(text: str | None) -> str:
    return "(abstained)" if text is None else text[:120].replace("|", "\\|").replace("\n", " ")
