"""Documents: list, read (metadata and canonical text), add (JSON or file upload), delete."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from api.errors import ApiError
from api.schemas import DocumentIn, DocumentList, DocumentOut, DocumentSummary, ErrorOut, IngestOut
from index.writer import IndexBusyError
from qa.types import IngestReport

router = APIRouter(prefix="/v1/documents", tags=["documents"])
_ID = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


@router.get("", response_model=DocumentList)
def list_documents(request: Request, offset: int = Query(0, ge=0),
                   limit: int = Query(50, ge=1, le=500)) -> DocumentList:
    """Indexed articles, newest first, with their passage counts."""
    engine = request.app.state.holder.get()
    rows = engine.documents(offset, limit)
    return DocumentList(offset=offset, limit=limit, total=engine.index.store.counts()["documents"], documents=[
        DocumentSummary(id=d.id, title=d.title, source=d.source, url=d.url, published=d.published, passages=n)
        for d, n in rows])


@router.get("/{document_id}", response_model=DocumentOut, responses={404: {"model": ErrorOut}})
def get_document(request: Request, document_id: str = _ID) -> DocumentOut:
    """A document's metadata and the canonical text that citation offsets point into."""
    doc = request.app.state.holder.get().document(document_id)
    if doc is None:
        raise ApiError(404, "document_not_found", f"no document with id {document_id!r}")
    return DocumentOut(id=doc.id, source=doc.source, title=doc.title, url=doc.url,
                       published=doc.published, author=doc.author, lang=doc.lang,
                       tags=list(doc.tags), content_hash=doc.content_hash, text=doc.text)


@router.post("", status_code=201, response_model=IngestOut,
             responses={409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def add_document(body: DocumentIn, request: Request) -> IngestOut:
    """Add (or replace) one article given as JSON; answers reflect it right away."""
    record = body.model_dump(mode="json", exclude_none=True)
    # Without an id or url the text itself names the source, so posting it twice is a no-op.
    key = body.url or "api:" + hashlib.sha256(body.text.encode()).hexdigest()[:16]
    data = json.dumps(record, ensure_ascii=False).encode()
    return _ingest(request, data, "document.json", key)


@router.post("/upload", status_code=201, response_model=IngestOut,
             responses={409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def upload_document(request: Request, file: UploadFile = File(...)) -> IngestOut:
    """Add articles from one uploaded file (txt, md, html, json, jsonl), like `citeqa ingest`."""
    limit = request.app.state.holder.settings.max_file_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "too_large", f"file is over the {limit}-byte limit")
    name = file.filename or "upload"
    return _ingest(request, data, name, f"upload:{name}")


@router.delete("/{document_id}", status_code=204, responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
def delete_document(request: Request, document_id: str = _ID) -> Response:
    """Remove a document from every index; answers stop citing it right away."""
    try:
        deleted = request.app.state.holder.get().delete(document_id)
    except IndexBusyError as err:
        raise ApiError(409, "index_busy", str(err)) from None
    if not deleted:
        raise ApiError(404, "document_not_found", f"no document with id {document_id!r}")
    return Response(status_code=204)


def _ingest(request: Request, data: bytes, filename: str, key: str) -> IngestOut:
    try:
        report: IngestReport = request.app.state.holder.get().ingest_bytes(data, filename, key)
    except IndexBusyError as err:
        raise ApiError(409, "index_busy", str(err)) from None
    ids = report.added + report.replaced + report.unchanged
    if not ids:
        reasons = "; ".join(reason for _, reason in report.skipped) or "nothing to ingest"
        raise ApiError(422, "unreadable_document", f"{filename}: {reasons}")
    return IngestOut(ids=list(ids), added=list(report.added), replaced=list(report.replaced),
                     unchanged=list(report.unchanged), skipped=[{"source": s, "reason": r} for s, r in report.skipped])
