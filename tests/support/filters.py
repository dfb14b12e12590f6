"""Checks of the search filters that every index backend must pass."""

from __future__ import annotations

import numpy as np

from index.types import Filters


def assert_language_filter_keeps_only_those_languages(engine) -> None:
    """Dense (passages, sentences) and keyword search under `Filters.languages` return units of
    documents in those languages only, and an empty tuple returns nothing."""
    index = engine.pipeline.index
    by_lang = {lang: {d.id for d, _ in engine.documents() if d.lang == lang} for lang in ("en", "zh")}
    assert by_lang["en"] and by_lang["zh"], "the sample corpus holds both languages"
    query = np.ones(index.dimension, np.float32) / np.sqrt(index.dimension)
    for lang, ids in by_lang.items():
        only = Filters(languages=(lang,))
        with index.reader() as reader:
            passages = [h.unit_id for h in index.dense_search("passages", query, 50, only)]
            sentences = [h.unit_id for h in index.dense_search("sentences", query, 50, only)]
            keyword = [h.unit_id for h in index.keyword_search(["北约", "rutte"], 20, only)]
            holders = {r.document_id for r in reader.passages(sorted({*passages, *keyword})).values()}
            holders |= {s.document_id for s in reader.sentences(sentences)}
        assert passages and sentences and keyword and holders <= ids, lang
    assert index.dense_search("passages", query, 5, Filters(languages=())) == []
    assert index.keyword_search(["rutte"], 10, Filters(languages=())) == []
