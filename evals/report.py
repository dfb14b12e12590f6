"""Write an eval run's numbers: JSON (everything), Markdown (tables), PNG charts."""

from __future__ import annotations

import json
from pathlib import Path

from evals.gold_eval import Judged


def write_json(path: Path, report: dict) -> None:
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


def write_markdown(path: Path, report: dict) -> None:
    """The comparison tables, the targets with their gaps, and the failed questions."""
    lines = [f"# citeqa eval ({report['mode']})", "", f"Command: `{report['command']}`",
             f"Embedder: {report['embedder']}; store: {report.get('store', 'local')}", ""]
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
    gold = report["sample_gold"]
    lines += ["## Sample gold set", "", f"Threshold {gold['summary']['threshold']}.", "",
              "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in gold["summary"].items() if not isinstance(v, dict)]
    lines += ["", "| question kind | right |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in gold["summary"]["per_kind"].items()]
    for name, table in report.get("tables", {}).items():
        lines += ["", f"## {name}", "", "| " + " | ".join(table["columns"]) + " |",
                  "|" + "---|" * len(table["columns"])]
        lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in table["rows"]]
    lines += ["", "## Failed questions (sample gold set)", "", "| id | question | confidence | answered instead |",
              "|---|---|---|---|"]
    lines += [f"| {f['id']} | {f['question']} | {f['confidence']} | {_cell(f['answered'])} |"
              for f in gold["failures"]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_charts(directory: Path, judged: list[Judged], summary: dict) -> list[str]:
    """Risk-coverage and per-question-type accuracy charts; returns the file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    coverage, risk = risk_coverage(judged)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(coverage, risk, marker=".")
    ax.set_xlabel("coverage (share of questions answered)")
    ax.set_ylabel("risk (share of those answers wrong)")
    ax.set_title("Risk-coverage, sample gold set")
    fig.tight_layout()
    fig.savefig(directory / "risk_coverage.png", dpi=110)
    plt.close(fig)
    kinds = summary["per_kind"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(list(kinds), [v or 0.0 for v in kinds.values()])
    ax.set_ylim(0, 1)
    ax.set_ylabel("right")
    ax.set_title("Right answers (or abstentions) by question kind")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(directory / "per_kind.png", dpi=110)
    plt.close(fig)
    return ["risk_coverage.png", "per_kind.png"]


def risk_coverage(judged: list[Judged]) -> tuple[list[float], list[float]]:
    """Answer the most confident questions first: coverage vs error rate among the answered."""
    ranked = sorted(judged, key=lambda j: -j.confidence)
    coverage, risk, wrong = [], [], 0
    for n, j in enumerate(ranked, start=1):
        wrong += not (j.answerable and j.right_at_1)
        coverage.append(n / len(ranked))
        risk.append(wrong / n)
    return coverage, risk


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "–" if value is None else str(value)


def _cell(text: str | None) -> str:
    return "(abstained)" if text is None else text[:120].replace("|", "\\|").replace("\n", " ")
