"""The API's one error shape, ``{"detail", "kind", ...extras}`` (:class:`~.schemas.ErrorBody`).

:func:`error_body` builds every error answer: the exception handlers installed here, the
request-limit middleware and the share view's 410 alike.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import ErrorKind, PassportHubError
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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PassportHubError)
    async def hub_error(request: Request, exc: PassportHubError):
        status = STATUS_FOR_KIND.get(ErrorKind(exc.kind), 500)
        if status == 500:
            log.error("error on %s %s: %s", request.method, request.url.path, exc.internal_message)
        return error_response(status, exc.user_message, exc.kind)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            problems.append(f"{where}: {err.get('msg')}")
        return error_response(422, "invalid request: " + "; ".join(problems[:10]), errors=problems[:50])

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error_response(exc.status_code, exc.detail, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal error; the request was not completed")
