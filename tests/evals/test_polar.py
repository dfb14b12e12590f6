"""Yes/no training questions made from answerable wh-questions."""

from __future__ import annotations

import numpy as np
import pytest

from evals import train_reader
from evals.polar import polar, polar_heldout, polar_questions, polar_rows


@pytest.mark.parametrize(("question", "answer", "expected"), [
    ("When did Beyonce start becoming popular?", "late 1990s", "Did Beyonce start becoming popular in late 1990s?"),
    ("When did Beyonce start becoming popular?", None, "Did Beyonce start becoming popular?"),
    ("In what year did the Dutch give New York back to the English?", "1674",
     "Did the Dutch give New York back to the English in 1674?"),
    ("What is the name of Beyoncé's alter-ego?", "Sasha Fierce", "Is the name of Beyoncé's alter-ego Sasha Fierce?"),
    ("What form of government does Portugal maintain?", "a republic", "Does Portugal maintain a republic?"),
    ("Where did the Yongle Emperor greet the Karmapa?", "Nanjing", "Did the Yongle Emperor greet the Karmapa in Nanjing?"),
    ("How many chapels are on the Notre Dame campus?", "57", "Are there 57 chapels on the Notre Dame campus?"),
    ("How many airports does Tajikistan have?", "26 airports", "Does Tajikistan have 26 airports?"),
    ("How many airports does Tajikistan have?", None, "Does Tajikistan have many airports?"),
    ("How many volumes is the biography of Whitehead?", "two", "Is the biography of Whitehead two volumes?"),
    ("Why were dogs initially selected?", "for their behaviour", "Were dogs initially selected?"),
    ("What party did Michael Foot become a leader of?", None, "Did Michael Foot become a leader?"),
])
def test_a_wh_question_becomes_the_claim_it_asks_about(question, answer, expected):
    assert polar(question, answer) == expected


@pytest.mark.parametrize(("question", "answer"), [
    ("Who won this season of Idol?", "Candice Glover"),  # a subject question: no auxiliary to invert
    ("What weapon can transform Link back to his original self?", "Master Sword"),  # the wh-phrase is the subject
    ("Beyonce's younger sibling also sang with her in what band?", "Destiny's Child"),  # not wh-first
    ("What is a single coat?", None),  # without its answer a copular question says nothing
    ("Does Hungary support Rutte?", None),  # already yes/no
])
def test_questions_that_do_not_invert_give_none(question, answer):
    assert polar(question, answer) is None


def test_a_long_answer_is_left_out_of_the_claim():
    answer = "the political party that commands a majority of seats in the lower house"
    assert polar("When was the prime minister chosen?", answer) == "Was the prime minister chosen?"


def _data() -> dict:
    paragraphs = [{"src": "squad1", "sents": ["Beyonce rose to fame in the late 1990s.", "She sang."]},
                  {"src": "squad2dev", "sents": ["Beyonce rose to fame in the late 1990s."]},
                  {"src": "cmrc", "sents": ["范廷颂是越南罗马天主教枢机。"]}]
    questions = [{"q": "When did Beyonce rise to fame?", "pos": [0], "role": "train", "a": ["late 1990s"], "p": 0},
                 {"q": "When did Beyonce rise to fame?", "pos": [0], "role": "train", "a": ["late 1990s"], "p": 1},
                 {"q": "When did nobody sing?", "pos": [], "role": "train", "a": [], "p": 0},
                 {"q": "Who sang?", "pos": [1], "role": "train", "a": ["She"], "p": 0},
                 {"q": "范廷颂是什么职务？", "pos": [0], "role": "train", "a": ["枢机"], "p": 2}]
    return {"paragraphs": paragraphs, "questions": questions}


def test_each_yes_no_copy_repeats_its_originals_rows_with_the_same_labels():
    data = _data()
    rows = np.array([[0, 0, 0, 1], [0, 0, 1, 0], [1, 1, 0, 1], [2, 0, 0, 0], [3, 0, 1, 1], [4, 2, 0, 1]],
                    dtype=np.int64)
    more, out = polar_rows(data, rows, 1.0, seed=3)
    assert len(data["questions"]) == 5  # the data given is not changed
    added = more["questions"][5:]
    # English and answerable only; "Who sang?" has no auxiliary to invert
    assert [(q["role"], q["pos"], q["from"], q["p"]) for q in added] == [("polar", [0], 0, 0), ("polar", [0], 1, 1)]
    assert added[0]["q"] in {"Did Beyonce rise to fame?", "Did Beyonce rise to fame in late 1990s?"}
    assert sorted(map(tuple, out.tolist())) == sorted([*map(tuple, rows.tolist()), (5, 0, 0, 1), (5, 0, 1, 0),
                                                      (6, 1, 0, 1)])
    again = polar_rows(data, rows, 1.0, seed=3)
    assert again[0]["questions"] == more["questions"] and np.array_equal(again[1], out)


def test_the_share_is_sampled_with_the_seed_and_half_carry_their_answer():
    many = {"paragraphs": [{"src": "squad1", "sents": ["s"]}],
            "questions": [{"q": "When did Beyonce rise to fame?", "pos": [0], "role": "train", "a": ["late 1990s"],
                           "p": 0}] * 400}
    asked = polar_questions(many, range(400), 0.5, seed=1)
    assert 160 < len(asked) < 240 and asked == polar_questions(many, range(400), 0.5, seed=1)
    assert 0.35 < np.mean([t.endswith("in late 1990s?") for t in asked.values()]) < 0.65


def test_share_zero_changes_nothing_and_a_bad_share_is_refused(capsys):
    data, rows = _data(), np.array([[0, 0, 0, 1]], dtype=np.int64)
    assert polar_rows(data, rows, 0.0, 0) == (data, rows)
    with pytest.raises(ValueError, match="share must be within \\[0, 1\\], got 1.5"):
        polar_rows(data, rows, 1.5, 0)
    with pytest.raises(SystemExit):
        train_reader.main(["--polar", "2"])
    assert "--polar must be within [0, 1], got 2.0" in capsys.readouterr().err


def test_held_out_yes_no_questions_are_the_held_out_ones_that_convert():
    data = _data()
    data["questions"] = [{**q, "role": "heldout"} for q in data["questions"]]
    asked = polar_heldout(data, 10)
    assert asked == {0: "Did Beyonce rise to fame in late 1990s?", 1: "Did Beyonce rise to fame in late 1990s?"}
    assert polar_heldout(data, 0) == {}
