"""Request limits: body sizes, enforced while the body streams in (before anything is
spooled), and URLs free of control characters."""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from .http_errors import error_response

#: non-upload bodies (JSON) are small
JSON_BODY_LIMIT = 1024 * 1024
#: room for multipart boundaries and headers around a document at the size limit
MULTIPART_OVERHEAD = 64 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, detail: str):
        super().__init__(413, detail)


#: routes whose body is an uploaded document (multipart ``file``): they get the document limit
UPLOAD_PATH_ENDINGS = ("/documents", "/articulations")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, upload_limit: int):
        self.app = app
        self.upload_limit = upload_limit + MULTIPART_OVERHEAD
        # the user knows the document limit (PASSPORT_HUB_MAX_DOCUMENT_BYTES), not the overhead added to it
        self.upload_refusal = (f"the upload is over the limit of {upload_limit:,} bytes for a document "
                               "(PASSPORT_HUB_MAX_DOCUMENT_BYTES)")

    def limit_for(self, scope: Scope) -> tuple[int, str]:
        """The body limit of the request's route, and the refusal that names it."""
        if scope.get("path", "").endswith(UPLOAD_PATH_ENDINGS):
            return self.upload_limit, self.upload_refusal
        return JSON_BODY_LIMIT, f"request body is over the limit of {JSON_BODY_LIMIT:,} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, refusal = self.limit_for(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    # the body is never read, so the connection cannot carry another request
                    too_large = BodyTooLarge(refusal)
                    response = error_response(too_large.status_code, too_large.detail, headers={"Connection": "close"})
                    await response(scope, receive, send)
                    return
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(refusal)
            return message

        await self.app(scope, limited, send)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ControlCharacterMiddleware:
    """Refuses URLs with control characters (NUL and friends) with a 400.

    No identifier, token or search term contains them, and PostgreSQL text cannot hold
    NUL, so they would otherwise surface as a database error deep in a handler.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = unquote(scope.get("query_string", b"").decode("latin-1"))
            if _CONTROL.search(scope.get("path", "")) or _CONTROL.search(query):
                response = error_response(400, "control characters are not allowed in URLs")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
