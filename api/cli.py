"""The `citeqa` command line: ingest, ask, delete, serve."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from tqdm import tqdm

from api.settings import ServiceSettings
from index.backend import IndexBusyError, IndexUnavailableError
from index.manifest import IndexMismatchError
from index.storage import slack_store_exists
from index.types import Filters
from qa.engine import Engine, open_engine_storage, result_dict
from qa.ingest.errors import SkippedInput
from qa.ingest.writer import WriteOutcome
from qa.passages.language import language_note
from qa.timeline.wording import time_note

app = typer.Typer(help="citeqa: ask questions of news articles, get cited quotes.",
                  no_args_is_help=True, add_completion=False)


@contextmanager
def _configuration_errors_exit() -> Iterator[None]:
    """Bad settings or an index built with another embedder: say so and exit 2."""
    try:
        yield
    except (IndexMismatchError, ValueError) as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(2) from None


def _engine() -> Engine:
    with _configuration_errors_exit():
        return Engine(ServiceSettings())


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")]) -> None:
    """Add articles (txt, md, html, json, jsonl) to the index."""
    engine = _engine()
    bar = tqdm(desc="ingest", unit="doc", file=sys.stderr)

    def progress(item: WriteOutcome | SkippedInput) -> None:
        bar.update(1)
        if isinstance(item, SkippedInput):
            tqdm.write(f"skipped {item.source}: {item.reason}", file=sys.stderr)

    try:
        report = engine.ingest(paths, progress)
    except IndexBusyError as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(3) from None
    finally:
        bar.close()
    typer.echo(f"added {len(report.added)}, replaced {len(report.replaced)}, "
               f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}")
    if report.skipped and not (report.added or report.replaced or report.unchanged):
        raise typer.Exit(1)


@app.command()
def ask(question: Annotated[str, typer.Argument(help="The question.")],
        top_k: Annotated[Optional[int], typer.Option("--top-k", min=1, max=50)] = None,
        document: Annotated[Optional[list[str]], typer.Option("--document", help="Only these ids.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the HTTP API's answer object.")] = False,
        as_of: Annotated[Optional[datetime], typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="Answer from what was published by this date (YYYY-MM-DD); "
                                                  "'last month' counts from it.")] = None,
        ) -> None:
    """Answer a question with cited quotes from the articles, newest first."""
    if not question.strip():
        typer.secho("error: the question is empty", fg="red", err=True)
        raise typer.Exit(2)
    engine = _engine()
    engine.ingest_sample_if_empty()
    result = engine.ask(question, top_k, Filters(document_ids=tuple(document)) if document else None,
                        as_of=as_of.date() if as_of is not None else None)
    if as_json:
        typer.echo(json.dumps(result_dict(result), ensure_ascii=False, indent=2))
        return
    if result.time_filter is not None:
        typer.echo(time_note(result.time_filter))
    typer.echo(result.answer)
    for n, a in enumerate(result.answers, start=1):
        where = a.url or a.source
        typer.echo(f"[{n}] {a.title} ({a.published or 'undated'}) {where} "
                   f"chars {a.start}-{a.end}, confidence {a.score:.2f}{language_note(a.lang, result.lang)}")
    if not result.answered and result.related:
        typer.echo("Closest passages:")
        for r in result.related:
            typer.echo(f"- {r.title} ({r.published or 'undated'}, chars {r.highlight_start}-{r.highlight_end}): "
                       f"“{r.highlight}”")


@app.command()
def delete(document_id: Annotated[str, typer.Argument(help="Document id.")]) -> None:
    """Remove a document from every index."""
    if not _engine().delete(document_id):
        typer.secho(f"error: no document with id {document_id!r}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"deleted {document_id}")


@app.command()
def serve(host: Annotated[Optional[str], typer.Option()] = None,
          port: Annotated[Optional[int], typer.Option(min=1, max=65535)] = None,
          workers: Annotated[Optional[int], typer.Option(min=1, help="Processes (default QA_WORKERS, 1).")] = None,
          ) -> None:
    """Start the HTTP service (ingests the sample corpus into an empty index)."""
    from api.server import OpenServiceRefused
    from api.server import serve as serve_http

    overrides = {k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None}
    try:
        serve_http(ServiceSettings().model_copy(update=overrides))
    except OpenServiceRefused as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(2) from None


@app.command("eval")
def evaluate(quick: Annotated[bool, typer.Option("--quick", help="Sample gold set only, with the regression gate.")] = False,
             out: Annotated[Path, typer.Option(help="Where the report, charts and index cache go.")] = Path("evals/out/report"),
             embedders: Annotated[Optional[list[str]], typer.Option("--embedder", help="Embedders for the public sets (repeatable; default: the configured one).")] = None,
             limit: Annotated[Optional[int], typer.Option(min=1, help="First N questions of each public set.")] = None,
             evaldata: Annotated[Optional[Path], typer.Option(exists=True, file_okay=False, help="Folder of the public sets, laid out as ../shared/evaldata "
                                                                   "(evals/data/slice: the vendored slice).")] = None,
             compare: Annotated[bool, typer.Option(help="Also measure the other reader (neural / lexical) side by side.")] = True,
             ) -> None:
    """Run the offline eval suite and write report.json, report.md and charts."""
    from evals.datasets.squad import EvalFiles
    from evals.suite import run

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = ServiceSettings()
    chosen = tuple(embedders) if embedders else (settings.embedder,)
    command = "citeqa eval" + (" --quick" if quick else "") + (f" --limit {limit}" if limit else "")
    if evaldata is not None:
        command += f" --evaldata {evaldata}"
    readers = ("neural", "lexical") if compare else ()
    outcome = run(settings, out, quick, chosen, limit, command, EvalFiles() if evaldata is None else EvalFiles(evaldata),
                  readers)
    for reader, summary in outcome.report["sample_gold_by_reader"].items():
        typer.echo(f"sample gold set, {reader} reader: answerable right {summary['answerable_right']}, unanswerable "
                   f"abstained {summary['unanswerable_abstained']}, follow-ups right {summary['followups_right']}")
    for gate in outcome.report["gate"]:
        if not gate["ok"]:
            typer.secho(f"below the gate: {gate['metric']} {gate['measured']} < {gate['gate']}", fg="red", err=True)
    typer.echo(f"report: {out / 'report.md'}")
    if not outcome.passed:
        raise typer.Exit(1)


@app.command()
def bench(quick: Annotated[bool, typer.Option("--quick", help="Small run (CI smoke test).")] = False,
          out: Annotated[Path, typer.Option(help="Where bench.json, bench.md and bench.png go.")] = Path("evals/out/bench"),
          scale: Annotated[Optional[str], typer.Option(help="Index sizes, comma-separated (default 10000,100000; "
                                                             "quick 10000).")] = None,
          soak: Annotated[Optional[float], typer.Option(min=1, help="Instead: a soak of this many seconds.")] = None,
          rate: Annotated[float, typer.Option(min=0.1, help="Asks per second during --soak.")] = 25.0,
          peers: Annotated[bool, typer.Option("--peers", help="Instead: txtai and Haystack side by side on "
                                                               "SQuAD (needs '.[peers]' and ../shared/evaldata).")] = False,
          questions: Annotated[int, typer.Option(min=1, help="Questions for --peers.")] = 200) -> None:
    """Benchmark ingest, /v1/ask latency, start-up and the index at scale on this machine."""
    from evals.bench.runner import run

    if soak is not None:
        _soak(soak, rate, out)
        return
    if peers:
        _peers(out, questions)
        return

    sizes = tuple(int(n) for n in scale.split(",")) if scale else ((10_000,) if quick else (10_000, 100_000))
    report = run(ServiceSettings(), out, quick, sizes)
    typer.echo((out / "bench.md").read_text())
    failed = sum(level["errors"] for level in report["serve"]["levels"].values())
    if failed:
        typer.secho(f"{failed} requests failed", fg="red", err=True)
        raise typer.Exit(1)


def _peers(out: Path, questions: int) -> None:
    from evals.bench import peers

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = peers.run(ServiceSettings(), out / "cache", questions)
    out.mkdir(parents=True, exist_ok=True)
    (out / "peers.json").write_text(json.dumps(rows, indent=2))
    (out / "peers.md").write_text(peers.markdown(rows))
    typer.echo((out / "peers.md").read_text())


def _soak(seconds: float, rate: float, out: Path) -> None:
    import tempfile

    from evals.bench import soak

    with tempfile.TemporaryDirectory() as tmp:
        result = soak.run(ServiceSettings(), Path(tmp), seconds, rate)
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps(result, indent=2))
    typer.echo(f"{result['requests']} requests in {seconds:.0f} s ({result['achieved_rate']}/s), "
               f"{result['errors']} errors; RSS {result['rss_mb'][0][1]} → {result['rss_mb'][-1][1]} MiB "
               f"(growth after 30 s: {result['rss_growth_after_30s_mb']} MiB)")
    if result["errors"]:
        raise typer.Exit(1)


feedback_app = typer.Typer(help="Feedback given on answers (Slack 👍/👎).", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(out: Annotated[Optional[Path], typer.Option(help="JSONL file (default: stdout).")] = None) -> None:
    """Every feedback click with its question and the answers judged, as JSON lines."""
    settings = ServiceSettings()
    if not slack_store_exists(settings):
        rows = []  # never create a store just to read it
    else:
        with _configuration_errors_exit():
            storage = open_engine_storage(settings)
        try:
            rows = list(storage.slack.feedback())
        finally:
            storage.close()
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if out is None:
        typer.echo(lines, nl=False)
    else:
        out.write_text(lines, encoding="utf-8")
        typer.echo(f"{len(rows)} feedback rows written to {out}", err=True)


def main() -> None:
    try:
        app()
    except IndexUnavailableError as err:  # a database outage: say so, no traceback
        typer.secho(f"error: {err}", fg="red", err=True)
        sys.exit(3)
