"""Cleaning: page furniture and markup never reach the canonical text."""

from __future__ import annotations

import pytest
from support.settings import DATA

from qa.ingest.article import build_document
from qa.ingest.cleaning import clean_text, strip_markdown
from qa.ingest.readers import read_articles

NOISE = ["Photo:", "Trending Now", "open image in gallery", "Subscribe Free To Our Daily Newsletters",
         "Related Links", "SpaceWar.com", "**", "Getty Images", "[原文链接]", "[Source Link]", "\n---\n"]


@pytest.mark.parametrize("path", sorted(DATA.iterdir()), ids=lambda p: p.name)
def test_sample_articles_are_clean(path):
    doc = build_document(read_articles(path, path.name, 10_000_000)[0])
    for noise in NOISE:
        assert noise not in doc.text, f"{noise!r} left in {path.name}"
    assert len(doc.text) > 1000


def test_noise_lines_are_dropped_and_reporting_kept():
    raw = ("Photo: Someone / Agency\nPhoto: Someone / Agency\nReal news sentence here.\n"
           "Trending Now\nopen image in gallery A caption ( AP )\nRelated Links\n"
           "Learn about nuclear weapons doctrine and defense at SpaceWar.com\n"
           "Subscribe Free To Our Daily Newsletters |\nJane Doe | Getty Images News | Getty Images\n")
    assert clean_text(raw) == "Real news sentence here."


def test_a_photo_caption_goes_with_its_credit():
    raw = ("Hungarian Prime Minister Viktor Mihaly Orban.\nThierry Monas | Getty Images News | Getty Images\n"
           "NATO Secretary-General Jens Stoltenberg said Hungary will not block the plan.\n"
           "Orban spoke in Budapest on Wednesday.\n\nJane Doe | Getty Images\n")
    assert clean_text(raw) == ("NATO Secretary-General Jens Stoltenberg said Hungary will not block the plan."
                               "\n\nOrban spoke in Budapest on Wednesday.")


def test_markdown_markup_is_stripped_words_kept():
    assert strip_markdown("**Bold** and *it* and [a link](https://x.y) # not heading") == \
        "Bold and it and a link # not heading"
    assert strip_markdown("## Heading") == "Heading"


def test_repeated_line_kept_once_and_metadata_lines_dropped():
    assert clean_text("Same.\nSame.\nHeadline\nBody.", drop_lines=("Headline",)) == "Same.\n\nBody."
