"""The hub service: an ASGI app (FastAPI) over the core's loader, pipeline and store.

``create_app(settings)`` builds the app; ``passport-hub serve`` runs it on uvicorn.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
