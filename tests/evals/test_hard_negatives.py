"""Hard negatives for the reading model: nearby paragraphs' sentences that share the question's rare words."""

from __future__ import annotations

import numpy as np
import pytest

from evals.hard_negatives import NearNegatives
from evals.train_reader import training_pairs

SMALL = 0.2  # the toy article's words are all "rare" in a corpus of 35 sentences but "the"
FILLER = ["The committee met again in the spring.", "Several members were absent that day.",
          "Minutes were taken by the secretary.", "The meeting ended before noon."]


def _data() -> dict:
    """Six paragraphs of one source (an article) and one of another; one question about paragraph 2."""
    paragraphs = [{"src": "squad1", "sents": [f"Paragraph {n} says little.", *FILLER]} for n in range(6)]
    paragraphs[0]["sents"].append("Zanzibar exported cloves to Oman for centuries.")
    paragraphs[2]["sents"].append("Zanzibar's sultan moved his court there in 1840.")  # the answer
    paragraphs[3]["sents"].append("The sultan of Zanzibar ruled the clove trade.")
    paragraphs[4]["sents"].append("In 1840 the court of the Zanzibar sultan moved.")  # holds the answer text
    paragraphs.append({"src": "cmrc", "sents": ["The Zanzibar sultan court moved, said another source."]})
    questions = [{"q": "When did the Zanzibar sultan move his court?", "pos": [5], "role": "train", "a": ["1840"],
                  "p": 2}]
    return {"paragraphs": paragraphs, "questions": questions}


def test_the_nearest_lookalikes_come_first_and_never_hold_the_answer():
    picked = NearNegatives(_data(), span=3, common=SMALL).pick(0, 2)
    assert picked == [(3, 5), (0, 5)]  # "sultan", "zanzibar" beat "zanzibar" alone; paragraph 4 holds "1840"


def test_only_the_same_source_within_the_span_and_never_the_own_paragraph():
    data = _data()
    assert NearNegatives(data, span=1, common=SMALL).pick(0, 5) == [(3, 5)]
    assert all(p != 2 and data["paragraphs"][p]["src"] == "squad1"
               for p, _ in NearNegatives(data, 8, SMALL).pick(0, 9))


def test_words_in_most_sentences_make_no_sentence_a_lookalike():
    data = _data()
    data["questions"][0]["q"] = "When did the committee meet?"  # "committee" is in a sentence of every paragraph
    assert NearNegatives(data, common=SMALL).pick(0, 3)  # "committee": 6 of 35 sentences
    assert NearNegatives(data, common=0.1).pick(0, 3) == []


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="span must be > 0, got 0"):
        NearNegatives(_data(), span=0)
    with pytest.raises(ValueError, match=r"common must be in \(0, 1\], got 0"):
        NearNegatives(_data(), common=0)


def test_training_pairs_add_the_near_negatives_as_label_zero():
    data = _data()
    plain = training_pairs(data, 1.0, 0.0, seed=0)
    near = training_pairs(data, 1.0, 0.0, seed=0, near=2, hard=NearNegatives(data, common=SMALL))
    added = {tuple(r) for r in near.tolist()} - {tuple(r) for r in plain.tolist()}
    assert added == {(0, 3, 5, 0), (0, 0, 5, 0)}
    again = training_pairs(data, 1.0, 0.0, seed=0, near=2, hard=NearNegatives(data, common=SMALL))
    assert np.array_equal(again, near)  # deterministic
