"""The calibration sets (training side only) and what the reading model makes of their questions.

The SQuAD 2.0 dev half's calibration articles (every 3rd training article, never
trained on) asked of an index of all the dev half's training articles; SQuAD v1.1's
held-out training articles (every 20th) asked of their own index; for a reader of
Chinese also CMRC 2018's calibration articles asked of theirs (`evals.calibrate_reader`).
"""

from __future__ import annotations

import argparse
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.corpus_index import corpus_engine
from evals.datasets import squad
from evals.reader_data import CALIB_EVERY, CMRC_TRAIN, HELDOUT_EVERY, SQUAD_TRAIN
from evals.squad_metrics import contains_answer
from qa.answer.reading.neural import PairModel
from qa.ingest.readers import RawArticle


@dataclass(frozen=True)
class Asked:
    """One question's lexical best `depth` candidates, best first, with what the model read."""

    answerable: bool
    labels: np.ndarray
    rank_gap: np.ndarray
    lexical: np.ndarray
    logits: np.ndarray


def collect(engine, items, model: PairModel, depth: int, top_n: int) -> list[Asked]:
    """Every question's best `depth` lexical candidates, labelled and read: the best `top_n` in one
    batch, as the service reads them, the others after (int8 readings depend on the batch)."""
    lexical = engine.pipeline.answerer.reader  # the engine is opened with the lexical reader
    out = []
    for item in items:
        _, found, features = engine.pipeline.answerer.featurize(item.question)
        if not found.candidates:
            out.append(Asked(item.answerable, *(np.zeros(0),) * 4))
            continue
        reading = lexical.read(item.question, found.candidates, features)
        top = np.argsort(-reading.ranks, kind="stable")[:depth]
        texts = [found.candidates[i].text for i in top]
        labels = np.array([item.answerable and contains_answer(t, item.answers) for t in texts], dtype=float)
        out.append(Asked(item.answerable, labels, reading.ranks[top] - reading.ranks.max(),
                         reading.confidences[top], read_as_served(model, item.question, texts, top_n)))
    return out


def read_as_served(model: PairModel, question: str, texts: list[str], top_n: int) -> np.ndarray:
    """The logits of `texts`, the first `top_n` read in one batch as the service reads them, the rest in another.

    Where `read_within` trims a question's best `top_n`, the service's batch is
    smaller still; reading every possible batch would cost `top_n` times the reading."""
    return np.concatenate([model.logits(question, texts[:top_n]), model.logits(question, texts[top_n:])])


def dev_half_calibration(files: squad.EvalFiles) -> tuple[squad.QASet, tuple]:
    """The dev half's training articles as a corpus, and the questions of its calibration articles."""
    data = squad.load(files.squad_dev_half, "squad-train", "train", exclude_texts=squad.paragraph_texts(files.xquad("en")))
    raw = json.loads(files.squad_dev_half.read_text(encoding="utf-8"))["data"]
    training = [a["title"] for position, a in enumerate(raw) if position % 2 == 0]
    calib = {title for n, title in enumerate(training) if n % CALIB_EVERY == CALIB_EVERY - 1}
    return data, tuple(i for i in data.items if i.paragraph_key.split(":")[1] in calib)


def cmrc_calibration(traindata: Path) -> squad.QASet:
    """CMRC 2018's calibration articles (`evals.reader_data`: never trained on) as a corpus of their own."""
    return _every_20th(traindata / CMRC_TRAIN, "cmrc-calib", HELDOUT_EVERY - 2)


def squad_v1_heldout(traindata: Path) -> squad.QASet:
    """SQuAD v1.1's held-out training articles (answerable questions) as a corpus of their own."""
    return _every_20th(traindata / SQUAD_TRAIN, "squad1-heldout", HELDOUT_EVERY - 1)


def _every_20th(path: Path, name: str, position: int) -> squad.QASet:
    """The articles of a gzipped SQuAD-format training file at `position` modulo HELDOUT_EVERY, with their questions."""
    data = json.loads(gzip.open(path, "rt", encoding="utf-8").read())["data"]
    articles, items = [], []
    for n, article in enumerate(data):
        if n % HELDOUT_EVERY != position:
            continue
        title = str(article.get("title", n))
        for p, paragraph in enumerate(article["paragraphs"]):
            key = f"{name}:{title}:{p}"
            articles.append(RawArticle(key=key, body=paragraph["context"], title=title.replace("_", " "),
                                       markdown=False))
            items.extend(squad.QAItem(qa["id"], qa["question"], tuple(dict.fromkeys(a["text"] for a in qa["answers"])),
                                      key) for qa in paragraph["qas"])
    return squad.QASet(name, tuple(articles), tuple(items))


def readings(model: PairModel, args: argparse.Namespace) -> dict[str, list[Asked]]:
    """The calibration sets' questions, each asked of its corpus and its best `--depth` candidates read."""
    def asked(corpus: squad.QASet, items) -> list[Asked]:
        engine = corpus_engine(corpus, args.embedder, args.cache, reader="lexical")
        return collect(engine, items, model, args.depth, args.top_n)

    corpus, calib_items = dev_half_calibration(squad.EvalFiles(args.evaldata))
    v1 = squad_v1_heldout(args.traindata)
    sets = {"dev-half calibration articles": asked(corpus, calib_items),
            "SQuAD v1.1 held-out articles": asked(v1, v1.items[:args.heldout_questions])}
    if "zh" in model.settings.get("languages", ["en"]):
        chinese = cmrc_calibration(args.traindata)
        sets["CMRC 2018 calibration articles"] = asked(chinese, chinese.items)
    return sets
