"""Conversations: read back what was asked, how it was understood, and what was answered."""

from __future__ import annotations

from fastapi import APIRouter, Path

from api.deps import EngineDep
from api.errors import ApiError
from api.schemas import ConversationOut, ErrorOut, TurnOut

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


@router.get("/{conversation_id}", response_model=ConversationOut, responses={404: {"model": ErrorOut}})
def get_conversation(engine: EngineDep,
                     conversation_id: str = Path(max_length=100, pattern=r"^[A-Za-z0-9_-]+$")) -> ConversationOut:
    """Every turn of a conversation, oldest first."""
    conversation = engine.conversation(conversation_id)
    if conversation is None:
        raise ApiError(404, "conversation_not_found", f"no conversation with id {conversation_id!r}")
    return ConversationOut(id=conversation.id, created=conversation.created, turns=[
        TurnOut(question=t.turn.question, resolved_question=t.turn.resolved_question, answered=t.turn.answered,
                created=t.created, result=t.result) for t in conversation.turns])
