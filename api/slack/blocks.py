"""Answer objects as Slack Block Kit messages, within Slack's limits, with untrusted text escaped."""

from __future__ import annotations

from qa.passages.language import language_note
from qa.timeline.wording import dated_lead, time_note
from qa.types import TimeFilter

SECTION_CHARS = 3000  # Slack's limit for a section's text
MAX_BLOCKS = 50  # Slack's limit per message


def escape(text: str) -> str:
    """Article text is untrusted: no mentions, links or formatting may come from it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def answer_messages(result: dict, feedback_key: str | None, document_url: str,
                    shareable: bool = False) -> list[list[dict]]:
    """One or more messages (lists of blocks): quotes, numbered sources, confidence, buttons."""
    blocks: list[dict] = []
    lang = result.get("lang", "en")
    if result["resolved_question"] != result["question"]:
        blocks.append(_context(f"Understood as: _{escape(result['resolved_question'])}_"))
    if result.get("time_filter"):
        blocks.append(_context(escape(time_note(TimeFilter(**result["time_filter"]), lang))))
    if result["answered"]:
        for n, a in enumerate(result["answers"], start=1):
            when = dated_lead(a.get("published"), a.get("older", False), n == 1, lang)
            short = f"*{escape(a['short_answer'])}* — " if a.get("short_answer") else ""
            blocks.extend(_sections(f"_{when.strip()}_ {short}\n> {escape(a['text'])} [{n}]"))
            blocks.append(_context(f"[{n}] {_link(a, document_url)} · {a.get('published') or 'undated'}"
                                   f" · confidence {a['score']:.2f}"
                                   f"{language_note(a.get('lang', 'en'), result.get('lang', 'en'))}"))
    else:
        blocks.extend(_sections(f":grey_question: {escape(result['answer'])}"))
        for n, r in enumerate(result["related"], start=1):
            blocks.extend(_sections(f"Related [{n}] {_link(r, document_url)} ({r.get('published') or 'undated'}): "
                                    f"“{escape(r['highlight'])}”"))
    buttons = _buttons(feedback_key, shareable)
    messages = [blocks[i:i + MAX_BLOCKS - 1] for i in range(0, len(blocks), MAX_BLOCKS - 1)] or [[]]
    if buttons:
        messages[-1].append(buttons)
    return messages


def fallback_text(result: dict) -> str:
    """The notification text (shown where blocks are not)."""
    if not result["answered"]:
        return result["answer"]
    return result["answers"][0]["text"][:300]


def _link(item: dict, document_url: str) -> str:
    url = item.get("url") or f"{document_url.rstrip('/')}/{item['document_id']}"
    # A URL with '|' or '>' would break Slack's link syntax; fall back to the service's page.
    if any(ch in url for ch in "|<> "):
        url = f"{document_url.rstrip('/')}/{item['document_id']}"
    return f"<{url}|{escape(item['title'])[:150]}>"


def _sections(text: str) -> list[dict]:
    """Section blocks, splitting text longer than Slack allows."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text[i:i + SECTION_CHARS]}}
            for i in range(0, max(len(text), 1), SECTION_CHARS)]


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_CHARS]}]}


def _buttons(feedback_key: str | None, shareable: bool) -> dict | None:
    elements = []
    if feedback_key is not None:
        elements += [
            {"type": "button", "action_id": "feedback_up", "value": feedback_key,
             "text": {"type": "plain_text", "text": "👍"}},
            {"type": "button", "action_id": "feedback_down", "value": feedback_key,
             "text": {"type": "plain_text", "text": "👎"}},
        ]
    if shareable and feedback_key is not None:
        elements.append({"type": "button", "action_id": "share", "value": feedback_key,
                         "text": {"type": "plain_text", "text": "Share in channel"}})
    return {"type": "actions", "elements": elements} if elements else None
