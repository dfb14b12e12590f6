"""Sentences and passages keep exact offsets, overlap by one sentence, stay in size."""

from __future__ import annotations

import pytest
from support.settings import DATA

from qa.ingest.article import build_document
from qa.ingest.readers import read_articles
from qa.passages.chunker import Chunker
from qa.passages.language import word_count
from qa.passages.sentences import split_sentences


@pytest.fixture(scope="module")
def chunked():
    return [Chunker().chunk(build_document(read_articles(p, p.name, 10**7)[0])) for p in sorted(DATA.iterdir())]


def test_offsets_point_into_the_text(chunked):
    for c in chunked:
        text = c.document.text
        for s in c.sentences:
            piece = text[s.start:s.end]
            assert piece and piece == piece.strip()
        for p in c.passages:
            assert text[p.start:p.end].startswith(text[c.sentences[p.first_sentence].start:c.sentences[p.first_sentence].end])
            assert p.end == c.sentences[p.last_sentence].end


def test_passages_cover_all_sentences_with_one_sentence_overlap(chunked):
    for c in chunked:
        covered = set()
        for prev, nxt in zip(c.passages, c.passages[1:]):
            assert nxt.first_sentence in (prev.last_sentence, prev.last_sentence + 1)
            if nxt.first_sentence == prev.last_sentence + 1:  # only at a language change
                assert c.sentences[nxt.first_sentence].lang != c.sentences[prev.last_sentence].lang
        for p in c.passages:
            covered.update(range(p.first_sentence, p.last_sentence + 1))
        assert covered == set(range(len(c.sentences)))


def test_passage_size_and_language(chunked):
    for c in chunked:
        for p in c.passages:
            words = word_count(c.passage_text(p))
            single = p.first_sentence == p.last_sentence
            assert words <= 200 or single
        langs = {p.lang for p in c.passages}
        assert langs == ({"zh", "en"} if c.document.lang == "zh" else {"en"})


def test_chinese_sentence_ends():
    text = "荷兰首相提议了一笔交易。他是联盟中的亲俄领导人！真的吗？Yes. It is."
    sentences = split_sentences("d", text)
    assert [text[s.start:s.end] for s in sentences][:3] == ["荷兰首相提议了一笔交易。", "他是联盟中的亲俄领导人！", "真的吗？"]


def test_chunker_validates():
    with pytest.raises(ValueError, match="min_words must be > 0, got 0"):
        Chunker(min_words=0)
    with pytest.raises(ValueError, match="max_words must be >= min_words"):
        Chunker(min_words=100, max_words=50)
