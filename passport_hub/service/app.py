"""The app factory: load plugins, validate their config, open the store, mount the routes."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI

from .. import __version__
from ..config import Settings
from ..errors import ConfigError
from ..exports.signing import Signer
from ..loader import Registry, component_config_errors, load_plugins
from ..pipeline import Pipeline
from ..store import Store, open_store
from .http_errors import APP_ERRORS, error_responses, install_error_handlers
from .limits import BodyLimitMiddleware, ControlCharacterMiddleware
from .repo import ServiceRepo
from .routes_shares import PrivateShareHeaders


@dataclass
class HubState:
    settings: Settings
    registry: Registry
    store: Store
    repo: ServiceRepo
    pipeline: Pipeline
    #: re-verify a shared record on view when its latest verification is older than this
    share_verify_max_age: float
    #: record pk → the re-verification running for it (share views share one)
    reverifying: dict = field(default_factory=dict)
    #: signs OB 3.0 / CLR 2.0 exports when a signing key is configured
    signer: Signer | None = None


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
    signer = Signer.from_settings(settings)
    store = store or open_store(settings)
    state = HubState(settings, registry, store, ServiceRepo(store), Pipeline(registry, settings, store),
                     settings.share_verify_max_age,
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
            "token (returned once by `POST /holders`, or `POST /holders/{holder_id}/token` for an existing "
            "holder). Share links (`/shares/{token}`) need no header."
        ),
        lifespan=lifespan,
        responses=error_responses(*APP_ERRORS),
    )
    app.state.hub = state
    app.add_middleware(BodyLimitMiddleware, upload_limit=settings.max_document_bytes)
    app.add_middleware(ControlCharacterMiddleware)
    app.add_middleware(PrivateShareHeaders)  # the outermost: on the other middlewares' refusals too

    install_error_handlers(app)

    from .cpl import router as cpl_router
    from .routes_admin import router as admin_router
    from .routes_holders import router as holders_router
    from .routes_shares import router as shares_router

    app.include_router(admin_router)
    app.include_router(holders_router)
    app.include_router(shares_router)
    app.include_router(cpl_router)
    return app
