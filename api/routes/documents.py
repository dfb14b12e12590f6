"""Documents: metadata and canonical text."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from api.errors import ApiError
from api.schemas import DocumentOut, ErrorOut

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get("/{document_id}", response_model=DocumentOut, responses={404: {"model": ErrorOut}})
def get_document(request: Request,
                 document_id: str = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")) -> DocumentOut:
    """A document's metadata and the canonical text that citation offsets point into."""
    doc = request.app.state.holder.get().document(document_id)
    if doc is None:
        raise ApiError(404, "document_not_found", f"no document with id {document_id!r}")
    return DocumentOut(id=doc.id, source=doc.source, title=doc.title, url=doc.url,
                       published=doc.published, author=doc.author, lang=doc.lang,
                       tags=list(doc.tags), content_hash=doc.content_hash, text=doc.text)
