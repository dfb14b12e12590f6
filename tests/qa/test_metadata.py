"""Metadata from the sample articles and from datelines."""

from __future__ import annotations

import json

import pytest
from support.settings import DATA

from qa.ingest.article import build_document
from qa.ingest.metadata import is_dateline, is_headline, parse_date
from qa.ingest.readers import parse_articles, read_articles


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


def _record(**fields):
    [raw] = parse_articles(json.dumps(fields).encode(), ".json", "records.json")
    return build_document(raw)


def test_a_titled_record_whose_one_sentence_holds_a_date_keeps_its_text():
    doc = _record(id="turner-cnn", title="Turner founds CNN", text="Ted Turner launched CNN on June 1, 1980.")
    assert doc.title == "Turner founds CNN"
    assert doc.text == "Ted Turner launched CNN on June 1, 1980."


def test_a_titled_record_keeps_a_first_line_that_only_looks_like_a_headline():
    doc = _record(title="CNN at 44", text="Ted Turner Launches CNN\n\nThe network went on air in Atlanta.")
    assert doc.text.startswith("Ted Turner Launches CNN")


@pytest.mark.parametrize("body", [
    "Ted Turner launched CNN on June 1, 1980.",
    "He died on 5 March 2024.",
    "Hungary Lifts Blockade Against NATO",  # reads as a headline, and is all the prose there is
    "By Camilla Jessen",
])
def test_cleaning_never_empties_a_document_that_had_prose(body):
    doc = _record(text=body)
    assert doc.text == body


@pytest.mark.parametrize("line, dateline", [
    ("Jun.19 - 2024 11:51 AM CET", True),
    ("Budapest (AFP) March 5, 2024 -", True),
    ("Published 2024-06-17", True),
    ("Ted Turner launched CNN on June 1, 1980.", False),
    ("He died on 5 March 2024.", False),
])
def test_a_dateline_is_mostly_its_date(line, dateline):
    assert is_dateline(line) is dateline
