"""Block Kit formatting: limits, escaping of untrusted text, buttons."""

from __future__ import annotations

import json

from api.slack.blocks import MAX_BLOCKS, SECTION_CHARS, answer_messages, escape


def _result(texts: list[str], answered: bool = True) -> dict:
    answers = [{"text": t, "score": 0.9, "document_id": f"d{n}", "title": "T <b>", "url": None,
                "published": "2024-06-19", "start": 0, "end": len(t), "short_answer": None}
               for n, t in enumerate(texts)]
    return {"question": "q", "resolved_question": "q", "answered": answered, "answer": "x",
            "answers": answers if answered else [], "related": []}


def test_untrusted_text_cannot_mention_link_or_format():
    assert escape("<!channel> <https://evil|click> & co") == "&lt;!channel&gt; &lt;https://evil|click&gt; &amp; co"
    [blocks] = answer_messages(_result(["Hi <!here> see <https://evil.example|this>"]), "k", "https://qa/v1/documents")
    text = json.dumps(blocks)
    assert "<!here>" not in text and "<https://evil.example|" not in text and "T &lt;b&gt;" in text


def test_long_answers_are_split_within_slack_limits():
    messages = answer_messages(_result(["x" * 7000] + ["y"] * 60), "k", "https://qa/v1/documents")
    assert len(messages) > 1
    for blocks in messages:
        assert len(blocks) <= MAX_BLOCKS
        assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in blocks if b["type"] == "section")
    assert messages[-1][-1]["type"] == "actions"
    assert "".join(b["text"]["text"] for b in messages[0][:3] if b["type"] == "section").count("x") == 7000


def test_abstention_says_so_and_buttons_include_share_only_when_asked():
    [blocks] = answer_messages(_result([], answered=False), "k", "https://qa/v1/documents", shareable=True)
    assert ":grey_question: x" in json.dumps(blocks)
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["feedback_up", "feedback_down", "share"]


def test_abstention_shows_each_related_passages_highlight_escaped():
    result = _result([], answered=False)
    result["related"] = [{"document_id": "d1", "title": "T", "url": None, "start": 0, "end": 60,
                          "text": "Passage start. The <!here> sentence that matters. End.",
                          "highlight": "The <!here> sentence that matters.", "highlight_start": 15,
                          "highlight_end": 49, "score": 0.5, "passage_id": 1, "published": "2024-06-19"}]
    [blocks] = answer_messages(result, "k", "https://qa/v1/documents")
    text = json.dumps(blocks, ensure_ascii=False)
    assert "Related [1] <https://qa/v1/documents/d1|T> (2024-06-19): “The &lt;!here&gt; sentence that matters.”" in text
    assert "Passage start" not in text


def test_a_quote_in_another_language_than_the_question_says_so():
    result = _result(["Stoltenberg's contract expires on October 1.", "斯托尔滕贝格的任期将于10月1日结束。"])
    result["lang"] = "zh"
    result["answers"][0]["lang"], result["answers"][1]["lang"] = "en", "zh"
    [blocks] = answer_messages(result, "k", "https://qa/v1/documents")
    contexts = [json.dumps(b, ensure_ascii=False) for b in blocks if b["type"] == "context"]
    assert "quoted in English" in contexts[0] and "quoted in" not in contexts[1]


def test_each_quote_says_its_date_and_older_ones_say_earlier():
    result = _result(["June quote", "March quote", "Undated quote"])
    result["answers"][1] |= {"published": "2024-03-05", "older": True}
    result["answers"][2] |= {"published": None}
    result["time_filter"] = {"expression": "this year", "published_from": "2024-01-01", "published_to": "2024-06-30",
                             "applied": True}
    [blocks] = answer_messages(result, "k", "https://qa/v1/documents")
    text = json.dumps(blocks, ensure_ascii=False)
    assert "_As of 19 June 2024:_" in text and "_Earlier, on 5 March 2024:_" in text and "_Undated article:_" in text
    assert "“this year”: articles published 1 January 2024 to 30 June 2024." in text
