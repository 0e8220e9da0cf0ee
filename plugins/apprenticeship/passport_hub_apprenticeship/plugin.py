"""Entry point of the ``apprenticeship`` plugin (kept light: the readers load on first use)."""

from __future__ import annotations

from passport_hub import hookimpl

PASSPORT_HUB_API = ">=1.0,<2"


@hookimpl
def passport_hub_register_sources(register):
    from .source import ApprenticeshipSource

    register(ApprenticeshipSource)


@hookimpl
def passport_hub_register_verifiers(register):
    from .verifier import ApprenticeshipVerifier

    register(ApprenticeshipVerifier)
