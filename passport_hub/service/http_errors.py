"""The API's one error shape, ``{"detail", "kind", ...extras}`` (:class:`~.schemas.ErrorBody`).

:func:`error_body` builds every error answer: the exception handlers installed here, the
request-limit middleware and the share view's 410 alike. :func:`error_responses` documents,
per operation, the statuses it answers that way.
"""

from __future__ import annotations

import difflib
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import ErrorKind, PassportHubError, shortened
from .schemas import ErrorBody, RequestErrorKind

log = logging.getLogger("passport_hub.service")

STATUS_FOR_KIND = {
    ErrorKind.CONFIG: 400,
    ErrorKind.AUTH: 502,
    ErrorKind.TRANSIENT: 503,
    ErrorKind.RATE_LIMITED: 503,
    ErrorKind.UPSTREAM: 502,
    ErrorKind.MALFORMED: 422,
    ErrorKind.UNRECOGNIZED: 422,
    ErrorKind.AMBIGUOUS: 422,
    ErrorKind.UNSAFE: 422,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.SYSTEM: 500,
}

#: the same for what a document or an issuer's answer failed with (upload, fetch): on those routes 404 means
#: that the holder or source the request names is missing, so a document that names no credential is 422
DOCUMENT_STATUS_FOR_KIND = {**STATUS_FOR_KIND, ErrorKind.NOT_FOUND: 422}
#: ... and for a document read whole: a saved page saying the issuer refused the lookup will not
#: read better on a retry, so it is no 503
READ_DOCUMENT_STATUS_FOR_KIND = {**DOCUMENT_STATUS_FOR_KIND, ErrorKind.UNAVAILABLE: 422}

#: the kind of an HTTPException's answer (raised by the routes, auth, uploads and Starlette itself)
KIND_FOR_STATUS = {
    400: RequestErrorKind.INVALID_REQUEST,
    401: ErrorKind.AUTH,
    403: ErrorKind.AUTH,
    404: ErrorKind.NOT_FOUND,
    409: RequestErrorKind.CONFLICT,
    410: RequestErrorKind.GONE,
    413: ErrorKind.TOO_LARGE,
    415: RequestErrorKind.UNSUPPORTED_MEDIA_TYPE,
    422: RequestErrorKind.INVALID_REQUEST,
}


def kind_for_status(status: int) -> ErrorKind | RequestErrorKind:
    # any other 4xx (Starlette's 405) is a request the API does not take
    return KIND_FOR_STATUS.get(status, RequestErrorKind.INVALID_REQUEST if status < 500 else ErrorKind.SYSTEM)


def error_body(detail: str, kind: ErrorKind | RequestErrorKind, **extras: Any) -> dict[str, Any]:
    """The JSON of an error answer; validated, so it cannot drift from the documented schema."""
    return ErrorBody(detail=detail, kind=kind, **extras).model_dump(mode="json", exclude_none=True)


def error_response(status: int, detail: str, kind: ErrorKind | RequestErrorKind | None = None, *,
                   headers: dict[str, str] | None = None, **extras: Any) -> JSONResponse:
    return JSONResponse(error_body(detail, kind or kind_for_status(status), **extras), status_code=status,
                        headers=headers)


class DocumentFailed(Exception):
    """What a document (``read``: its content) or an issuer's answer failed with, answered by
    :data:`READ_DOCUMENT_STATUS_FOR_KIND` or :data:`DOCUMENT_STATUS_FOR_KIND`."""

    def __init__(self, error: PassportHubError, *, read: bool = False):
        super().__init__(error.user_message)
        self.error = error
        self.statuses = READ_DOCUMENT_STATUS_FOR_KIND if read else DOCUMENT_STATUS_FOR_KIND


def _hub_error_response(request: Request, exc: PassportHubError, statuses: dict[ErrorKind, int]) -> JSONResponse:
    status = statuses.get(ErrorKind(exc.kind), 500)
    if status == 500:
        log.error("error on %s %s: %s", request.method, request.url.path, exc.internal_message)
    return error_response(status, exc.user_message, exc.kind)


def _query_names(request: Request) -> set[str] | None:
    """The query parameters the matched operation takes (those of its dependencies included), or
    ``None`` when no operation of the API matched."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return None
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        names.update(field.alias for field in current.query_params)
        pending.extend(current.dependencies)
    return names


#: the parameter clients add to defeat caches (jQuery's ``cache: false``: ``?_=<time>``): it names nothing
CACHE_BUSTER = "_"


def refuse_unknown_query(request: Request) -> None:
    """A query parameter the operation does not take is 422 ``invalid_request`` naming it (with the
    name meant, when one is close), not ignored: a misspelt ``record_id`` would export every record.

    Called once per request by the authentication (:mod:`.auth`), which every operation but the
    public ones (health, the share views) goes through."""
    if not request.query_params:
        return
    taken = _query_names(request)
    if taken is None:
        return
    unknown = [name for name in request.query_params if name not in taken and name != CACHE_BUSTER]
    if not unknown:
        return
    problems = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(taken), n=1, cutoff=0.6)
        if close:
            msg = f"unknown parameter; did you mean {close[0]!r}?"
        elif taken:
            msg = f"unknown parameter (this operation takes {', '.join(sorted(taken))})"
        else:
            msg = "unknown parameter (this operation takes none)"
        problems.append({"type": "extra_forbidden", "loc": ("query", name), "msg": msg})
    raise RequestValidationError(problems)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PassportHubError)
    async def hub_error(request: Request, exc: PassportHubError):
        return _hub_error_response(request, exc, STATUS_FOR_KIND)

    @app.exception_handler(DocumentFailed)
    async def document_failed(request: Request, exc: DocumentFailed):
        return _hub_error_response(request, exc.error, exc.statuses)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":  # FastAPI's "body.0: JSON decode error" says neither what nor where
                reason = (err.get("ctx") or {}).get("error", "")
                problems.append(shortened(f"body: not valid JSON ({reason}, at character {err['loc'][-1]})", 300))
                continue
            # a location names what the client sent (a JSON object's keys), so it is shortened as the message is
            where = ".".join(shortened(str(p), 40) for p in err.get("loc", ()))
            problems.append(shortened(f"{where}: {err.get('msg')}", 300))
        return error_response(422, "invalid request: " + "; ".join(problems[:10]), errors=problems[:50])

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error_response(exc.status_code, exc.detail, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal error; the request was not completed")


#: the OpenAPI description of each status, naming the kinds it comes with
DESCRIPTIONS: dict[int | str, str] = {
    400: "Bad request: control characters in the URL or a malformed multipart body (`invalid_request`), "
         "or a source that lacks a setting it needs (`config`)",
    401: "No valid admin API key or holder token (`auth`)",
    403: "This needs the admin API key, not a holder token (`auth`)",
    404: "Not found (`not_found`): no such holder, record, share, source or college; a holder the token "
         "may not act for is not found either (a document or issuer's answer that names no credential is 422)",
    409: "Conflicts with what is stored, e.g. sharing a revoked credential (`conflict`)",
    410: "The share link was revoked or expired (`gone`; `state` says which)",
    413: "The body or the document is over its size limit (`too_large`)",
    415: "The document was not uploaded as multipart/form-data (`unsupported_media_type`)",
    422: "Parameters or a JSON body that do not validate (`invalid_request`; `errors` lists each problem), "
         "an upload without its `file` part (`invalid_request`), a query parameter the operation does not take "
         "(`invalid_request`, listed in `errors` too; `_`, a client's cache-buster, is ignored), "
         "a fetch from a source that only reads files "
         "(`invalid_request`) or with terms the source cannot use (`malformed`), a document the hub cannot use "
         "(`malformed`, "
         "`unrecognized`, `ambiguous`, `unsafe`; `unavailable`: a saved page saying the issuer refused the "
         "lookup), the document or the issuer's answer names no credential (`not_found`), or a record id "
         "beginning fits several records (`ambiguous`)",
    500: "An unexpected error (`system`); the request was not completed",
    502: "The issuer failed (`upstream`) or refused the hub's own credentials (`auth`)",
    503: "The issuer is unavailable (`transient`, `unavailable`) or rate-limits the hub (`rate_limited`)",
    "default": "Any other error (such as 405 for a method the path does not have), in the same shape",
}

#: errors any request can get (middleware and handlers outside the routes): the app's default `responses`;
#: a `default` also keeps FastAPI from adding its own 422 body where no 422 is listed
APP_ERRORS = (400, 500, "default")

_WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}
_PAGE = {"text/html": {"schema": {"type": "string"}}}


def error_responses(*statuses: int | str, pages: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=``: each of ``statuses`` answers an :class:`ErrorBody`; those in ``pages``
    answer an HTML page instead when the caller asks for HTML."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        responses[status] = {"model": ErrorBody, "description": DESCRIPTIONS[status]}
        if status == 401:
            responses[status]["headers"] = _WWW_AUTHENTICATE
        if status in pages:
            responses[status]["content"] = _PAGE
    return responses


def page_responses(pages: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` of a route that answers HTML: ``pages`` (status → description) answer
    a page. The app's errors still answer JSON: they are restated by reference, since ``model=``
    would document them in the route's media type."""
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {**{status: {"description": DESCRIPTIONS[status], "content": body} for status in APP_ERRORS},
            **{status: {"description": description, "content": _PAGE} for status, description in pages.items()}}
