"""Entry point of the ``open_badges`` plugin (kept light: crypto and JSON-LD load lazily)."""

from __future__ import annotations

from passport_hub import hookimpl

from .source import OpenBadgesSource
from .verifier import OpenBadgesVerifier

PASSPORT_HUB_API = ">=1.0,<2"


@hookimpl
def passport_hub_register_sources(register):
    register(OpenBadgesSource)


@hookimpl
def passport_hub_register_verifiers(register):
    register(OpenBadgesVerifier)
