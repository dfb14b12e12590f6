"""Documents: list, read (metadata and canonical text), add (JSON or file upload), delete."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile as StarletteUploadFile

from api.deps import EngineDep, SettingsDep
from api.errors import ApiError
from api.schemas import DocumentIn, DocumentList, DocumentOut, DocumentSummary, ErrorOut, IngestOut
from api.security import authorize_write
from index.backend import IndexBusyError
from qa.engine import Engine
from qa.types import IngestReport

router = APIRouter(prefix="/v1/documents", tags=["documents"])
_ID = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


@router.get("", response_model=DocumentList)
def list_documents(engine: EngineDep, offset: int = Query(0, ge=0, le=1_000_000_000),
                   limit: int = Query(50, ge=1, le=500)) -> DocumentList:
    """Indexed articles, newest first, with their passage counts."""
    rows = engine.documents(offset, limit)
    return DocumentList(offset=offset, limit=limit, total=engine.counts()["documents"], documents=[
        DocumentSummary(id=d.id, title=d.title, source=d.source, url=d.url, published=d.published, passages=n)
        for d, n in rows])


@router.get("/{document_id}", response_model=DocumentOut, responses={404: {"model": ErrorOut}})
def get_document(engine: EngineDep, document_id: str = _ID) -> DocumentOut:
    """A document's metadata and the canonical text that citation offsets point into."""
    doc = engine.document(document_id)
    if doc is None:
        raise ApiError(404, "document_not_found", f"no document with id {document_id!r}")
    return DocumentOut(id=doc.id, source=doc.source, title=doc.title, url=doc.url,
                       published=doc.published, author=doc.author, lang=doc.lang,
                       tags=list(doc.tags), content_hash=doc.content_hash, text=doc.text)


_JSON_OR_FILE = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": DocumentIn.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
    }},
}


@router.post("", status_code=201, response_model=IngestOut, openapi_extra=_JSON_OR_FILE,
             dependencies=[Depends(authorize_write)],
             responses={409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
async def add_document(request: Request, engine: EngineDep, settings: SettingsDep) -> IngestOut:
    """Add (or replace) articles: one as JSON, or an uploaded file (txt, md, html, json, jsonl)
    validated like `citeqa ingest`. Answers reflect them right away."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        data, name = await _uploaded(request, settings.max_file_bytes)
        return await run_in_threadpool(_ingest, engine, data, name, f"upload:{name}")
    try:
        body = DocumentIn.model_validate_json(await request.body())
    except ValidationError as err:
        raise RequestValidationError(err.errors()) from None
    record = body.model_dump(mode="json", exclude_none=True)
    # Without a url the text itself names the source, so posting it twice is a no-op.
    key = body.url or "api:" + hashlib.sha256(body.text.encode()).hexdigest()[:16]
    data = json.dumps(record, ensure_ascii=False).encode()
    return await run_in_threadpool(_ingest, engine, data, "document.json", key)


async def _uploaded(request: Request, limit: int) -> tuple[bytes, str]:
    """The bytes and name of the multipart `file` field, within `limit` bytes."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, StarletteUploadFile):
        raise ApiError(422, "validation_error", "file: a multipart field named 'file' is required")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "too_large", f"file is over the {limit}-byte limit")
    return data, upload.filename or "upload"


@router.delete("/{document_id}", status_code=204, dependencies=[Depends(authorize_write)],
               responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
def delete_document(engine: EngineDep, document_id: str = _ID) -> Response:
    """Remove a document from every index; answers stop citing it right away."""
    try:
        deleted = engine.delete(document_id)
    except IndexBusyError as err:
        raise ApiError(409, "index_busy", str(err)) from None
    if not deleted:
        raise ApiError(404, "document_not_found", f"no document with id {document_id!r}")
    return Response(status_code=204)


def _ingest(engine: Engine, data: bytes, filename: str, key: str) -> IngestOut:
    try:
        report: IngestReport = engine.ingest_bytes(data, filename, key)
    except IndexBusyError as err:
        raise ApiError(409, "index_busy", str(err)) from None
    ids = report.added + report.replaced + report.unchanged
    if not ids:
        reasons = "; ".join(reason for _, reason in report.skipped) or "nothing to ingest"
        raise ApiError(422, "unreadable_document", f"{filename}: {reasons}")
    return IngestOut(ids=list(ids), added=list(report.added), replaced=list(report.replaced),
                     unchanged=list(report.unchanged), skipped=[{"source": s, "reason": r} for s, r in report.skipped])
