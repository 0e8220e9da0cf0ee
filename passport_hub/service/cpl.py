"""Credit for prior learning over HTTP (docs/cpl.md).

- ``GET /holders/{holder_id}/cpl?college=NAME``: the holder (their token) or an admin, i.e.
  the college evaluator (audited as an admin read, like every admin GET of a holder).
- ``GET /colleges``, ``GET /colleges/{college}/articulations``: admin.
- ``POST /colleges/{college}/articulations?format=map|hub``: admin uploads a rules file
  (multipart ``file``), MAP's template or the hub format: 201 with the counts and the rows
  rejected; 422 (``malformed``, ``rejected`` listing them) when no rule is stored.

Mount with ``app.include_router(passport_hub.service.cpl.router)``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from ..cpl import ArticulationRepo, CplReport, NothingImportedError, cpl_for_holder, import_articulations
from .auth import Principal, admin, holder_access
from .http_errors import error_response, error_responses
from .routes_admin import UPLOAD_BODY
from .uploads import read_upload

router = APIRouter(tags=["credit for prior learning"])

COLLEGE = Query(..., min_length=1, max_length=200, description="The college whose articulations apply")
COLLEGE_PATH = Path(..., min_length=1, max_length=200, description="The college's name")


@router.get("/holders/{holder_id}/cpl", response_model=CplReport, responses=error_responses(401, 404, 422),
            summary="College courses the holder's credentials earn at a college (holder or admin)")
def holder_cpl(request: Request, college: str = COLLEGE, holder_id: str = Depends(holder_access)) -> CplReport:
    return cpl_for_holder(request.app.state.hub.store, holder_id, college)


@router.get("/colleges", responses=error_responses(401, 403), summary="Colleges with articulation rules (admin)")
def colleges(request: Request, _: Principal = Depends(admin)) -> list[dict[str, Any]]:
    return ArticulationRepo(request.app.state.hub.store).colleges()


@router.get("/colleges/{college}/articulations", responses=error_responses(401, 403, 404, 422),
            summary="A college's articulation rules (admin)")
def college_rules(request: Request, college: str = COLLEGE_PATH, _: Principal = Depends(admin)) -> dict[str, Any]:
    name, rules = ArticulationRepo(request.app.state.hub.store).rules(college)
    return {"college": name, "articulations": [
        {"id": r.id, "course": {"subject": r.subject, "number": r.number, "code": r.course_code, "title": r.title,
                                "units": r.units},
         "kind": r.kind, "credential": r.credential_label(), "ace_id": r.ace_id, "ace_version": r.ace_version,
         "exhibit_start": r.exhibit_start, "exhibit_end": r.exhibit_end, "team_reviewed_date": r.version_date,
         "map_exhibit_id": r.map_exhibit_id, "ctid": r.ctid, "issuer": r.issuer_name,
         "credential_title": r.credential_title, "min_pay_grade": r.min_pay_grade,
         "min_skill_level": r.min_skill_level, "recency_years": r.recency_years, "status": r.status,
         "credit_recommendation": r.credit_recommendation, "notes": r.notes, "source": r.source}
        for r in rules]}


@router.post("/colleges/{college}/articulations", status_code=201, openapi_extra=UPLOAD_BODY,
             responses=error_responses(401, 403, 413, 415, 422),
             summary="Import articulation rules for a college: MAP template or hub format (admin)",
             description="201: the rules new, updated and unchanged, and the rows `rejected` (row, reason). "
                         "A file from which no rule is stored (every row rejected, or no rows) is refused with "
                         "422 (`malformed`), its rows and reasons in `rejected`; nothing is written.")
async def import_rules(request: Request, college: str = COLLEGE_PATH,
                       format: Literal["map", "hub"] | None = Query(None, description="Default: detected"),
                       _: Principal = Depends(admin)) -> dict[str, Any]:
    state = request.app.state.hub
    document = await read_upload(request, state.settings.max_document_bytes)
    try:
        result = await run_in_threadpool(import_articulations, state.store, document.data, college=college,
                                         format=format, name=document.name)
    except NothingImportedError as exc:  # not "created": the rows and why each was refused
        return error_response(422, exc.summary, exc.kind, rejected=exc.rejected)
    return result.as_dict()
