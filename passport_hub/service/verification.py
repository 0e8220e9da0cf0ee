"""Running the verification engine (:mod:`passport_hub.verify`) from the service.

The service builds one instance of every registered verifier, each with its own issuer
client limited to the hosts its config names, hands them to the engine with the store's
catalog and documents, and stores each result as history.
"""

from __future__ import annotations

import contextlib
import logging

from ..config import Settings
from ..http import IssuerClient
from ..loader import Registry
from ..model import CredentialRecord, Verification
from ..store import Store

log = logging.getLogger("passport_hub.service")

#: seconds one verifier may take for one record before it counts as "could not check"
VERIFY_TIMEOUT_SECONDS = 20.0


async def verify_records(registry: Registry, settings: Settings, store: Store,
                         records: list[tuple[int, CredentialRecord]]) -> dict[str, Verification]:
    """Verify records now; returns record id → verification (also stored as history)."""
    if not records:
        return {}
    from ..verify import make_context_factory
    from ..verify import verify_records as engine_verify

    async with contextlib.AsyncExitStack() as stack:
        verifiers = []
        for name, cls in registry.verifiers.items():
            verifier = cls(settings.component_config(name, cls.config_model))
            verifier.http = await stack.enter_async_context(IssuerClient(
                allowed_hosts=verifier.allowed_hosts(), name=name, allow_private=settings.allow_private_hosts))
            verifier.plugin_name = registry.verifier_plugins.get(name)
            verifiers.append(verifier)
        factory = make_context_factory(catalog=store.catalog(), documents=store.document_bytes)
        results = await engine_verify([r for _pk, r in records], verifiers, factory, timeout=VERIFY_TIMEOUT_SECONDS)
    for pk, record in records:
        if (verification := results.get(record.id)) is not None:
            store.add_verification(pk, verification)
    return results
