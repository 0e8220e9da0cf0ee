"""A holder's wallet: documents, fetch, records, verification, audit, exports."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from ..errors import ConfigError, PassportHubError
from ..model import CredentialRecord, Kind
from .auth import holder_access
from .http_errors import DocumentFailed, error_responses
from .routes_admin import UPLOAD_BODY
from .schemas import ID_OR_BEGINNING, FetchRequest, HolderInfo, IngestResult, VerifyRequest
from .uploads import ingest_only, read_upload

#: every route here looks up the holder its path names, for a holder token or the admin key
router = APIRouter(tags=["holders"], responses=error_responses(401, 404, 422))

RECORDS_ONLY = ("holds registry catalog data, not a holder's credential; "
                "an admin imports it with POST /catalog/documents")


def _result(outcome) -> IngestResult:
    return IngestResult(
        document=outcome.document, sha256=outcome.sha256, source=outcome.source, new=outcome.new,
        existing=outcome.existing, updated=outcome.updated, records=[i.to_json_dict() for i in outcome.items],
        rejected=outcome.rejected,
    )


@router.get("/holders/{holder_id}", response_model=HolderInfo, summary="The holder account")
def get_holder(request: Request, holder_id: str = Depends(holder_access)) -> dict:
    info = request.app.state.hub.repo.holder(holder_id)
    if info is None:
        raise HTTPException(404, "holder not found")
    return info


@router.post("/holders/{holder_id}/documents", status_code=201, response_model=IngestResult,
             openapi_extra=UPLOAD_BODY, responses=error_responses(413, 415),
             summary="Upload a document (multipart `file`); returns its records")
async def upload_document(request: Request, holder_id: str = Depends(holder_access)) -> IngestResult:
    state = request.app.state.hub
    document = await read_upload(request, state.settings.max_document_bytes)
    outcome = await run_in_threadpool(ingest_only, state, document, holder_id, CredentialRecord, RECORDS_ONLY)
    return _result(outcome)


@router.post("/holders/{holder_id}/fetch", status_code=201, response_model=list[IngestResult],
             responses=error_responses(413, 502, 503),
             summary="Ask a source to fetch documents from its issuer, then import them")
async def fetch(request: Request, body: FetchRequest, holder_id: str = Depends(holder_access)) -> list[IngestResult]:
    from ..fetching import fetch_documents

    state = request.app.state.hub
    try:
        # an unknown source is 404, before anything the issuer answers; one that reads files only is
        # the caller's mistake, not a setting the source needs (`config`)
        state.registry.fetching_source(body.source)
    except ConfigError as exc:
        raise HTTPException(422, f"{exc.user_message}; upload its documents instead") from None
    try:
        config = state.pipeline.source(body.source).config  # the fetch and the import share it
        documents = await fetch_documents(state.registry, state.settings, body.source, body.query, config=config)
    except PassportHubError as exc:
        raise DocumentFailed(exc) from None
    results = []
    for document in documents:
        outcome = await run_in_threadpool(ingest_only, state, document, holder_id, CredentialRecord, RECORDS_ONLY,
                                          uploaded=False)
        results.append(_result(outcome))
    return results


@router.get("/holders/{holder_id}/records", summary="The holder's records (with their latest verification)")
def list_records(request: Request, holder_id: str = Depends(holder_access),
                 kind: Kind | None = Query(None, description="Only records of this kind"),
                 limit: int = Query(500, ge=1, le=5000),
                 offset: int = Query(0, ge=0, le=10**9)) -> list[dict[str, Any]]:
    records = request.app.state.hub.store.records(holder_id, kind=kind.value if kind else None, limit=limit,
                                                  offset=offset)
    return [r.to_json_dict() for r in records]


@router.get("/holders/{holder_id}/records/{record_id}", summary="One record (passport-hub/record@1)")
def get_record(request: Request, record_id: str, holder_id: str = Depends(holder_access)) -> dict[str, Any]:
    found = request.app.state.hub.store.find_record(record_id, holder_id)
    if found is None:
        raise HTTPException(404, "record not found")
    return found[1].to_json_dict()


@router.delete("/holders/{holder_id}/records/{record_id}", status_code=204, response_class=Response,
               summary="Delete a record (and documents nothing else needs); it leaves every share")
def delete_record(request: Request, record_id: str, holder_id: str = Depends(holder_access)) -> Response:
    if not request.app.state.hub.store.delete_records(holder_id, [record_id]):
        raise HTTPException(404, "record not found")
    return Response(status_code=204)


@router.post("/holders/{holder_id}/verify", responses=error_responses(413),
             summary="Verify records now (stored as history)")
async def verify(request: Request, body: VerifyRequest | None = None,
                 holder_id: str = Depends(holder_access)) -> dict[str, Any]:
    from ..hub import selected_rows
    from ..verify import verify_stored

    state = request.app.state.hub
    # ids resolved as the CLI and the Python API resolve them: a unique beginning will do
    rows = await run_in_threadpool(selected_rows, state.store, body.record_ids if body else None, holder_id)
    results = await verify_stored(state.registry, state.settings, state.store, rows)
    return {"results": [{"record_id": r.id, "title": r.achievement.title,
                         "verification": results[r.id].model_dump(mode="json", exclude_none=True)}
                        for _pk, r in rows if r.id in results]}


@router.get("/holders/{holder_id}/audit", summary="Who looked at what: share views, and what an admin read or did")
def audit(request: Request, holder_id: str = Depends(holder_access), limit: int = Query(200, ge=1, le=1000),
          offset: int = Query(0, ge=0, le=10**9)) -> list[dict[str, Any]]:
    return request.app.state.hub.repo.audit_events(holder_id, limit, offset)


@router.get("/holders/{holder_id}/export", summary="Export records: Open Badges 3.0, CLR 2.0, LER-RS or JSON Resume",
            description="Unsigned JSON, unless the hub has a signing key (PASSPORT_HUB_SIGNING_KEY_FILE): then "
                        "`ob3` is a JSON array of VC-JWTs (one per record) and `clr` one VC-JWT "
                        "(`application/vc+ld+json+jwt`), issued and signed by the hub (EdDSA). "
                        "A holder with no records is 404.")
def export(request: Request, holder_id: str = Depends(holder_access),
           format: Literal["ob3", "clr", "ler-rs", "json-resume"] = Query(...),
           record_id: list[str] | None = Query(None, max_length=500,
                                               description="Only these records. " + ID_OR_BEGINNING),
           link: str | None = Query(None, max_length=2000, pattern=r"^https?://[^\s]+$",
                                    description="A verification link (e.g. your share link) to put in the export")):
    from ..exports import export_records
    from ..exports.signing import JWT_MEDIA_TYPE
    from ..hub import export_items

    state = request.app.state.hub
    # the ids resolved as `passport-hub export` and Hub.export resolve them, among this holder's records only
    records = export_items(state.store, holder_id, record_id)
    document = export_records(records, format, link=link, issuer_url=str(request.base_url).rstrip("/"),
                              signer=state.signer)
    if isinstance(document, str):
        return Response(document, media_type=JWT_MEDIA_TYPE)
    return document
