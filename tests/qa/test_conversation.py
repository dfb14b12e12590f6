"""Follow-up questions: resolution rules, persistence, and the engine's conversation turns."""

from __future__ import annotations

import pytest
from support.citations import assert_cited

from index.conversations.sqlite_store import ConversationStore
from index.types import Turn
from qa.conversation.resolver import resolve
from qa.engine import ConversationNotFound, result_dict


def _after(question: str, *entities: str) -> list[Turn]:
    return [Turn(question, question, bool(entities), entities)]


@pytest.mark.parametrize("history, follow_up, expected", [
    (_after("Who was Rutte's last rival for the NATO job?", "Klaus Iohannis"),
     "Why was he expected to withdraw?", "Why was Klaus Iohannis expected to withdraw?"),
    (_after("Who signed the law on Sweden joining NATO?", "Tamas Sulyok"),
     "And what fighter jets did Hungary buy from them?", "What fighter jets did Hungary buy from Sweden?"),
    (_after("Who is the current NATO secretary general?", "Jens Stoltenberg"),
     "When does his contract expire?", "When does Jens Stoltenberg's contract expire?"),
    (_after("Which country was the last to approve Sweden's NATO bid?"),
     "When did its parliament ratify the bid?", "When did Sweden's parliament ratify the bid?"),
    (_after("Did Hungary back Rutte?"), "What about Slovakia?", "Did Slovakia back Rutte?"),
    (_after("Who is Hungary's foreign minister?", "Peter Szijjarto"),
     "How old is Mark Rutte?", "How old is Mark Rutte?"),
])
def test_follow_ups_are_rewritten_to_stand_alone(history, follow_up, expected):
    assert resolve(follow_up, history) == expected


def test_first_question_is_unchanged():
    assert resolve("Why was he expected to withdraw?", []) == "Why was he expected to withdraw?"


def test_conversations_persist_across_store_instances(tmp_path):
    path = tmp_path / "conversations.sqlite"
    store = ConversationStore(path)
    cid = store.start()
    store.append(cid, Turn("q1", "q1", True, ("A B",)), {"answer": "x"})
    store.append(cid, Turn("q2", "q2 resolved", False, ()), {"answer": "y"})
    reopened = ConversationStore(path).get(cid)
    assert [t.turn.resolved_question for t in reopened.turns] == ["q1", "q2 resolved"]
    assert reopened.turns[0].turn.answer_entities == ("A B",) and reopened.turns[1].result == {"answer": "y"}
    assert ConversationStore(path).history(cid, last=1)[0].question == "q2"
    assert store.get("nope") is None and not store.exists("nope")


def test_engine_resolves_a_follow_up_and_records_the_turn(sample_engine):
    cid = sample_engine.start_conversation()
    first = sample_engine.ask("Who is Hungary's foreign minister?", 1, conversation_id=cid)
    named = first.answers[0].short_answer  # the hash embedder's pick; the real model's is tested elsewhere
    assert named
    second = sample_engine.ask("What did he say about supporting Rutte?", 1, conversation_id=cid)
    assert second.resolved_question == f"What did {named} say about supporting Rutte?"
    assert_cited(result_dict(second), lambda doc_id: sample_engine.document(doc_id).text)
    stored = sample_engine.conversation(cid)
    assert [t.turn.question for t in stored.turns] == ["Who is Hungary's foreign minister?",
                                                       "What did he say about supporting Rutte?"]


def test_unknown_conversation_is_refused(sample_engine):
    with pytest.raises(ConversationNotFound):
        sample_engine.ask("Who is Hungary's foreign minister?", conversation_id="missing")
