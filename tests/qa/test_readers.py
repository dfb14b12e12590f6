"""Every input format, and the inputs that must be skipped with a reason."""

from __future__ import annotations

import json

import pytest

from qa.engine import Engine

HTML = """<html><head><title>Page title</title><meta name="author" content="Ann Writer">
<meta property="article:published_time" content="2024-05-02"></head><body>
<nav>Home | World | Sport</nav><article><h1>Budapest approves Sweden</h1>
<p>Hungary's parliament ratified Sweden's bid to join NATO on Monday after long delays.</p>
<p>The vote ended more than a year of waiting for the Nordic country, officials said.</p>
<p>Sweden will become the alliance's thirty-second member once the law is signed.</p>
</article><footer>Subscribe to our newsletter</footer></body></html>"""


def _ingest(engine: Engine, folder, files: dict[str, bytes]):
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return engine.ingest([folder])


def test_each_format_becomes_documents(engine, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    report = _ingest(engine, folder, {
        "a.txt": b"Plain Headline Here\n\nThe council met on Monday and agreed the budget.",
        "b.md": b"---\ntitle: Markdown story\ndate: 2024-02-01\nauthor: Bo\ntags: [x, y]\n---\n"
                b"Some **bold** reporting about the summit.\n\n[Source Link](https://example.org/b)\n",
        "c.html": HTML.encode(),
        "d.json": json.dumps([{"id": "j1", "title": "Json one", "text": "First record text.",
                               "url": "https://example.org/j1", "published": "2024-03-03"}]).encode(),
        "sub/e.jsonl": b'{"title": "L1", "text": "Line one text."}\n{"title": "L2", "text": "Line two text."}\n',
    })
    assert report.skipped == ()
    assert len(report.added) == 6
    docs = {d.title: d for d, _ in engine.pipeline.index.store.list_documents()}
    assert docs["Markdown story"].url == "https://example.org/b"
    assert docs["Markdown story"].published == "2024-02-01"
    assert docs["Markdown story"].tags == ("x", "y")
    assert "**" not in docs["Markdown story"].text
    assert docs["Plain Headline Here"].text == "The council met on Monday and agreed the budget."
    html_doc = next(d for d in docs.values() if "ratified" in d.text)
    assert "Subscribe" not in html_doc.text and "Home | World" not in html_doc.text
    assert docs["Json one"].published == "2024-03-03" and docs["Json one"].url == "https://example.org/j1"
    assert {"L1", "L2"} <= set(docs)


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"   \n\n", "no text"),
    ("image.png", b"\x89PNG\r\n", "unsupported file type"),
    ("binary.txt", b"abc\x00def", "binary file"),
    ("latin1.txt", "café au lait".encode("latin-1"), "not valid UTF-8"),
    ("broken.json", b'{"title": "x", "text": ', "invalid JSON"),
    ("notext.json", b'{"title": "x"}', "no 'text' string"),
    ("noise.txt", b"Trending Now\nRelated Links\n", "no article text left"),
])
def test_bad_inputs_are_skipped_with_reason_and_batch_goes_on(engine, tmp_path, name, data, reason):
    folder = tmp_path / "in"
    folder.mkdir()
    report = _ingest(engine, folder, {name: data, "good.txt": b"A good article with one sentence."})
    assert len(report.added) == 1
    assert len(report.skipped) == 1
    source, why = report.skipped[0]
    assert name in source and reason in why


def test_bad_jsonl_record_skips_only_that_record(engine, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    report = _ingest(engine, folder, {"m.jsonl": b'{"text": "Fine one."}\n[1, 2]\n{"text": "Fine two."}\n'})
    assert len(report.added) == 2
    assert report.skipped[0][1] == "record 1 is not an object"


def test_missing_path_is_reported(engine, tmp_path):
    report = engine.ingest([tmp_path / "nope"])
    assert report.skipped == ((str(tmp_path / "nope"), "no such file or folder"),)
