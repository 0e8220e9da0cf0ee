"""passport-hub hooks for the ``etranscript`` plugin (kept light: no lxml at import)."""

from __future__ import annotations

from passport_hub import hookimpl

from .source import EtranscriptSource
from .verifier import EtranscriptVerifier

PASSPORT_HUB_API = ">=1.0,<2"


@hookimpl
def passport_hub_register_sources(register):
    register(EtranscriptSource)


@hookimpl
def passport_hub_register_verifiers(register):
    register(EtranscriptVerifier)
