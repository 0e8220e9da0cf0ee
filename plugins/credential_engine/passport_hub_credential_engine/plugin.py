"""Entry point of the ``credential_engine`` plugin: registers its source and verifier.

Kept light: the CTDL parser is imported only when a document is parsed.
"""

from __future__ import annotations

from passport_hub import hookimpl

PASSPORT_HUB_API = ">=1.0,<2"


@hookimpl
def passport_hub_register_sources(register):
    from .source import CredentialEngineSource

    register(CredentialEngineSource)


@hookimpl
def passport_hub_register_verifiers(register):
    from .verifier import CredentialEngineVerifier

    register(CredentialEngineVerifier)
