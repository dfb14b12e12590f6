"""Unanswerable training questions made by swapping a name or number of an answerable one."""

from __future__ import annotations

import numpy as np
import pytest

from evals.reader_checkpoint import fingerprint
from evals.train_reader import build_parser
from evals.unanswerable import names, numbers, swap, swapped_rows

ANSWER = "In 2003 Beyoncé released Dangerously in Love with Columbia Records."
NEARBY = ["Later she toured Europe.", "Jay Z produced the album in 1998 for Def Jam.", ANSWER,
          "Beyonce sang for Kelly Rowland at the Grammy Awards on Sunday."]


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def test_names_drop_question_words_possessives_and_a_lone_first_word_of_a_sentence():
    assert names("What did Beyoncé's label, Columbia Records, release?") == ["Beyoncé", "Columbia Records"]
    assert names("Later she toured Europe.", skip_first_word=True) == ["Europe"]
    assert names("Later she toured Europe.") == ["Later", "Europe"]
    assert numbers("In 1858, 1,200 pilgrims paid 3.5 francs.") == ["1858", "1,200", "3.5"]


def test_a_year_in_the_answer_sentence_is_swapped_for_another_year_nearby():
    assert swap("What did Beyoncé release in 2003?", [ANSWER], NEARBY[:2], _rng()) in {
        "What did Beyoncé release in 1998?", "What did Jay release in 2003?", "What did Europe release in 2003?",
        "What did Def Jam release in 2003?"}
    assert swap("What did she release in 2003?", [ANSWER], NEARBY[:2], _rng()) == "What did she release in 1998?"


def test_a_name_is_swapped_for_one_of_as_many_words_that_the_answer_does_not_hold():
    question = "Which label released Beyoncé's album with Columbia Records?"
    swapped = {swap(question, [ANSWER], NEARBY, np.random.default_rng(s)) for s in range(60)}
    assert swapped == {"Which label released Beyoncé's album with Def Jam?",
                       "Which label released Beyoncé's album with Jay Z?",
                       "Which label released Beyoncé's album with Kelly Rowland?",
                       "Which label released Beyoncé's album with Grammy Awards?",
                       "Which label released Europe's album with Columbia Records?"}


def test_nothing_to_swap_gives_none():
    assert swap("What did the singer release?", [ANSWER], NEARBY, _rng()) is None  # nothing shared with the answer
    assert swap("Who recorded in 2003?", [ANSWER], ["No other years here."], _rng()) is None  # no other year
    # the only other name is the same one without its accent
    assert swap("What did Beyoncé release?", [ANSWER], [ANSWER, "Beyonce smiled."], _rng()) is None


def _data() -> dict:
    paragraphs = [{"src": "squad1", "sents": [ANSWER, NEARBY[1]]}, {"src": "squad2dev", "sents": [ANSWER]}]
    questions = [{"q": "What did Beyoncé release in 2003?", "pos": [0], "role": "train", "a": ["x"], "p": 0},
                 {"q": "What did Beyoncé release in 2003?", "pos": [0], "role": "train", "a": ["x"], "p": 1},
                 {"q": "What did nobody release?", "pos": [], "role": "train", "a": [], "p": 0}]
    return {"paragraphs": paragraphs, "questions": questions}


def test_each_swapped_copy_is_a_negative_against_its_original_answer_sentences_only():
    data = _data()
    rows = np.array([[0, 0, 0, 1], [0, 0, 1, 0], [1, 1, 0, 1], [2, 0, 0, 0]], dtype=np.int64)
    more, out = swapped_rows(data, rows, 1.0, seed=3)
    assert len(data["questions"]) == 3  # the data given is not changed
    added = more["questions"][3:]
    assert [(q["role"], q["pos"], q["from"]) for q in added] == [("swapped", [], 0)]  # SQuAD v1.1, answerable only
    assert added[0]["q"] != data["questions"][0]["q"]
    assert sorted(map(tuple, out.tolist())) == sorted([*map(tuple, rows.tolist()), (3, 0, 0, 0)])
    again = swapped_rows(data, rows, 1.0, seed=3)
    assert again[0]["questions"] == more["questions"] and np.array_equal(again[1], out)


def test_share_zero_changes_nothing_and_a_bad_share_is_refused():
    data, rows = _data(), np.array([[0, 0, 0, 1]], dtype=np.int64)
    assert swapped_rows(data, rows, 0.0, 0) == (data, rows)
    with pytest.raises(ValueError, match="share must be within \\[0, 1\\], got 1.5"):
        swapped_rows(data, rows, 1.5, 0)


def test_checkpoints_record_the_swap_only_when_it_is_on():
    assert "swap" not in fingerprint(build_parser().parse_args([]))
    assert fingerprint(build_parser().parse_args(["--swap", "0.5"]))["swap"] == 0.5
