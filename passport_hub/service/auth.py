"""Who is calling: the admin (API key from config), a holder (holder token), or nobody.

Share tokens are not bearer credentials for the API: they only open ``/shares/{token}``.
A wrong or unknown token is 401; a valid holder token naming another holder is 404, the
same answer as for a holder that does not exist, so callers learn nothing about others.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..store import HOLDER_ID_PATTERN
from .http_errors import refuse_unknown_query
from .tokens import same

bearer = HTTPBearer(auto_error=False, description="The admin API key or a holder token.")

NOT_FOUND = "holder not found"


@dataclass(frozen=True)
class Principal:
    role: str  # "admin" | "holder"
    holder_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


UNAUTHORIZED = "a valid admin API key or holder token is required"
#: said only when no key is configured: then no caller can be the admin, so that is no secret
NO_ADMIN_KEY = ("no admin API key is configured on this hub (PASSPORT_HUB_ADMIN_API_KEY), "
                "so admin endpoints refuse every request")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _caller(request: Request, credentials: HTTPAuthorizationCredentials | None, refusal: str) -> Principal:
    """The admin or the holder the bearer token names; 401 saying ``refusal`` otherwise."""
    token = credentials.credentials if credentials else ""
    if not token or len(token) > 512:
        raise _unauthorized(refusal)
    state = request.app.state.hub
    if same(token, state.settings.admin_api_key):
        return Principal("admin")
    holder_id = state.repo.holder_for_token(token)
    if holder_id is None:
        raise _unauthorized(refusal)
    return Principal("holder", holder_id)


# Every operation but the public ones (health, the share views) needs `principal` or `admin`: once the
# caller may call it, a query parameter it does not take is refused there (422; a misspelt one is not ignored).


def principal(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    who = _caller(request, credentials, UNAUTHORIZED)
    refuse_unknown_query(request)
    return who


def admin(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    no_key = not request.app.state.hub.settings.admin_api_key
    who = _caller(request, credentials, NO_ADMIN_KEY if no_key else UNAUTHORIZED)
    if not who.is_admin:
        raise HTTPException(status_code=403, detail=NO_ADMIN_KEY if no_key else "this needs the admin API key")
    refuse_unknown_query(request)
    return who


def holder_access(
    request: Request,
    holder_id: str = Path(pattern=HOLDER_ID_PATTERN, max_length=64, description="The holder's id"),
    who: Principal = Depends(principal),
) -> str:
    """The holder the path names, if the caller may act for it; audits everything an admin reads
    or does in a holder's name (a share link the admin made is the holder's to know about)."""
    state = request.app.state.hub
    if who.is_admin:
        if not state.store.holder_exists(holder_id):
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        action = "admin.read" if request.method in ("GET", "HEAD") else "admin.write"
        state.repo.audit(holder_id, action, "admin", method=request.method, path=request.url.path,
                         user_agent=request.headers.get("user-agent", "")[:300])
        return holder_id
    if who.holder_id != holder_id:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return holder_id
