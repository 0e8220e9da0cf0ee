"""Entry point of the ``passport-hub-red-cross`` distribution (kept light: lxml and the PDF
reader are imported only when a document is read)."""

from __future__ import annotations

from passport_hub import hookimpl

PASSPORT_HUB_API = ">=1.0,<2"


@hookimpl
def passport_hub_register_sources(register):
    from .source import RedCrossSource

    register(RedCrossSource)


@hookimpl
def passport_hub_register_verifiers(register):
    from .verifier import RedCrossVerifier

    register(RedCrossVerifier)
