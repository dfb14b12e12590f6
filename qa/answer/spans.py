"""Short answer spans inside a sentence: names, numbers, dates, ages."""

from __future__ import annotations

import re
from collections.abc import Iterator

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# A date's short answer leaves out "on", "in", "by" ... ("1990", not "in 1990"), but keeps "since" and
# "until", which change its meaning.
_SINCE = r"(?:since |until )?"
_NUMBER_WORDS = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty"
                 r"|fifty|hundred|thousand|million|billion|dozen|a decade|nearly a decade)")
PATTERNS = {
    "date": re.compile(
        rf"\b(?:{_SINCE}{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?"
        rf"|\d{{1,2}} {_MONTH}(?: \d{{4}})?|{_SINCE}{_MONTH}(?: \d{{4}})?"
        rf"|(?:last |next )?{_WEEKDAY}|{_SINCE}(?:1\d{{3}}|20\d{{2}}|[1-9]\d{{2}})s?(?: (?:to|and|-) \d{{3,4}})?"
        rf"|(?:early |late |mid-?)?\d{{1,2}}(?:st|nd|rd|th)(?: and \d{{1,2}}(?:st|nd|rd|th))? centur(?:y|ies)"
        r"|(?:last|next|this) (?:week|month|year|November|summer)|two years ago|next month)\b"
        r"|\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"),
    "number": re.compile(rf"\b\d+(?:[.,]\d+)*(?:%| percent| per cent)?\b|\b{_NUMBER_WORDS}\b"
                         r"|[0-9一二三四五六七八九十百千万]+(?:个|名|架|国|%)", re.I),
    "age": re.compile(r"\b\d{1,3}-year-old\b|(?<=, )\d{1,3}(?=,)|\baged \d{1,3}\b|\bage of \d{1,3}\b|\d{1,3}岁"),
    # A capitalised word or run of them ("Rollo", "William the Conqueror", "Robert of Jumièges").
    "person": re.compile(r"\b(?:(?:Mr|Mrs|Ms|Dr)\.? )?[A-Z][a-zà-ÿ'’\-]+"
                         r"(?: (?:(?:of|the|van|de|der|von|la|le) )?[A-Z][a-zà-ÿ'’\-]+)*\b"),
    "reason": re.compile(r"\b(?:because|after|following|due to|as a result|in exchange|the reason|cited"
                         r"|in order to|so that|assurances?|concerns?|promised|letter)\b|因为|由于|为了|承诺", re.I),
}
_NOT_NAMES = re.compile(r"^(?:The|A|An|In|On|At|After|Before|Under|Though|Although|However|But|And|It|He|She"
                        r"|They|We|I|This|That|These|Those|There|Then|When|While|As|For|With|By|From|To|Of|If"
                        r"|His|Her|Its|Their|Our|Some|Many|Most|All|Both|Each|Other|Such|No|Not|Only|Also|So"
                        r"|Since|During|Despite|According|Earlier|Later|Last|Next|Every|What|Who|Which|Why|How|Where|Whose"
                        r"|Did|Does|Do|Is|Are|Was|Were|Has|Have|Had|Will|Would|Can|Could|Should|May|Might"
                        rf"|{_MONTH}|{_WEEKDAY}|Mr|Mrs|Ms|Dr"
                        r"|Current|Prime|Minister|President|Secretary|General|Foreign|Chancellor|Dutch"
                        r"|Hungarian|Romanian|Swedish|German|French|Polish|Ukrainian|Norway’s|Norway's|NATO"
                        r"|Nato|EU|US|UN)$")

_WORD = re.compile(r"[\w’']+")
_POSSESSIVE = re.compile(r"[’']s$")


def find_spans(sentence: str, answer_type: str, question_terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) spans in `sentence` that could answer a question of `answer_type`.

    Spans made only of words the question already uses are dropped: the
    answer to "Who was Rutte's rival?" is not "Rutte".
    """
    return list(_spans(sentence, answer_type, question_terms))


def has_span(sentence: str, answer_type: str, question_terms: tuple[str, ...]) -> bool:
    """Whether `find_spans` would find any (stops at the first)."""
    return next(_spans(sentence, answer_type, question_terms), None) is not None


def _spans(sentence: str, answer_type: str, question_terms: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """The spans `find_spans` returns, one at a time."""
    pattern = PATTERNS.get(answer_type)
    if pattern is None:
        return
    asked = {t.lower() for t in question_terms}
    for match in pattern.finditer(sentence):
        start, end = match.span()
        if answer_type == "person":
            start, end = _trim_titles(sentence, start, end)
            if end - start < 3:
                continue
        words = [_POSSESSIVE.sub("", w.lower()) for w in _WORD.findall(sentence, start, end)]
        # A name that reuses a question word is the subject, not the answer.
        reused = any(w in asked for w in words) if answer_type == "person" else all(w in asked for w in words)
        if words and reused:
            continue
        yield start, end


def best_span(sentence: str, answer_type: str, question_terms: tuple[str, ...]) -> tuple[int, int] | None:
    """The likeliest short answer: the span nearest the question's words (longer on ties)."""
    spans = find_spans(sentence, answer_type, question_terms)
    if not spans:
        return None
    lower = sentence.lower()
    anchors = [m.span() for t in question_terms for m in re.finditer(re.escape(t[:5]) + r"\w*", lower)]
    if not anchors:
        return max(spans, key=lambda s: s[1] - s[0])

    def distance(span: tuple[int, int]) -> float:
        gaps = (max(a_start - span[1], span[0] - a_end, 0) for a_start, a_end in anchors)
        return min(gaps) - 0.01 * (span[1] - span[0])

    return min(spans, key=distance)


def _trim_titles(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading words that are titles or function words, not names."""
    words = list(re.finditer(r"\S+", sentence[start:end]))
    while words and _NOT_NAMES.match(words[0].group()):
        words.pop(0)
    if not words or _NOT_NAMES.match(words[-1].group()):
        return start, start
    end = start + words[-1].end()
    if sentence[end - 2:end] in ("'s", "’s"):  # "Stoltenberg's contract": the name is "Stoltenberg"
        end -= 2
    return start + words[0].start(), end


def given_names(text: str) -> set[str]:
    """Lower-cased given names in `text` ("mark" of "Mark Rutte"): news repeats only the surname."""
    names = set()
    for match in PATTERNS["person"].finditer(text):
        start, end = _trim_titles(text, *match.span())
        words = text[start:end].split()
        names.update(w.lower() for w in words[:-1] if w[:1].isupper())
    return names
