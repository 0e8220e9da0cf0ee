"""An httpx transport that moves the bytes over aiohttp.

The issuer client is an :class:`httpx.AsyncClient` (httpx builds every request, applies
timeouts, decodes bodies, and plugins see httpx's Request and Response); only the
connection work is aiohttp's. httpx's own transport stack (httpcore, anyio, h11) costs
~0.5 ms of CPU per request against ~0.15 ms for aiohttp, and with 50 verifications in flight
that CPU, not the issuer, set the pace (bench/verify.py).

The session keeps no cookies (the client's jar refuses them too), leaves decompression to
httpx, ignores environment proxies and follows no redirects (the issuer client does, hop by
hop, checking each). Host names can be resolved through :class:`PublicOnlyResolver`, which
refuses private addresses on the very lookup the connection uses.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl

import aiohttp
import httpx
import yarl


def is_public_address(address: str) -> bool:
    """A global unicast address (not private, loopback, link-local, reserved or multicast)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


_FRAMING = frozenset({b"content-length", b"transfer-encoding"})
_NO_AUTO_CONTENT_TYPE = ("Content-Type",)


class AddressRefused(httpx.ConnectError):
    """The host name resolved to a private or local address; nothing was sent."""


class _PrivateAddress(OSError):
    # raised inside aiohttp's connect, which wraps it in a ClientConnectorError
    pass


class PublicOnlyResolver(aiohttp.ThreadedResolver):
    """Resolves host names and refuses any that resolve to a private, loopback, link-local
    or reserved address. The check is made on the addresses aiohttp then connects to, so a
    name that answers differently a second time (DNS rebinding) gains nothing. IP literals
    never reach a resolver: the caller checks those."""

    def __init__(self, exempt: str | None = None):
        super().__init__()
        self.exempt = exempt  # a configured proxy: the one private host that may be reached

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list:
        found = await super().resolve(host, port, family)
        if host != self.exempt and not all(is_public_address(item["host"]) for item in found):
            raise _PrivateAddress(f"{host} resolves to a private or local address")
        return found


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One keep-alive aiohttp session, opened on first use in the running event loop."""

    def __init__(self, *, limit: int, ssl_context: ssl.SSLContext | bool, resolver: aiohttp.abc.AbstractResolver | None,
                 proxy: str | None = None):
        self.limit = limit
        self.ssl_context = ssl_context
        self.resolver = resolver
        self.proxy = proxy
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.limit, ssl=self.ssl_context, resolver=self.resolver),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,  # httpx decodes Content-Encoding when it reads the body
                trust_env=False,
                # httpx (h11) accepts header lines up to ~64 KiB; aiohttp's default is 8 KiB
                max_line_size=65536,
                max_field_size=65536,
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread()
        # headers as httpx built them (their case kept), less the framing: the body is sent
        # whole, and aiohttp writes its Content-Length (a streamed body came with chunked)
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
                   if name.lower() not in _FRAMING]
        try:
            async with self._open().request(
                request.method,
                yarl.URL(str(request.url), encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                proxy=self.proxy,
                # no Content-Type where httpx sent none
                skip_auto_headers=() if "content-type" in request.headers else _NO_AUTO_CONTENT_TYPE,
                timeout=aiohttp.ClientTimeout(connect=timeouts.get("connect"), sock_connect=timeouts.get("connect"),
                                              sock_read=timeouts.get("read")),
            ) as raw:
                content = await raw.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, _PrivateAddress):
                raise AddressRefused(str(exc.os_error), request=request) from None
            raise httpx.ConnectError(str(exc), request=request) from exc
        except (aiohttp.ClientError, OSError) as exc:  # OSError: a socket error aiohttp let through
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc
        # a byte stream (not content=) keeps the headers as sent; httpx decodes the body
        return httpx.Response(raw.status, headers=raw.raw_headers, stream=httpx.ByteStream(content),
                              extensions={"http_version": b"HTTP/1.1"})

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def detach(self) -> None:
        """Forget the session of an event loop that is gone: nothing can be awaited there any
        more, so the connector is closed without awaiting and the session told it has none,
        which keeps both from reporting themselves unclosed."""
        session, self._session = self._session, None
        if session is not None:
            connector = session.connector
            session.detach()
            if connector is not None:
                # aiohttp's synchronous close (close() is a coroutine for the running loop);
                # with the loop closed it only marks the connector closed and drops its sockets
                connector._close()
