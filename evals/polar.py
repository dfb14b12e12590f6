"""Yes/no training questions made from answerable ones: the question turned into the claim it asks about.

People ask news "Does Hungary support Rutte's bid?" as often as "Who supports Rutte's bid?", and
the sentence that settles it ("Hungary has abandoned its opposition ...") is the answer to quote.
SQuAD holds almost none of them (51 of 4,505 held-out questions, most "X or Y?" choices), so the
reader is unsure of such questions even when it ranks the right sentence first. This makes them
from the English answerable training questions (SQuAD v1.1's and the dev half's): a wh-question
with an auxiliary is inverted around it and, half the time, its answer put where the wh-phrase
stood ("When did Beyonce start becoming popular?", "late 1990s" → "Did Beyonce start becoming
popular in late 1990s?" or "Did Beyonce start becoming popular?").
Its answer sentences stay its positives: they settle the claim, whichever way. Subject questions
("Who founded ...?") would need the verb's base form and are left out.
"""

from __future__ import annotations

import re

import numpy as np

AUXILIARIES = frozenset("did does do was were is are has have had can could will would should may might must".split())
_WH = frozenset("what which who whom whose when where why how".split())
_LEADING_PREPOSITIONS = frozenset("in on at for from by to with during after before since of under".split())
_COPULAS = frozenset("is are was were".split())
_PLACE_OR_TIME = frozenset("when where".split())
_TIME_NOUNS = frozenset("year years date day month century decade time period era season".split())
_SUBJECT_STARTS = frozenset("the a an this that these those his her its their our my your some many most all any "
                            "each every both several few he she it they we i you there one two three four five ten "
                            "no such other another much more".split())
MAX_ANSWER_WORDS = 8  # a longer answer makes a claim no one would ask about; the yes/no form goes without it
ENGLISH = frozenset(("squad1", "squad2dev"))
MAX_WH_WORDS = 4  # a longer run before the auxiliary is a subject question ("What city in Texas has ...")
_WORD = re.compile(r"\S+")


def polar(question: str, answer: str | None) -> str | None:
    """`question` as a yes/no question, with `answer` in the wh-phrase's place when given and the phrase
    allows it; None when it is not a wh-question with an auxiliary within its first words."""
    words = _WORD.findall(question.strip().rstrip("?").strip())
    lowered = [w.lower().strip(",") for w in words]
    start = 1 if lowered and lowered[0] in _LEADING_PREPOSITIONS else 0
    if len(words) < start + 3 or lowered[start] not in _WH:
        return None
    aux = next((k for k in range(start + 1, min(len(words), start + 1 + MAX_WH_WORDS)) if lowered[k] in AUXILIARIES),
               None)
    if aux is None or aux == len(words) - 1:
        return None
    phrase, verb, clause = lowered[:aux], words[aux].capitalize(), words[aux + 1:]
    answer = None if answer is None or len(answer.split()) > MAX_ANSWER_WORDS else answer.strip().rstrip(".") or None
    if phrase[start + 1:start + 2] in (["many"], ["much"]):
        return _how_many(phrase[start + 1], phrase[start + 2:], verb, clause, answer)
    if len(phrase) - start > 1 and not _starts_a_subject(clause[0]):
        return None  # "What weapon can transform Link ...?": the wh-phrase is the subject
    if answer is None:
        if lowered[aux] in _COPULAS and phrase[start] in ("what", "which", "who", "whom"):
            return None  # "Is a single coat?": the answer is the claim
        if clause[-1].lower() in _LEADING_PREPOSITIONS:
            clause = clause[:-1]  # "Did Michael Foot become a leader (of)?"
        return f"{verb} {' '.join(clause)}?" if clause else None
    return f"{verb} {' '.join(clause)}{_tail(phrase, answer)}?"


def _how_many(quantifier: str, nouns: list[str], verb: str, clause: list[str], answer: str | None) -> str:
    """"How many chapels are on the campus?" → "Are there 57 chapels on the campus?"; "How much does it weigh?" →
    "Does it weigh 985 grams?"."""
    amount = quantifier if answer is None else answer
    counted = " ".join([amount] + [n for n in nouns if n not in amount.lower()])
    if verb.lower() in _COPULAS and nouns and not _starts_a_subject(clause[0]):
        return f"{verb} there {counted} {' '.join(clause)}?"
    return f"{verb} {' '.join(clause)} {counted}?"


def _starts_a_subject(word: str) -> bool:
    """Whether a clause starting with `word` likely starts with its subject (a name, a determiner, a pronoun,
    a number) rather than with a verb or a preposition."""
    return word[:1].isupper() or word[:1].isdigit() or word.lower() in _SUBJECT_STARTS


def _tail(phrase: list[str], answer: str) -> str:
    """Where the answer goes after the clause: "", " <answer>" or " <preposition> <answer>"."""
    if any(w in ("how", "why", "whose") for w in phrase):
        return ""
    if phrase[0] in _LEADING_PREPOSITIONS:
        return f" {phrase[0]} {answer}"
    if phrase[0] in _PLACE_OR_TIME or any(w in _TIME_NOUNS for w in phrase[1:]):
        return f" in {answer}"
    return f" {answer}"


def _english_answerable(data: dict, question: dict) -> bool:
    """Whether a prepared question is answerable and from an English source."""
    return bool(question["pos"]) and data["paragraphs"][question["p"]]["src"] in ENGLISH


def polar_questions(data: dict, ids, share: float, seed: int) -> dict[int, str]:
    """A seeded `share` of the English answerable questions among `ids` as yes/no questions (by id; those that
    convert), half of them with their answer in."""
    if not 0 <= share <= 1:
        raise ValueError(f"share must be within [0, 1], got {share}")
    rng = np.random.default_rng(seed + 3)
    out = {}
    for n in sorted({int(n) for n in ids}):
        q = data["questions"][n]
        if not _english_answerable(data, q) or rng.random() >= share:
            continue
        text = polar(q["q"], q["a"][0] if q["a"] and rng.random() < 0.5 else None)
        if text is not None:
            out[n] = text
    return out


def polar_rows(data: dict, rows: np.ndarray, share: float, seed: int) -> tuple[dict, np.ndarray]:
    """`data` with a yes/no copy of a seeded `share` of the English answerable questions in `rows` added (role
    "polar", the original's positives), and `rows` with each of the original's rows repeated for the copy, reshuffled.
    `share` 0 returns both unchanged."""
    asked = polar_questions(data, rows[:, 0], share, seed)
    if not asked:
        return data, rows
    questions = list(data["questions"])
    copy_of = {}
    for n, text in asked.items():
        questions.append({**questions[n], "q": text, "role": "polar", "from": n})
        copy_of[n] = len(questions) - 1
    picked = np.isin(rows[:, 0], list(copy_of))
    extra = rows[picked].copy()
    extra[:, 0] = [copy_of[int(n)] for n in extra[:, 0]]
    rng = np.random.default_rng(seed + 4)
    return {**data, "questions": questions}, rng.permutation(np.concatenate([rows, extra]))


def polar_heldout(data: dict, limit: int) -> dict[int, str]:
    """The first `limit` held-out English questions that convert, as yes/no questions with their answer in."""
    out = {}
    for n, q in enumerate(data["questions"]):
        if len(out) >= limit:
            break
        if q["role"] == "heldout" and _english_answerable(data, q):
            text = polar(q["q"], q["a"][0] if q["a"] else None)
            if text is not None:
                out[n] = text
    return out


def heldout_accuracy(model, tokenizer, data: dict, max_length: int, limit: int) -> dict:
    """In-paragraph accuracy on the first `limit` held-out English questions that convert, asked as yes/no questions."""
    from evals import reader_eval

    asked = polar_heldout(data, limit)
    rewritten = {**data, "questions": [{**data["questions"][n], "q": text} for n, text in asked.items()]}
    return reader_eval.in_paragraph_accuracy(model, tokenizer, rewritten, "heldout", max_length, limit)
