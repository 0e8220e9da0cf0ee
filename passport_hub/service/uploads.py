"""Multipart uploads: one document per request, size-limited, with clear 4xx answers."""

from __future__ import annotations

import re

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from ..contract import Document
from ..errors import PassportHubError, TooLargeError, UnrecognizedError
from .http_errors import DocumentFailed

FIELD_LIMIT = 64 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


def _clean_name(name: str | None) -> str:
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE_NAME.sub("_", base)[:200] or "upload"


async def read_upload(request: Request, limit: int) -> Document:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise HTTPException(415, "upload the document as multipart/form-data with a `file` field "
                                 f"(got content type {content_type[:100] or 'none'!r})")
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=FIELD_LIMIT)
    except HTTPException as exc:
        if exc.status_code == 413:
            raise
        raise HTTPException(400, f"malformed multipart body: {exc.detail}") from None
    except Exception as exc:  # the parser's own errors: missing boundary, truncated body...
        raise HTTPException(400, f"malformed multipart body ({type(exc).__name__})") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(422, "the multipart body needs a `file` part holding the document")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise TooLargeError(f"{_clean_name(upload.filename)}: over the limit of {limit:,} bytes "
                                "(PASSPORT_HUB_MAX_DOCUMENT_BYTES)")
        if not data.strip():
            raise UnrecognizedError(f"{_clean_name(upload.filename)}: the document is empty")
        media_type = (upload.content_type or "").split(";")[0].strip()[:200] or None
        return Document(data=data, name=_clean_name(upload.filename), media_type=media_type, origin="upload")
    finally:
        await form.close()


class OnlyItems:
    """A source wrapper that refuses a document yielding the wrong kind of item (records vs catalog)."""

    def __init__(self, source, allowed: type, message: str):
        self._source, self._allowed, self._message = source, allowed, message
        self.name = source.name

    def parse(self, document: Document):
        for item in self._source.parse(document):
            if not isinstance(item, self._allowed):
                raise PassportHubError(f"{document.name}: {self._message}", kind="unrecognized")
            yield item


def ingest_only(state, document: Document, holder_id: str, allowed: type, message: str, *, uploaded: bool = True):
    """Sniff and ingest one document (blocking: call in a worker thread); errors raise, the ingest's
    as :class:`DocumentFailed`. ``uploaded``: the caller sent the document (not fetched from its issuer)."""
    source = OnlyItems(state.pipeline.sniff(document), allowed, message)
    outcome = state.pipeline.ingest(document, holder_id=holder_id, source=source)
    if outcome.error:
        # what an uploaded document says (a saved refusal page) reads no better on a retry; an
        # issuer's live answer may
        raise DocumentFailed(outcome.error, read=uploaded)
    return outcome
