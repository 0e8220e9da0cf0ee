"""The app factory: load plugins, validate their config, open the store, mount the routes."""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..config import Settings
from ..errors import ConfigError, ErrorKind, PassportHubError
from ..exports.signing import Signer
from ..loader import Registry, component_config_errors, load_plugins
from ..pipeline import Pipeline
from ..store import Store
from .limits import BodyLimitMiddleware, ControlCharacterMiddleware
from .repo import ServiceRepo

log = logging.getLogger("passport_hub.service")

#: re-verify a shared record on view when its latest verification is older than this
SHARE_VERIFY_MAX_AGE_ENV = "PASSPORT_HUB_SHARE_VERIFY_MAX_AGE"
DEFAULT_SHARE_VERIFY_MAX_AGE = 60.0

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


@dataclass
class HubState:
    settings: Settings
    registry: Registry
    store: Store
    repo: ServiceRepo
    pipeline: Pipeline
    share_verify_max_age: float
    #: record pk → the re-verification running for it (share views share one)
    reverifying: dict = field(default_factory=dict)
    #: signs OB 3.0 / CLR 2.0 exports when a signing key is configured
    signer: Signer | None = None


def _max_age(settings: Settings) -> float:
    env = getattr(settings, "_environ", os.environ)
    raw = env.get(SHARE_VERIFY_MAX_AGE_ENV)
    if raw is None:
        return DEFAULT_SHARE_VERIFY_MAX_AGE
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise ConfigError(f"{SHARE_VERIFY_MAX_AGE_ENV} must be a number of seconds") from None


def create_app(settings: Settings | None = None, *, registry: Registry | None = None,
               store: Store | None = None) -> FastAPI:
    """Build the app.

    :raises ConfigError: listing every invalid plugin config at once (no secret values), or a
        required plugin is missing.
    :raises PluginError: strict plugin mode and a plugin failed.
    """
    settings = settings or Settings.from_env()
    registry = registry or load_plugins(settings)
    if errors := [message for messages in component_config_errors(registry, settings).values()
                  for message in messages]:
        raise ConfigError(f"{len(errors)} plugin config error(s): " + " | ".join(errors))
    max_age = _max_age(settings)
    signer = Signer.from_settings(settings)
    store = store or Store(settings.effective_database_url)
    state = HubState(settings, registry, store, ServiceRepo(store), Pipeline(registry, settings, store), max_age,
                     signer=signer)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        store.close()

    app = FastAPI(
        title="passport-hub",
        version=__version__,
        description=(
            "Career Passport hub: holders gather credentials, verify them and share them with employers.\n\n"
            "Authenticate with `Authorization: Bearer <token>`: the admin API key (from config) or a holder "
            "token (returned once by `POST /holders`). Share links (`/shares/{token}`) need no header."
        ),
        lifespan=lifespan,
    )
    app.state.hub = state
    app.add_middleware(BodyLimitMiddleware, upload_limit=settings.max_document_bytes)
    app.add_middleware(ControlCharacterMiddleware)

    @app.exception_handler(PassportHubError)
    async def hub_error(request: Request, exc: PassportHubError):
        status = STATUS_FOR_KIND.get(ErrorKind(exc.kind), 500)
        if status == 500:
            log.error("error on %s %s: %s", request.method, request.url.path, exc.internal_message)
        return JSONResponse({"detail": exc.user_message, "kind": str(exc.kind)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            problems.append(f"{where}: {err.get('msg')}")
        return JSONResponse({"detail": "invalid request: " + "; ".join(problems[:10]), "errors": problems[:50]},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal error; the request was not completed"}, status_code=500)

    from .cpl import router as cpl_router
    from .routes_admin import router as admin_router
    from .routes_holders import router as holders_router
    from .routes_shares import router as shares_router

    app.include_router(admin_router)
    app.include_router(holders_router)
    app.include_router(shares_router)
    app.include_router(cpl_router)
    return app
