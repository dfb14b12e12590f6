"""Metadata from the sample articles and from datelines."""

from __future__ import annotations

import pytest

from conftest import DATA
from qa.ingest.article import build_document
from qa.ingest.metadata import is_headline, parse_date
from qa.ingest.readers import read_articles


def _doc(name: str):
    return build_document(read_articles(DATA / name, name, 10_000_000)[0])


def test_headline_byline_dateline():
    doc = _doc("000_2bc30552415569ed.txt")
    assert doc.title == "Hungary Lifts Blockade Against NATO Secretary General"
    assert doc.author == "Camilla Jessen"
    assert doc.published == "2024-06-19"
    assert not doc.text.startswith("Hungary Lifts Blockade")  # the headline is metadata, not body
    assert "Written by" not in doc.text and "11:51 AM" not in doc.text


def test_front_matter_and_source_link_and_language():
    doc = _doc("002_0728710ae758e231.txt")
    assert doc.title == "马克·鲁特向维克多·奥班提供交易，因为他寻求担任北约最高职务"
    assert doc.published == "2024-06-17"
    assert doc.author == "ft"
    assert doc.url == "https://ft.com/content/44ce139a-0e26-478c-bd6e-2801c464e308"
    assert doc.tags == ("world",)
    assert doc.lang == "zh"


def test_dateline_inside_the_body():
    assert _doc("001_a8aaeb6ecd2e8a47.txt").published == "2024-03-05"


@pytest.mark.parametrize("text, expected", [
    ("Jun.19 - 2024 11:51 AM CET", "2024-06-19"),
    ("Budapest (AFP) March 5, 2024 -", "2024-03-05"),
    ("5 March 2024", "2024-03-05"),
    ("posted 2024-06-17", "2024-06-17"),
    ("no date here", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_headline_detection():
    assert is_headline("Hungary Lifts Blockade Against NATO Secretary General")
    assert not is_headline("Hungarian Prime Minister Viktor Mihaly Orban.")
    assert not is_headline("Rutte is largely believed to be the frontrunner to lead the alliance and replace "
                           "current NATO chief Jens Stoltenberg, after the United States expressed support.")
