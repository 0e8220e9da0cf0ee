"""passport-hub: credential connectors and a hub for a career passport.

The public API: ``hookimpl`` for plugins, the contract classes, the record model and
the error types. Everything else is reached through the CLI or the service.
"""

from __future__ import annotations

import pluggy

from .contract import API_VERSION, CheckResult, CredentialSource, Document, Verifier, VerifyContext
from .errors import ErrorKind, PassportHubError
from .hookspecs import PROJECT_NAME
from .model import CatalogEntry, Check, CredentialRecord, stable_id

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = [
    "API_VERSION",
    "CatalogEntry",
    "Check",
    "CheckResult",
    "CredentialRecord",
    "CredentialSource",
    "Document",
    "ErrorKind",
    "PassportHubError",
    "Verifier",
    "VerifyContext",
    "__version__",
    "hookimpl",
    "stable_id",
]
