"""POST /v1/ask: the answering pipeline over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from api.schemas import AskRequest, AskResponse, ErrorOut
from qa.engine import result_dict
from qa.types import Filters

router = APIRouter(prefix="/v1", tags=["answers"])


@router.post("/ask", response_model=AskResponse,
             responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def ask(body: AskRequest, request: Request) -> AskResponse:
    """Cited, extractive answers to a question, or an abstention with related passages."""
    engine = request.app.state.holder.get()
    filters = None
    if body.filters is not None:
        f = body.filters
        filters = Filters(tuple(f.document_ids) if f.document_ids is not None else None,
                          f.published_from.isoformat() if f.published_from else None,
                          f.published_to.isoformat() if f.published_to else None)
    result = engine.ask(body.question, body.top_k, filters)
    conversation_id = body.conversation_id if body.conversation_id is not None else uuid.uuid4().hex
    return AskResponse(**result_dict(result), conversation_id=conversation_id)
