"""The ``credential_engine`` source: CTDL documents in, catalog entries out; registry fetch."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from passport_hub.contract import CheckResult, CredentialSource, Document
from passport_hub.errors import (
    ConfigError,
    MalformedError,
    NotFoundError,
    PassportHubError,
    UpstreamError,
)
from passport_hub.model import CatalogEntry

from .detect import detect_form

DEFAULT_REGISTRY_URL = "https://credentialengineregistry.org"
SEARCH_PATH = "/assistant/search/ctdl"
#: a CTID nobody publishes: a 404 for it still proves the registry answers
_PROBE_CTID = "ce-00000000-0000-0000-0000-000000000000"


def _base_url(value: str | None, field_name: str) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{field_name} must be an http(s) URL with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{field_name} must not carry a query, fragment or credentials")
    return text


class CredentialEngineConfig(BaseModel):
    """Settings, from ``PASSPORT_HUB_CREDENTIAL_ENGINE_<FIELD>``."""

    model_config = ConfigDict(extra="forbid")

    registry_url: str = Field(
        DEFAULT_REGISTRY_URL,
        description="Registry base URL: /resources/{ctid} and /graph/{ctid} are read from it (no key). "
        "The sandbox is https://sandbox.credentialengineregistry.org.",
    )
    search_url: str | None = Field(
        None,
        description="Search API base URL (POST {search_url}/assistant/search/ctdl), "
        "e.g. https://sandbox.credentialengine.org; needed for query= fetches.",
    )
    api_key: SecretStr = Field(SecretStr(""), description="Search API key (sent as a Bearer token); empty = no search.")
    page_size: int = Field(50, ge=1, le=200, description="Search results per page (Take).")
    max_results: int = Field(1000, ge=1, le=100_000, description="Stop a search after this many records.")

    @field_validator("registry_url")
    @classmethod
    def _registry(cls, value: str) -> str:
        return _base_url(value, "registry_url") or DEFAULT_REGISTRY_URL

    @field_validator("search_url")
    @classmethod
    def _search(cls, value: str | None) -> str | None:
        return _base_url(value, "search_url")


def _ctids(raw: str) -> list[str]:
    from .jsonld import normalize_ctid

    out: list[str] = []
    for part in raw.replace(";", ",").replace(" ", ",").split(","):
        if not part.strip():
            continue
        ctid = normalize_ctid(part)
        if ctid is None:
            raise MalformedError(f"credential_engine: {part.strip()[:80]!r} is not a CTID (ce- followed by a UUID)")
        if ctid not in out:
            out.append(ctid)
    if not out:
        raise MalformedError("credential_engine: ctid= names no CTID")
    return out


def build_search_query(query: Mapping[str, str]) -> dict[str, Any]:
    """The search API's CTDL query for ``query=`` text, ``type=`` classes and ``owner=`` CTID."""
    from .jsonld import normalize_ctid

    body: dict[str, Any] = {
        "@type": {"search:value": "ceterms:Credential", "search:matchType": "search:subClassOf"},
    }
    types = [t.strip() for t in query.get("type", "").split(",") if t.strip()]
    if types:
        body["@type"] = [t if ":" in t else f"ceterms:{t}" for t in types]
    text = query.get("query", "").strip()
    if text:
        body["search:termGroup"] = {
            "search:operator": "search:orTerms",
            "ceterms:name": text,
            "ceterms:description": text,
            "ceterms:keyword": text,
        }
    owner = query.get("owner", "").strip()
    if owner:
        owner_ctid = normalize_ctid(owner)
        if owner_ctid is None:
            raise MalformedError(f"credential_engine: owner={owner[:80]!r} is not a CTID")
        body["ceterms:ownedBy"] = {"ceterms:ctid": owner_ctid}
    return body


class CredentialEngineSource(CredentialSource):
    """Reads CTDL JSON-LD (resource, graph, envelope, search results) into catalog entries."""

    name: ClassVar[str] = "credential_engine"
    title: ClassVar[str] = "Credential Engine Registry (CTDL JSON-LD): the approved-credentials catalog"
    formats: ClassVar[tuple[str, ...]] = (
        "application/ld+json; CTDL resource",
        "application/ld+json; CTDL @graph",
        "application/json; Credential Registry envelope",
        "application/json; Credential Engine search results",
    )
    config_model: ClassVar[type[BaseModel]] = CredentialEngineConfig

    config: CredentialEngineConfig

    # -- reading documents ------------------------------------------------------------

    def sniff(self, document: Document) -> bool:
        try:
            return detect_form(document.try_json()) is not None
        except Exception:  # sniff never raises
            return False

    def parse(self, document: Document) -> Iterator[CatalogEntry]:
        from .ctdl import parse_ctdl

        data = document.json()
        try:
            yield from parse_ctdl(
                data, name=document.name, sha256=document.sha256, plugin_version=self.plugin_version
            )
        except PassportHubError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise MalformedError(
                f"{document.name}: CTDL document could not be read ({type(exc).__name__})",
                internal=repr(exc),
            ) from exc

    # -- the registry -----------------------------------------------------------------

    def allowed_hosts(self) -> list[str]:
        hosts: list[str] = []
        for url in (self.config.registry_url, self.config.search_url):
            host = (urlsplit(url).hostname or "").lower() if url else ""
            if host and host not in hosts:
                hosts.append(host)
        return hosts

    def _client(self):
        if self.http is None:
            raise ConfigError("credential_engine: no HTTP client was given to this source")
        return self.http

    async def fetch(self, query: Mapping[str, str]) -> AsyncIterator[Document]:
        """Documents from the registry.

        ``ctid=ce-...[,ce-...]`` → the record's ``/graph/{ctid}`` (falling back to
        ``/resources/{ctid}``; ``form=resources`` asks for the flat form only);
        ``query=text`` (with optional ``type=`` and ``owner=``) → the search API, one
        document per record, each CTID once. A CTID the registry does not have raises
        ``NotFoundError`` after the others were yielded.
        """
        if query.get("ctid"):
            async for document in self._fetch_ctids(_ctids(query["ctid"]), query.get("form", "graph")):
                yield document
        elif query.get("query") or query.get("owner") or query.get("type"):
            async for document in self._search(query):
                yield document
        else:
            raise ConfigError("credential_engine: fetch needs ctid=<CTID> or query=<text>")

    async def _fetch_ctids(self, ctids: list[str], form: str) -> AsyncIterator[Document]:
        if form not in ("graph", "resources"):
            raise ConfigError("credential_engine: form= must be graph or resources")
        client = self._client()
        base = self.config.registry_url
        missing: list[str] = []
        for ctid in ctids:
            paths = ["graph", "resources"] if form == "graph" else ["resources"]
            for path in paths:
                url = f"{base}/{path}/{ctid}"
                response = await client.get(url, not_found_ok=True, headers={"Accept": "application/json"})
                if response.status_code == 404:
                    continue
                yield Document(
                    data=response.content,
                    name=f"{ctid}.{'graph' if path == 'graph' else 'resource'}.json",
                    media_type="application/ld+json",
                    origin=url,
                )
                break
            else:
                missing.append(ctid)
        if missing:
            raise NotFoundError(f"credential_engine: not in the registry: {', '.join(missing)}")

    async def _search(self, query: Mapping[str, str]) -> AsyncIterator[Document]:
        cfg = self.config
        if not cfg.search_url:
            raise ConfigError("credential_engine: search needs PASSPORT_HUB_CREDENTIAL_ENGINE_SEARCH_URL")
        if not cfg.api_key.get_secret_value():
            raise ConfigError("credential_engine: search needs PASSPORT_HUB_CREDENTIAL_ENGINE_API_KEY")
        from .jsonld import normalize_ctid

        client = self._client()
        url = f"{cfg.search_url}{SEARCH_PATH}"
        headers = {
            "Authorization": f"Bearer {cfg.api_key.get_secret_value()}",
            "Accept": "application/json",
        }
        ctdl_query = build_search_query(query)
        limit = min(cfg.max_results, int(query["max"])) if str(query.get("max", "")).isdigit() else cfg.max_results
        take = cfg.page_size
        skip = 0
        yielded = 0
        seen: set[str] = set()
        while yielded < limit:
            body = {"Query": ctdl_query, "Skip": skip, "Take": take, "Sort": "^search:recordCreated"}
            response = await client.post(url, json=body, headers=headers, idempotent=True)  # a search only reads
            try:
                page = response.json()
            except ValueError as exc:
                raise UpstreamError("credential_engine: the search API answered with something not JSON") from exc
            items = page.get("data") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise UpstreamError("credential_engine: the search API's answer has no data array")
            for position, node in enumerate(items):
                if not isinstance(node, dict):
                    continue
                ctid = normalize_ctid(node.get("ceterms:ctid")) or normalize_ctid(node.get("@id"))
                if ctid is None or ctid in seen:
                    continue  # records shift between pages while the index updates: each CTID once
                seen.add(ctid)
                yield Document(
                    data=json.dumps(node, ensure_ascii=False).encode("utf-8"),
                    name=f"{ctid}.search_result.json",
                    media_type="application/ld+json",
                    origin=f"{url}#skip={skip + position}",
                )
                yielded += 1
                if yielded >= limit:
                    return
            total = None
            extra = page.get("extra")
            if isinstance(extra, dict) and isinstance(extra.get("TotalResults"), int):
                total = extra["TotalResults"]
            skip += len(items)
            if len(items) < take or (total is not None and skip >= total) or not items:
                return

    async def check(self) -> CheckResult:
        try:
            client = self._client()
            probe = f"{self.config.registry_url}/resources/{_PROBE_CTID}"
            response = await client.get(probe, not_found_ok=True, headers={"Accept": "application/json"})
            message = f"registry {urlsplit(self.config.registry_url).hostname} answered (HTTP {response.status_code})"
            cfg = self.config
            if cfg.search_url and cfg.api_key.get_secret_value():
                await client.post(
                    f"{cfg.search_url}{SEARCH_PATH}",
                    json={"Query": {"@type": "ceterms:Credential"}, "Skip": 0, "Take": 1},
                    headers={"Authorization": f"Bearer {cfg.api_key.get_secret_value()}"},
                    idempotent=True,
                )
                message += "; search API accepted the key"
            elif cfg.search_url:
                message += "; no API key, so search is off"
            return CheckResult(ok=True, message=message)
        except PassportHubError as exc:
            return CheckResult(ok=False, message=exc.user_message, error_kind=str(exc.kind))
        except Exception as exc:  # check never raises
            return CheckResult(ok=False, message=f"credential_engine: check failed ({type(exc).__name__})",
                               error_kind="system")
