"""passport-hub: credential connectors and a hub for a career passport.

The public API:

- ``Hub``: the hub from Python (import documents, fetch from issuers, list, verify and
  export records; see docs/python-api.md). Imported on first use, so ``import passport_hub``
  stays light (no database, web framework or plugins);
- for plugins: ``hookimpl`` and the contract classes (``CredentialSource``, ``Verifier``,
  ``Document`` ...; see docs/writing-a-plugin.md);
- the record model (``CredentialRecord``, ``CatalogEntry``, ``Check``, ``stable_id``) and the
  error types (``PassportHubError`` and its ``ErrorKind``; each kind's class is in
  ``passport_hub.errors``).

The command line and the service are built from the same parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from .contract import API_VERSION, CheckResult, CredentialSource, Document, Verifier, VerifyContext
from .errors import ErrorKind, PassportHubError
from .hookspecs import PROJECT_NAME
from .model import CatalogEntry, Check, CredentialRecord, stable_id

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .hub import Hub

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


def __getattr__(name: str):
    # the Hub brings the store (SQLAlchemy) and the pipeline: only for those who use it
    if name == "Hub":
        from .hub import Hub

        return Hub
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "API_VERSION",
    "CatalogEntry",
    "Check",
    "CheckResult",
    "CredentialRecord",
    "CredentialSource",
    "Document",
    "ErrorKind",
    "Hub",
    "PassportHubError",
    "Verifier",
    "VerifyContext",
    "__version__",
    "hookimpl",
    "stable_id",
]
