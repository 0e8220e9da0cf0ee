"""Asking a source to fetch documents from its issuer, through the shared client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from pydantic import BaseModel

from .config import Settings
from .contract import CredentialSource, Document, Verifier
from .http import HttpSettings, IssuerClient
from .loader import Registry


def issuer_client(component: CredentialSource | Verifier, settings: Settings) -> IssuerClient:
    """The shared client for one source or verifier, limited to the hosts its config names
    (timeouts, retries and limits from ``PASSPORT_HUB_HTTP_*``)."""
    http = HttpSettings.from_env(getattr(settings, "_environ", None))
    return IssuerClient(
        allowed_hosts=component.allowed_hosts(),
        name=component.name,
        settings=http,
        allow_private=settings.allow_private_hosts or http.allow_private,
    )


async def iter_fetched(
    registry: Registry, settings: Settings, name: str, query: Mapping[str, str], *, config: BaseModel | None = None
) -> AsyncIterator[Document]:
    """Documents from the source's issuer, as they arrive; an error ends the stream
    after the documents already yielded, so callers keep what was fetched. ``config``: the
    source's, when the caller has built it already."""
    cls = registry.fetching_source(name)
    source = cls(config if config is not None else settings.component_config(name, cls.config_model))
    async with issuer_client(source, settings) as http:
        source.http = http
        async for document in source.fetch(query):
            yield document


async def fetch_documents(
    registry: Registry, settings: Settings, name: str, query: Mapping[str, str], *, config: BaseModel | None = None
) -> list[Document]:
    """All documents of one fetch (raises on the first error)."""
    return [document async for document in iter_fetched(registry, settings, name, query, config=config)]
