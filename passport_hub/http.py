"""The shared issuer HTTP client every plugin uses (httpx + tenacity).

Plugins never write their own retry loop: the core hands each source or verifier an
:class:`IssuerClient` limited to the hosts its config names.

Interface (stable; the implementation grows under it)::

    response = await client.get(url, params=..., headers=...)
    response = await client.post(url, json=..., headers=...)
    response = await client.request("GET", url, not_found_ok=True)   # 404 returned, not raised

Raises, from :mod:`passport_hub.errors`: ``AuthError`` (401/403), ``NotFoundError``
(404 unless ``not_found_ok``), ``RateLimitedError`` (429 after retries),
``TransientError`` (timeouts, connection errors, 5xx after retries), ``UpstreamError``
(other 4xx), ``ConfigError`` (a URL to a host that is not allowed).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

from .errors import AuthError, ConfigError, NotFoundError, RateLimitedError, TransientError, UpstreamError


def _user_agent() -> str:
    from . import __version__

    return f"passport-hub/{__version__} (+https://github.com/passport-hub)"


class IssuerClient:
    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str],
        name: str = "issuer",
        timeout: float = 10.0,
        retries: int = 3,
        allow_private: bool = False,
    ):
        self.name = name
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.retries = retries
        self.allow_private = allow_private
        self._client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": _user_agent()}
        )

    def _check_url(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self.allowed_hosts:
            raise ConfigError(f"{self.name}: requests to {host or url!r} are not allowed by its config")

    async def request(self, method: str, url: str, *, not_found_ok: bool = False, **kwargs) -> httpx.Response:
        self._check_url(url)
        last: Exception | None = None
        for _attempt in range(self.retries + 1):
            try:
                response = await self._client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                last = TransientError(f"{self.name}: the issuer did not answer in time")
                continue
            except httpx.TransportError:
                last = TransientError(f"{self.name}: could not connect to the issuer")
                continue
            status = response.status_code
            if status < 300:
                return response
            if status == 404 and not_found_ok:
                return response
            if status == 404:
                raise NotFoundError(f"{self.name}: not found at the issuer")
            if status in (401, 403):
                raise AuthError(f"{self.name}: the issuer refused access (HTTP {status})")
            if status == 429:
                last = RateLimitedError(f"{self.name}: the issuer is rate limiting requests")
                continue
            if status in (408, 500, 502, 503, 504):
                last = TransientError(f"{self.name}: the issuer is unavailable (HTTP {status})")
                continue
            raise UpstreamError(f"{self.name}: the issuer answered HTTP {status}")
        assert last is not None
        raise last

    async def get(self, url: str, **kwargs) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> IssuerClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()
