"""The reading model's training material: SQuAD paragraphs split as the service splits them.

    python -m evals.reader_data [--out evals/out/reader-data.json.gz] [--evaluation]

Reads the training side only: SQuAD v1.1 train and CMRC 2018 train (Chinese,
../shared/traindata) and the SQuAD 2.0 dev half's training articles (even
positions, minus paragraphs XQuAD shares). Every paragraph is split into sentences with the service's own
splitter (`qa.passages.sentences`), so the model trains on the candidates it
will read; each question keeps the indices of the sentences that overlap its
answer. Each question is tagged with its role:

- `train`: the reading model learns from it;
- `heldout`: every 20th SQuAD v1.1 article and every 20th CMRC article, to report
  and compare trained models;
- `calib`: every 3rd dev-half training article and every 20th CMRC article (the
  next one), never trained on, to calibrate confidence and choose the abstention
  threshold (`evals.calibrate_reader`).

SQuAD v1.1's reconstructed offsets are first occurrences: a question whose
answer text occurs more than once in its paragraph is dropped rather than
labelled by a guess.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the trainer loads prepared files on machines without the ingest stack
    from evals.datasets import squad

TRAINDATA = Path(__file__).resolve().parents[2] / "shared" / "traindata"
SQUAD_TRAIN = "squad-v1.1-train.reconstructed.json.gz"
CMRC_TRAIN = "cmrc2018_train.json.gz"
DEFAULT_OUT = Path("evals/out/reader-data.json.gz")
EVAL_OUT = Path("evals/out/reader-eval.json.gz")
FORMAT = 3  # 3: questions keep their answer texts ("a"), to keep them out of hard negatives
HELDOUT_EVERY = 20
CALIB_EVERY = 3
log = logging.getLogger("reader_data")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of a paragraph, as the service splits it."""
    from qa.passages.sentences import split_sentences

    return [(s.start, s.end) for s in split_sentences("p", text)]


def overlapping(spans: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indices of the sentences that share a character with [start, end)."""
    return [i for i, (a, b) in enumerate(spans) if a < end and start < b]


def _squad_v1(path: Path) -> list[tuple[str, dict, str]]:
    """(source, paragraph, role) of SQuAD v1.1 train."""
    data = json.loads(gzip.open(path, "rt", encoding="utf-8").read())["data"]
    return [("squad1", p, "heldout" if n % HELDOUT_EVERY == HELDOUT_EVERY - 1 else "train")
            for n, article in enumerate(data) for p in article["paragraphs"]]


def _cmrc(path: Path) -> list[tuple[str, dict, str]]:
    """(source, paragraph, role) of CMRC 2018 train."""
    data = json.loads(gzip.open(path, "rt", encoding="utf-8").read())["data"]
    roles = {HELDOUT_EVERY - 1: "heldout", HELDOUT_EVERY - 2: "calib"}
    return [("cmrc", p, roles.get(n % HELDOUT_EVERY, "train")) for n, article in enumerate(data)
            for p in article["paragraphs"]]


def _dev_half_train(files: squad.EvalFiles) -> list[tuple[str, dict, str]]:
    """(source, paragraph, role) of the SQuAD 2.0 dev half's training articles."""
    from evals.datasets import squad

    shared = squad.paragraph_texts(files.xquad("en"))
    data = json.loads(files.squad_dev_half.read_text(encoding="utf-8"))["data"]
    training = [a for position, a in enumerate(data) if position % 2 == 0]
    return [("squad2dev", p, "calib" if n % CALIB_EVERY == CALIB_EVERY - 1 else "train")
            for n, article in enumerate(training) for p in article["paragraphs"] if p["context"] not in shared]


def _paragraph_record(job: tuple[str, dict, str]) -> tuple[dict, list[dict], int]:
    """One paragraph's sentences and its questions' labels; also how many questions were dropped."""
    source, paragraph, role = job
    text = paragraph["context"]
    spans = sentence_spans(text)
    questions, dropped = [], 0
    for qa in paragraph["qas"]:
        answers = [] if qa.get("is_impossible") else qa["answers"]
        if source in ("squad1", "cmrc") and any(text.count(a["text"]) != 1 for a in answers):
            dropped += 1
            continue
        positive = sorted({i for a in answers
                           for i in overlapping(spans, a["answer_start"], a["answer_start"] + len(a["text"]))})
        if answers and not positive:
            dropped += 1
            continue
        questions.append({"q": qa["question"], "pos": positive, "role": role,
                          "a": sorted({a["text"] for a in answers})})
    return {"src": source, "sents": [text[a:b] for a, b in spans]}, questions, dropped


def build(jobs: list[tuple[str, dict, str]], workers: int = 2) -> dict:
    """Every paragraph's sentences and every question's positives."""
    paragraphs, questions, dropped = [], [], 0
    with ProcessPoolExecutor(workers) as pool:
        for n, (paragraph, asked, lost) in enumerate(pool.map(_paragraph_record, jobs, chunksize=64)):
            paragraphs.append(paragraph)
            questions.extend({**q, "p": n} for q in asked)
            dropped += lost
            if n % 2000 == 0:
                log.info("%d/%d paragraphs", n, len(jobs))
    return {"format": FORMAT, "paragraphs": paragraphs, "questions": questions, "dropped": dropped}


def _eval_splits(files: squad.EvalFiles) -> list[tuple[str, dict, str]]:
    """(source, paragraph, role) of the evaluation splits: to report in-paragraph reading, never to train."""
    dev = json.loads(files.squad_dev_half.read_text(encoding="utf-8"))["data"]
    xquad = json.loads(files.xquad("en").read_text(encoding="utf-8"))["data"]
    xquad_zh = json.loads(files.xquad("zh").read_text(encoding="utf-8"))["data"]
    return ([("squad2dev", p, "squad2-dev-half-eval") for position, a in enumerate(dev) if position % 2
             for p in a["paragraphs"]] + [("xquad", p, "xquad-en") for a in xquad for p in a["paragraphs"]]
            + [("xquad", p, "xquad-zh") for a in xquad_zh for p in a["paragraphs"]])


def load(path: Path) -> dict:
    """A prepared file; refuses another format."""
    data = json.loads(gzip.open(path, "rt", encoding="utf-8").read())
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: reader data format {data.get('format')}, expected {FORMAT}; prepare it again")
    return data


def prepare(out: Path, traindata: Path = TRAINDATA, evaldata: Path | None = None, evaluation: bool = False) -> Path:
    """Write the prepared training file (`evaluation`: the evaluation splits' file) to `out`, atomically."""
    from evals.datasets import squad

    files = squad.EvalFiles(squad.SHARED if evaldata is None else evaldata)
    data = build(_eval_splits(files) if evaluation else
                 _squad_v1(traindata / SQUAD_TRAIN) + _dev_half_train(files) + _cmrc(traindata / CMRC_TRAIN))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    tmp.replace(out)
    roles = {}
    for q in data["questions"]:
        roles[q["role"]] = roles.get(q["role"], 0) + 1
    log.info("%d paragraphs, questions by role %s, %d dropped: %s", len(data["paragraphs"]), roles,
             data["dropped"], out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help=f"default {DEFAULT_OUT} ({EVAL_OUT} with --evaluation)")
    parser.add_argument("--evaluation", action="store_true", help="prepare the evaluation splits instead "
                                                                  "(in-paragraph reading, reported by the trainer)")
    parser.add_argument("--traindata", type=Path, default=TRAINDATA, help="folder laid out as ../shared/traindata")
    parser.add_argument("--evaldata", type=Path, default=None, help="folder laid out as ../shared/evaldata")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = args.out if args.out is not None else EVAL_OUT if args.evaluation else DEFAULT_OUT
    prepare(out, args.traindata, args.evaldata, args.evaluation)


if __name__ == "__main__":
    main()
