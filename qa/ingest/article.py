"""Build a `Document` from a raw article: metadata, canonical text, identity."""

from __future__ import annotations

import hashlib

from index.types import Document
from qa.ingest.cleaning import clean_text
from qa.ingest.errors import SkippedInput
from qa.ingest.metadata import find_metadata, normalise_date
from qa.ingest.readers import RawArticle
from qa.passages.language import detect_language

_TITLE_CHARS = 90


def document_id(key: str) -> str:
    """Stable id of a document, derived from its source key (path, URL or given id)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def build_document(raw: RawArticle) -> Document:
    """Canonical document for a raw article; raises `SkippedInput` if no text is left."""
    found = find_metadata(raw.body)
    title = raw.title or found.title
    # An explicit title is the headline; a first line that merely looks like one stays text.
    headline = found.headline_line if raw.title is None else None
    text = clean_text(raw.body, drop_lines=found.consumed_lines + tuple(h for h in (headline, title) if h))
    if not text:
        # What was taken for headline or dateline was all the prose there is: keep it as text.
        text = clean_text(raw.body)
    if not text:
        raise SkippedInput(raw.key, "no article text left after cleaning")
    published = normalise_date(raw.published) or found.published
    url = raw.url or found.url
    return Document(
        id=document_id(raw.key),
        source=raw.key,
        title=title or _fallback_title(text),
        text=text,
        content_hash=content_hash(text, title, url, published, raw.author or found.author),
        url=url,
        published=published,
        author=raw.author or found.author,
        lang=detect_language(text),
        tags=raw.tags,
    )


def content_hash(*parts: str | None) -> str:
    """Hash of everything that ends up in the index, to detect changed input."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode("utf-8") + b"\x00")
    return digest.hexdigest()


def _fallback_title(text: str) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= _TITLE_CHARS else first[: _TITLE_CHARS - 1].rstrip() + "…"
