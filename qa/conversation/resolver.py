"""Rewrite a follow-up question so it stands alone, from the conversation so far.

No language model is available, so this is rule-based: pronouns that point
back ("he", "his", "it", "them", ...) are replaced by the entity they most
likely mean, and elliptical follow-ups ("What about Slovakia?") reuse the
previous question with the new subject. Person pronouns take the person the
previous answer named (the short answer of a "who" question; after an
abstention, the closest passage's name), else the person the previous
question named; other pronouns take the first proper
noun of the previous question.
"""

from __future__ import annotations

import re

from index.types import Turn
from qa.answer.spans import find_spans

_PERSON = re.compile(r"\b(he|him|his|she|her|hers)\b", re.I)
_THING = re.compile(r"\b(it|its|they|them|their)\b", re.I)
_POSSESSIVE = {"his", "her", "hers", "its", "their"}
_LEADING_AND = re.compile(r"^\s*(?:and|also|so)\b[\s,]*", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<subject>.+?)\s*\??\s*$", re.I)


def resolve(question: str, history: list[Turn]) -> str:
    """`question` rewritten to stand alone (unchanged when it already does)."""
    if not history:
        return question
    last = history[-1]
    elliptical = _WHAT_ABOUT.match(question)
    if elliptical:
        return _swap_subject(last.resolved_question, elliptical.group("subject"))
    text = _LEADING_AND.sub("", question)
    text = text[:1].upper() + text[1:]
    person = _first_person(last)
    thing = _first_proper_noun(last.resolved_question, exclude=person)
    if person:
        text = _PERSON.sub(lambda m: _refer(m.group(1), person), text)
    if thing:
        text = _THING.sub(lambda m: _refer(m.group(1), thing), text)
    return text


def _refer(pronoun: str, name: str) -> str:
    return f"{name}'s" if pronoun.lower() in _POSSESSIVE else name


def _first_person(turn: Turn) -> str | None:
    """The person the last answer (or its closest passage) named, else the one the last question named."""
    if turn.answer_entities:
        return turn.answer_entities[0]
    names = [turn.resolved_question[s:e] for s, e in find_spans(turn.resolved_question, "person", ())]
    return next((n for n in names if " " in n), None)


def _first_proper_noun(text: str, exclude: str | None) -> str | None:
    names = [text[s:e] for s, e in find_spans(text, "person", ())]
    return next((n for n in names if n != exclude and (exclude is None or n not in exclude)), None)


def _swap_subject(previous: str, subject: str) -> str:
    """The previous question about `subject` instead of its first proper noun."""
    old = _first_proper_noun(previous, exclude=None)
    if old is None:
        return f"{previous.rstrip('?')} {subject}?"
    return previous.replace(old, subject, 1)
