"""Health, plugins, holder accounts and the catalog."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from .. import __version__
from ..errors import UnrecognizedError
from ..store import CATALOG_OWNER
from .auth import Principal, admin, holder_access, principal
from .http_errors import error_responses
from .schemas import HolderCreate, HolderCreated, HolderInfo

router = APIRouter()


@router.get("/health", tags=["service"], summary="Liveness and what is loaded")
def health(request: Request) -> dict[str, Any]:
    state = request.app.state.hub
    return {"status": "ok", "version": __version__, "plugins_loaded": sum(
        1 for p in state.registry.plugins if p.status == "loaded")}


@router.get("/plugins", tags=["service"], responses=error_responses(401, 403),
            summary="Installed plugins (same rows as `passport-hub plugins --json`)")
def plugins(request: Request, _: Principal = Depends(admin)) -> list[dict[str, Any]]:
    registry = request.app.state.hub.registry
    return [p.as_dict(registry) for p in registry.plugins]


@router.post("/holders", status_code=201, tags=["holders"], response_model=HolderCreated,
             responses=error_responses(401, 403, 413, 422),
             summary="Create a holder account (admin); the token is returned once")
def create_holder(request: Request, body: HolderCreate | None = None, _: Principal = Depends(admin)) -> HolderCreated:
    holder_id, token = request.app.state.hub.repo.create_holder(body.display_name if body else None)
    return HolderCreated(id=holder_id, token=token, display_name=body.display_name if body else None)


@router.post("/holders/{holder_id}/token", status_code=201, tags=["holders"], response_model=HolderCreated,
             responses=error_responses(401, 403, 404, 422),
             summary="Issue a new token for an existing holder (admin); the token is returned once",
             description="For a holder the command line created (`passport-hub import --holder ID`), which has no "
                         "token, or to replace a lost or leaked one: the previous token stops working at once. Only "
                         "the token's hash is stored. Audited as an `admin.write` event the holder can list.")
def issue_holder_token(request: Request, _: Principal = Depends(admin),
                       holder_id: str = Depends(holder_access)) -> HolderCreated:
    # admin first: a holder token is refused (403) before holder_access would let it act for itself;
    # holder_access then answers 404 for an unknown holder and audits this as the holder's admin.write
    token, display_name = request.app.state.hub.repo.issue_token(holder_id)
    return HolderCreated(id=holder_id, token=token, display_name=display_name)


@router.get("/holders", tags=["holders"], response_model=list[HolderInfo], responses=error_responses(401, 403, 422),
            summary="List holder accounts (admin)")
def list_holders(request: Request, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9),
                 _: Principal = Depends(admin)) -> list[dict]:
    return request.app.state.hub.repo.holders(limit, offset)


@router.get("/catalog", tags=["catalog"], responses=error_responses(401, 422),
            summary="Search the approved-credentials catalog (admin or holder)")
def catalog(request: Request, q: str | None = Query(None, max_length=200, description="Words of a title or issuer"),
            limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=10**9),
            _: Principal = Depends(principal)) -> dict[str, Any]:
    entries = request.app.state.hub.store.catalog_entries(q, limit=limit, offset=offset)
    return {"query": q, "count": len(entries), "entries": [e.to_json_dict() for e in entries]}


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary", "description": "The document"}},
        }}},
    }
}


@router.post("/catalog/documents", status_code=201, tags=["catalog"], openapi_extra=UPLOAD_BODY,
             responses=error_responses(401, 403, 413, 415, 422),
             summary="Import registry (CTDL) data into the catalog (admin)")
async def import_catalog(request: Request, _: Principal = Depends(admin)) -> dict[str, Any]:
    from ..model import CatalogEntry
    from .uploads import ingest_only, read_upload

    state = request.app.state.hub
    document = await read_upload(request, state.settings.max_document_bytes)
    outcome = await run_in_threadpool(
        ingest_only, state, document, CATALOG_OWNER, CatalogEntry,
        "holds credential records, not registry data; a holder uploads it to their wallet",
    )
    entries = [i for i in outcome.items if isinstance(i, CatalogEntry)]
    if not entries:
        raise UnrecognizedError(f"{document.name}: no catalog entries in this document")
    return {"document": document.name, "sha256": outcome.sha256, "source": outcome.source,
            "new": outcome.new, "existing": outcome.existing, "entries": [e.to_json_dict() for e in entries]}


@router.get("/ns/passport-hub-v1.jsonld", tags=["service"], summary="JSON-LD context of the exports' extension term")
def jsonld_context() -> dict[str, Any]:
    from ..exports.common import CONTEXT_DOCUMENT

    return CONTEXT_DOCUMENT
