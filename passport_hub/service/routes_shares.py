"""Shares: a holder grants a link to selected records; anyone with the link sees them, freshly verified."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..dates import parse_datetime
from ..model import CredentialRecord, Verification
from .auth import holder_access
from .http_errors import error_response, error_responses, page_responses
from .repo import SharedRow
from .schemas import ShareCreate, ShareCreated, ShareSummary
from .sharepage import gone_page, not_found_page, share_page

router = APIRouter()

MAX_TOKEN = 200
#: a share holds a person's records and is reached by a token in its URL: no cache (a shared
#: computer's browser, a proxy) keeps it
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
NOT_FOUND = "share link not found"


@router.post("/holders/{holder_id}/shares", status_code=201, response_model=ShareCreated, tags=["shares"],
             responses=error_responses(401, 404, 409, 413, 422),
             summary="Share selected records through a link that expires")
def create_share(request: Request, body: ShareCreate, holder_id: str = Depends(holder_access)) -> ShareCreated:
    from ..hub import selected_rows

    state = request.app.state.hub
    # ids resolved as the CLI and the Python API resolve them: a unique beginning will do
    rows = selected_rows(state.store, body.record_ids, holder_id)
    found = [r for _pk, r in rows]
    wanted = [r.id for r in found]
    revoked = [r.achievement.title for r in found if r.status == "revoked"
               or (r.verification is not None and r.verification.status == "revoked")]
    if revoked:
        raise HTTPException(409, f"revoked credentials cannot be shared: {', '.join(revoked[:10])}")
    warnings = []
    today = datetime.now(UTC).date()
    for r in found:
        if r.status == "expired" or (r.expires_on and r.expires_on < today):
            warnings.append(f"{r.achievement.title}: the credential itself expired"
                            + (f" on {r.expires_on.isoformat()}" if r.expires_on else ""))
        if r.verification is None:
            warnings.append(f"{r.achievement.title}: never verified; the link shows a fresh check")
    college = None
    if body.cpl_college:
        from ..cpl import ArticulationRepo

        _college_id, college = ArticulationRepo(state.store).college(body.cpl_college)  # 404 for an unknown one
    pks = {r.id: pk for pk, r in rows}
    expires_at = datetime.now(UTC) + timedelta(seconds=body.expires_in_seconds)
    share_id, token = state.repo.create_share(holder_id, [pks[rid] for rid in wanted], expires_at, body.audience,
                                              college)
    base = str(request.base_url).rstrip("/")
    return ShareCreated(id=share_id, token=token, url=f"{base}/shares/{token}", html_url=f"{base}/shares/{token}.html",
                        link_expires_at=expires_at, audience=body.audience, cpl_college=college, record_ids=wanted,
                        warnings=warnings)


@router.get("/holders/{holder_id}/shares", response_model=list[ShareSummary], tags=["shares"],
            responses=error_responses(401, 404, 422),
            summary="The holder's shares (tokens are never shown again)")
def list_shares(request: Request, holder_id: str = Depends(holder_access)) -> list[dict]:
    now = datetime.now(UTC)
    return [s.as_dict(now) for s in request.app.state.hub.repo.shares(holder_id)]


@router.get("/holders/{holder_id}/shares/{share_id}", response_model=ShareSummary, tags=["shares"],
            responses=error_responses(401, 404, 422),
            summary="One share")
def get_share(request: Request, share_id: str, holder_id: str = Depends(holder_access)) -> dict:
    info = request.app.state.hub.repo.share(holder_id, share_id)
    if info is None:
        raise HTTPException(404, "share not found")
    return info.as_dict(datetime.now(UTC))


@router.delete("/holders/{holder_id}/shares/{share_id}", status_code=204, response_class=Response, tags=["shares"],
               responses=error_responses(401, 404, 422),
               summary="Revoke a share: its link answers 410 from now on")
def revoke_share(request: Request, share_id: str, holder_id: str = Depends(holder_access)) -> Response:
    if not request.app.state.hub.repo.revoke_share(holder_id, share_id):
        raise HTTPException(404, "share not found")
    return Response(status_code=204)


def _public_record(data: dict[str, Any], verification: dict[str, Any] | None) -> dict[str, Any]:
    """What a viewer sees: the stored record (JSON, as ``CredentialRecord.to_json_dict`` gives it)
    minus the holder's private details (birth date, e-mail, ids), with its newest verification."""
    if holder := data.get("holder"):
        data["holder"] = {k: v for k, v in holder.items() if k in ("name", "given_name", "family_name")}
    warnings = data.pop("warnings", None)
    data.pop("verification", None)
    if verification is not None:
        data["verification"] = verification
    if warnings is not None:
        data["warnings"] = warnings
    data["credential_valid_until"] = data.get("expires_on")
    return data


def _gone_message(info) -> str:
    if info.revoked_at is not None:
        return f"This share link was revoked by the holder on {info.revoked_at:%Y-%m-%d %H:%M} UTC."
    return f"This share link expired on {info.expires_at:%Y-%m-%d %H:%M} UTC. Ask the holder for a new link."


def _checked_at(verification: dict) -> datetime | None:
    try:
        return parse_datetime(verification["checked_at"])
    except (KeyError, TypeError, ValueError):
        return None


async def _reverify(state, stale: list[SharedRow]) -> dict[int, Verification]:
    """Fresh verifications for stale shared records (store pk → verification), stored as history.

    Single flight: concurrent views of the same records wait for the one verification already
    running instead of each starting their own. The work runs as its own task, so a viewer
    that goes away does not cancel it for the others.
    """
    inflight: dict[int, asyncio.Task] = state.reverifying
    mine = [row for row in stale if row.pk not in inflight]
    if mine:
        task = asyncio.create_task(_verify_rows(state, mine))
        for row in mine:
            inflight[row.pk] = task

        def done(t: asyncio.Task) -> None:
            for row in mine:
                if inflight.get(row.pk) is t:
                    del inflight[row.pk]
            if not t.cancelled():
                t.exception()  # retrieved here; each waiter sees it too

        task.add_done_callback(done)
    fresh: dict[int, Verification] = {}
    for task in {inflight[row.pk] for row in stale if row.pk in inflight}:
        fresh.update(await asyncio.shield(task))
    return fresh


async def _verify_rows(state, rows: list[SharedRow]) -> dict[int, Verification]:
    from ..verify import verify_stored

    records = [(row.pk, CredentialRecord.model_validate_json(row.data)) for row in rows]
    by_id = await verify_stored(state.registry, state.settings, state.store, records)
    return {pk: by_id[r.id] for pk, r in records if r.id in by_id}


async def _view(request: Request, token: str, as_html: bool):
    state = request.app.state.hub
    opened = await _db(state, state.repo.open_share, token) if len(token) <= MAX_TOKEN else None
    if opened is None:
        if as_html:
            return HTMLResponse(not_found_page(), status_code=404)
        raise HTTPException(404, NOT_FOUND)
    info, rows = opened
    now = datetime.now(UTC)
    if info.state(now) != "active":
        message = _gone_message(info)
        if as_html:
            return HTMLResponse(gone_page(message), status_code=410)
        return error_response(410, message, state=info.state(now))
    max_age = state.share_verify_max_age
    latest: dict[int, dict | None] = {}
    stale: list[SharedRow] = []
    for row in rows:
        verification = json.loads(row.verification) if row.verification else None
        latest[row.pk] = verification
        checked = _checked_at(verification) if verification else None
        if checked is None or (now - checked).total_seconds() > max_age:
            stale.append(row)
    fresh: dict[int, Verification] = {}
    if stale:
        fresh = await _reverify(state, stale)
        for pk, verification in fresh.items():
            latest[pk] = verification.model_dump(mode="json", exclude_none=True)
    fmt = "html" if as_html else "json"
    await _db(state, state.repo.audit_share_view, info.holder_id, info.id, [row.record_id for row in rows],
              request.headers.get("user-agent", "")[:300], fmt)
    share = {"id": info.id, "audience": info.audience, "created_at": info.created_at.isoformat(),
             "link_expires_at": info.expires_at.isoformat()}
    # the page and the CPL section take the records as models, with the verifications the view shows
    records = [_shown(row, fresh.get(row.pk), latest[row.pk]) for row in rows] if as_html or info.cpl_college else []
    cpl = await _db(state, _shared_cpl, state, info, records) if info.cpl_college else None
    if as_html:
        return HTMLResponse(share_page(share, records, cpl))
    return JSONResponse(content={
        "share": share,
        "notice": "The link expiry is when this link stops working; each credential's own validity is "
                  "`credential_valid_until`. Verification results were checked at `verification.checked_at`.",
        "records": [_public_record(json.loads(row.data), latest[row.pk]) for row in rows],
        **({"cpl": cpl.model_dump(mode="json", exclude={"holder"})} if cpl else {}),
    })


def _shown(row: SharedRow, fresh: Verification | None, latest: dict | None) -> CredentialRecord:
    """A shared record with the verification the view shows: the one just run, else the newest stored."""
    record = CredentialRecord.model_validate_json(row.data)
    record.verification = fresh or (Verification.model_validate(latest) if latest else None)
    return record


def _shared_cpl(state, info, records: list[CredentialRecord]):
    """Credit for prior learning at the share's college, from the shared records only (with their
    verifications: a failed or revoked one earns nothing)."""
    from ..cpl.matching import cpl_for_records
    from ..errors import NotFoundError

    try:
        return cpl_for_records(state.store, records, info.cpl_college, holder="", wallet=info.holder_id)
    except NotFoundError:  # the college's rules were removed after sharing
        return None


async def _db(state, func, *args, **kwargs):
    """Run a short store call: inline on SQLite (a local file; a thread hop costs more than the query),
    in the thread pool on a networked database so the event loop never waits on it."""
    if state.store.engine.dialect.name == "sqlite":
        return func(*args, **kwargs)
    return await run_in_threadpool(func, *args, **kwargs)


def _wants_html(request: Request, fmt: str | None) -> bool:
    if fmt in ("html", "json"):
        return fmt == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split(",")[0]


@router.get("/shares/{token}.html", tags=["shares"], response_class=HTMLResponse,
            responses=page_responses({404: "No such share link", 410: "The share link was revoked or expired"}),
            summary="The shared records as a web page (no login)")
async def view_share_html(request: Request, token: str):
    return await _view(request, token, True)


@router.get("/shares/{token}", tags=["shares"],
            summary="The shared records with fresh verification (JSON; HTML with Accept or ?format=html)",
            responses=error_responses(404, 410, 422, pages=(404, 410)))
async def view_share(request: Request, token: str,
                     format: str | None = Query(None, description="html or json; otherwise (or absent) as the "
                                                "Accept header asks, JSON by default")):
    # lenient, as a link pasted around picks up what it picks up: only "html" means anything
    return await _view(request, token, _wants_html(request, format))


class PrivateShareHeaders:
    """Every answer under ``/shares/`` carries :data:`PRIVATE`, the refusals too (an unknown or revoked
    link, a URL refused before any route): the token is in the URL whatever the answer."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/shares/"):
            await self.app(scope, receive, send)
            return

        async def private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PRIVATE.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, private)
