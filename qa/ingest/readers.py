"""Read one article file (txt, md, html, json, jsonl) into raw articles."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import trafilatura

from qa.ingest.errors import SkippedInput

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")


@dataclass(frozen=True)
class RawArticle:
    """An article as read, before cleaning; `key` identifies its source."""

    key: str
    body: str
    title: str | None = None
    url: str | None = None
    published: object = None
    author: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    markdown: bool = True


def read_articles(path: Path, key: str, max_bytes: int) -> list[RawArticle | SkippedInput]:
    """All articles in one file (a bad JSONL record is a `SkippedInput` in the list).

    Raises `SkippedInput` with the reason when the file as a whole cannot be read.
    """
    suffix = path.suffix.lower()
    _check_suffix(suffix, key)
    size = path.stat().st_size
    if size == 0:
        raise SkippedInput(key, "empty file")
    if size > max_bytes:
        raise SkippedInput(key, f"file is {size} bytes, over the limit of {max_bytes}")
    return parse_articles(path.read_bytes(), suffix, key)


def parse_articles(data: bytes, suffix: str, key: str) -> list[RawArticle | SkippedInput]:
    """Articles in `data`, a file of type `suffix`, from the source named `key`."""
    _check_suffix(suffix, key)
    if not data:
        raise SkippedInput(key, "empty file")
    text = decode(data, key)
    if not text.strip():
        raise SkippedInput(key, "no text in file")
    if suffix in (".json", ".jsonl"):
        return _json_articles(text, suffix, key)
    if suffix in (".html", ".htm"):
        return [_html_article(text, key)]
    return [_text_article(text, key)]


def _check_suffix(suffix: str, key: str) -> None:
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkippedInput(key, f"unsupported file type '{suffix or '(none)'}' "
                                f"(supported: {', '.join(SUPPORTED_SUFFIXES)})")


def decode(data: bytes, key: str) -> str:
    """UTF-8 text of a file, or a skip for binary and undecodable input."""
    if b"\x00" in data[:8192]:
        raise SkippedInput(key, "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SkippedInput(key, f"not valid UTF-8 text (byte {err.start})") from None


def _text_article(text: str, key: str) -> RawArticle:
    """Plain text or markdown, with optional YAML front matter."""
    try:
        post = frontmatter.loads(text)
    except Exception as err:  # the YAML library raises many types for bad front matter
        raise SkippedInput(key, f"invalid front matter: {err}") from None
    meta = post.metadata
    tags = meta.get("tags") or ()
    tags = tuple(str(t) for t in (tags if isinstance(tags, list) else [tags]) if t)
    return RawArticle(key=key, body=post.content, title=_str(meta.get("title")),
                      url=_str(meta.get("url") or meta.get("source")), published=meta.get("date"),
                      author=_str(meta.get("author")), tags=tags)


def _html_article(html: str, key: str) -> RawArticle:
    """Main text of a web page (trafilatura), with its metadata."""
    extracted = trafilatura.bare_extraction(html, include_comments=False, include_tables=False,
                                            with_metadata=True)
    if extracted is None or not (extracted.text or "").strip():
        raise SkippedInput(key, "no article text found in HTML")
    return RawArticle(key=key, body=extracted.text, title=extracted.title, url=extracted.url,
                      published=extracted.date, author=extracted.author, markdown=False)


def _json_articles(text: str, suffix: str, key: str) -> list[RawArticle | SkippedInput]:
    """Records `{"id"?, "title", "text", "url"?, "published"?, "author"?}`."""
    try:
        if suffix == ".jsonl":
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            loaded = json.loads(text)
            records = loaded if isinstance(loaded, list) else [loaded]
    except json.JSONDecodeError as err:
        raise SkippedInput(key, f"invalid JSON: {err.msg} at line {err.lineno}") from None
    if not records:
        raise SkippedInput(key, "no records in file")
    articles: list[RawArticle | SkippedInput] = []
    for n, record in enumerate(records):
        try:
            articles.append(_json_record(record, key, n))
        except SkippedInput as skip:
            articles.append(skip)
    return articles


def _json_record(record: object, key: str, n: int) -> RawArticle:
    if not isinstance(record, dict):
        raise SkippedInput(key, f"record {n} is not an object")
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        raise SkippedInput(key, f"record {n} has no 'text' string")
    record_id = record.get("id")
    record_key = f"{key}#{record_id if record_id is not None else n}"
    return RawArticle(key=record_key, body=body, title=_str(record.get("title")),
                      url=_str(record.get("url")), published=record.get("published"),
                      author=_str(record.get("author")), markdown=False)


def _str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None
