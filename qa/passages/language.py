"""Language of a piece of text, by script: the corpus languages are English and Chinese."""

from __future__ import annotations

LANGUAGES = ("en", "zh")
_CJK_SHARE = 0.2


def cjk_count(text: str) -> int:
    """Number of CJK ideographs in `text`."""
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")


def detect_language(text: str) -> str:
    """'zh' when Han characters make up a fair share of the letters, else 'en'."""
    letters = sum(1 for ch in text if ch.isalpha())
    if letters == 0:
        return "en"
    return "zh" if cjk_count(text) / letters >= _CJK_SHARE else "en"


def word_count(text: str) -> float:
    """Length in words; Chinese counts about 1.7 characters a word."""
    cjk = cjk_count(text)
    if not cjk:
        return float(len(text.split()))
    latin_words = sum(1 for tok in text.split() if cjk_count(tok) == 0)
    return latin_words + cjk / 1.7


LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


def language_note(answer_lang: str, question_lang: str) -> str:
    """" · quoted in Chinese" when an answer's language is not the question's, else ""."""
    if answer_lang == question_lang:
        return ""
    return f" · quoted in {LANGUAGE_NAMES.get(answer_lang, answer_lang)}"
