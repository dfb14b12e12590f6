"""POST /v1/ask: the answering pipeline over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import EngineDep
from api.errors import ApiError
from api.schemas import AskRequest, AskResponse, ErrorOut
from index.types import Filters
from qa.engine import ConversationNotFound, result_dict

router = APIRouter(prefix="/v1", tags=["answers"])


@router.post("/ask", response_model=AskResponse,
             responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def ask(body: AskRequest, request: Request, engine: EngineDep) -> AskResponse:
    """Cited, extractive answers to a question, or an abstention with related passages.

    Without `conversation_id` a new conversation starts; pass the returned
    id with the next question to ask a follow-up ("Why was he ...?").
    Quotes come newest first, each with its article's date; time in the
    question ("in March 2024", "last month") limits the articles used.
    """
    filters = None
    if body.filters is not None:
        f = body.filters
        filters = Filters(tuple(f.document_ids) if f.document_ids is not None else None,
                          f.published_from.isoformat() if f.published_from else None,
                          f.published_to.isoformat() if f.published_to else None)
    conversation_id = body.conversation_id if body.conversation_id is not None else engine.start_conversation()
    try:
        result = engine.ask(body.question, body.top_k, filters, conversation_id, as_of=body.as_of)
    except ConversationNotFound:
        raise ApiError(404, "conversation_not_found", f"no conversation with id {conversation_id!r}; "
                       "omit conversation_id to start one") from None
    request.app.state.metrics.answers.labels("answered" if result.answered else "abstained").inc()
    return AskResponse(**result_dict(result), conversation_id=conversation_id)
