"""The shared issuer HTTP client every plugin uses (httpx + tenacity, on an aiohttp transport).

Plugins never write their own retry loop: the core hands each source or verifier an
:class:`IssuerClient` limited to the hosts its config names.

Interface (stable; the implementation grows under it)::

    response = await client.get(url, params=..., headers=...)
    response = await client.post(url, json=..., headers=...)
    response = await client.request("GET", url, not_found_ok=True)   # 404 returned, not raised

Raises, from :mod:`passport_hub.errors`: ``AuthError`` (401/403), ``NotFoundError``
(404 unless ``not_found_ok``), ``RateLimitedError`` (429 after retries, or a
``Retry-After`` longer than the cap), ``TransientError`` (timeouts, connection errors,
408/5xx after retries, an open circuit), ``UpstreamError`` (other 4xx, a redirect to
another host), ``ConfigError`` (a URL to a host that is not allowed, or to a private
address when private addresses are not allowed).

What it does for every request (settings in :class:`HttpSettings`):

- only ``http``/``https`` URLs to the allowed hosts (``*.example.org`` allows subdomains);
  hosts that are or resolve to private, loopback, link-local or reserved addresses are
  refused unless ``allow_private`` (checked on the addresses the connection uses, so DNS
  rebinding gains nothing; through a ``proxy``, the proxy resolves the name);
- redirects are followed by hand, only on the same host (and port, or the ``http`` →
  ``https`` upgrade), each hop checked again; a redirect elsewhere is refused;
- per host (``scheme://host:port``): a concurrency limit, a request budget (requests per
  second, a token bucket with ``burst``), a circuit breaker (after
  ``circuit_failure_threshold`` consecutive failures, fail fast for ``circuit_cooldown``
  seconds, then let one probe through), and a pause for everyone after a 429 with
  ``Retry-After``;
- retries with exponential backoff and jitter on timeouts, connection errors
  and 408/500/502/503/504; 429 and 503 wait what ``Retry-After`` asks (seconds or an
  HTTP-date) unless it is more than ``retry_after_cap`` (then ``RateLimitedError`` at
  once); 400/401/403/404 and other 4xx are never retried; a POST or PATCH that may have
  reached the issuer is not sent again unless the issuer asks (429, 503 + ``Retry-After``) or
  the caller says it is harmless (``idempotent=True``, e.g. a search);
- every retry is logged on ``passport_hub.http`` with the status or error and the wait;
  URLs are logged without query values or user info, headers never.

Counters for tests, benchmarks and ``/-/health`` are in :attr:`IssuerClient.stats`.

Each issuer host gets one :class:`httpx.AsyncClient` (httpx builds the requests, applies the
timeouts and decodes the bodies; plugins see httpx's Request and Response) on the keep-alive
aiohttp transport of :mod:`passport_hub.transport`, which is why it is cheap enough to keep
50 verifications in flight on one core. Retries are tenacity's. The clients keep no cookies
and follow no redirects (this client does, hop by hop).
"""

from __future__ import annotations

import asyncio
import functools
import http.cookiejar
import ipaddress
import logging
import math
import os
import random
import ssl
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from .errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    PassportHubError,
    RateLimitedError,
    TransientError,
    UpstreamError,
)
from .transport import AddressRefused, AiohttpTransport, PublicOnlyResolver, is_public_address

log = logging.getLogger("passport_hub.http")

#: statuses retried with backoff (429 is retried too, as rate limiting)
RETRY_STATUSES = frozenset({408, 500, 502, 503, 504})
#: statuses whose ``Retry-After`` is honoured
RETRY_AFTER_STATUSES = frozenset({429, 503})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NOT_IDEMPOTENT = frozenset({"POST", "PATCH"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: the clients' cookie jar refuses every cookie: nothing an issuer sets leaks into later requests
_NO_COOKIES = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def _user_agent() -> str:
    from . import __version__

    return f"passport-hub/{__version__} (+https://github.com/passport-hub)"


class HttpSettings(BaseModel):
    """How the issuer client talks to issuers (the core reads it from config/env)."""

    model_config = ConfigDict(extra="forbid")

    connect_timeout: float = Field(5.0, gt=0, description="seconds to open a connection")
    read_timeout: float = Field(10.0, gt=0, description="seconds to wait for response data")
    retries: int = Field(3, ge=0, le=20, description="retries after the first attempt")
    backoff_base: float = Field(0.5, ge=0, description="first backoff in seconds (doubles each retry)")
    backoff_max: float = Field(10.0, ge=0, description="longest backoff in seconds")
    retry_after_cap: float = Field(
        60.0, ge=0, description="longest Retry-After honoured; longer → rate_limited at once"
    )
    per_host_concurrency: int = Field(8, ge=1, le=1000, description="requests in flight per host")
    requests_per_second: float | None = Field(None, gt=0, description="request budget per host; None = none")
    burst: int | None = Field(None, ge=1, description="token bucket size; default: ceil(requests_per_second)")
    circuit_failure_threshold: int = Field(5, ge=1, description="consecutive failures that open the circuit")
    circuit_cooldown: float = Field(30.0, gt=0, description="seconds an open circuit fails fast")
    allow_private: bool = Field(False, description="allow private/loopback addresses (tests, intranet issuers)")
    max_redirects: int = Field(5, ge=0, le=20, description="same-host redirects followed")
    proxy: str | None = Field(None, description="outbound HTTP proxy URL (environment proxies are ignored)")

    @field_validator("proxy")
    @classmethod
    def _proxy_is_http(cls, value: str | None) -> str | None:
        # anything else would fail on every request, as a "could not connect" retried and
        # counted against the issuer, instead of the config mistake it is
        problem = "must be an http:// or https:// URL with a host (SOCKS proxies are not supported)"
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError(problem)
        try:
            if value and not httpx.URL(value).host:
                raise ValueError(problem)
        except httpx.InvalidURL:  # not a ValueError: it would escape the config error
            raise ValueError(problem) from None
        return value

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, prefix: str = "PASSPORT_HUB_HTTP_", **overrides: Any
    ) -> HttpSettings:
        """Settings from ``PASSPORT_HUB_HTTP_<FIELD>`` variables (then ``overrides``)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(prefix + name.upper())
            if raw is not None and raw != "":
                values[name] = raw
        values.update(overrides)
        try:
            return cls.model_validate(values)
        except ValidationError as exc:  # named by variable, never echoing the value
            problems = "; ".join(f"{prefix}{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors())
            raise ConfigError(f"invalid HTTP settings: {problems}") from None


@dataclass
class HttpStats:
    """What the client did, for tests, the bench and health pages."""

    #: requests sent on the wire (every attempt and redirect hop)
    requests: int = 0
    #: retries scheduled (attempts after the first)
    retries: int = 0
    #: retries by reason: ``"503"``, ``"429"``, ``"timeout"``, ``"connect"`` ...
    retry_reasons: Counter = field(default_factory=Counter)
    #: seconds spent waiting between retries
    retry_wait_seconds: float = 0.0
    #: responses by status code
    statuses: Counter = field(default_factory=Counter)
    #: requests refused at once because the host's circuit was open
    fast_failures: int = 0
    #: times a circuit opened
    circuit_opened: int = 0
    #: seconds spent waiting for the request budget or a host-wide pause
    throttle_wait_seconds: float = 0.0
    #: requests that ended in an error
    failures: int = 0
    #: same-host redirects followed
    redirects: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "retry_reasons": dict(self.retry_reasons),
            "retry_wait_seconds": round(self.retry_wait_seconds, 3),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "fast_failures": self.fast_failures,
            "circuit_opened": self.circuit_opened,
            "throttle_wait_seconds": round(self.throttle_wait_seconds, 3),
            "failures": self.failures,
            "redirects": self.redirects,
        }


class RedirectRefusedError(UpstreamError):
    """The issuer redirected to another host (never followed: SSRF safety)."""


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP-date.

    ``None`` when absent or unreadable; never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def redact_url(url: httpx.URL | str) -> str:
    """A URL safe to log: no user info, query values replaced by ``***``."""
    try:
        u = httpx.URL(str(url))
    except Exception:  # noqa: BLE001 - only used for logging
        return "<unparseable url>"
    port = f":{u.port}" if u.port else ""
    text = f"{u.scheme}://{u.host}{port}{u.path}"
    if u.query:
        names = [k for k, _ in u.params.multi_items()]
        text += "?" + "&".join(f"{k}=***" for k in names)
    return text


@functools.cache
def _verified_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context (CA bundle loaded once per process, shared by all hosts)."""
    return httpx.create_ssl_context()


class CircuitBreaker:
    """Closed → (N consecutive failures) → open → (cool-down) → half-open: one probe.

    A successful probe closes the circuit; a failed one opens it for another cool-down.
    """

    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

    def __init__(self, threshold: int, cooldown: float, clock=time.monotonic):
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.state = self.CLOSED
        self.failures = 0
        self.opened_at = 0.0
        self.probing = False

    def allow(self) -> tuple[bool, bool]:
        """``(allowed, is_probe)`` for a request about to be sent."""
        if self.state == self.CLOSED:
            return True, False
        if self.state == self.OPEN:
            if self.clock() - self.opened_at < self.cooldown:
                return False, False
            self.state = self.HALF_OPEN
            self.probing = False
        if self.probing:
            return False, False
        self.probing = True
        return True, True

    def retry_in(self) -> float:
        return max(0.0, self.cooldown - (self.clock() - self.opened_at))

    def success(self) -> None:
        self.state = self.CLOSED
        self.failures = 0
        self.probing = False

    def failure(self) -> bool:
        """Count a failure; ``True`` when this one opened the circuit."""
        if self.state == self.HALF_OPEN:
            self._open()
            return True
        if self.state == self.OPEN:
            return False
        self.failures += 1
        if self.failures >= self.threshold:
            self._open()
            return True
        return False

    def abandon_probe(self) -> None:
        """The probe ended without an answer either way (cancelled): let another probe."""
        if self.state == self.HALF_OPEN:
            self.probing = False

    def _open(self) -> None:
        self.state = self.OPEN
        self.opened_at = self.clock()
        self.probing = False


class TokenBucket:
    """A request budget: ``rate`` per second with bursts of ``burst`` (GCRA scheduling).

    Reservations are made synchronously, so waiters are served in arrival order.
    """

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.clock = clock
        self.tat = 0.0  # theoretical arrival time of the next request

    def reserve(self) -> float:
        """Take a token; return how long to wait before using it."""
        now = self.clock()
        tat = max(self.tat, now)
        wait = tat - self.tolerance - now
        self.tat = tat + self.interval
        return max(0.0, wait)


class _Host:
    """Everything kept per issuer host (``scheme://host:port``)."""

    def __init__(self, key: str, settings: HttpSettings):
        self.key = key
        self.semaphore = asyncio.Semaphore(settings.per_host_concurrency)
        self.circuit = CircuitBreaker(settings.circuit_failure_threshold, settings.circuit_cooldown)
        rate = settings.requests_per_second
        self.bucket = (
            TokenBucket(rate, settings.burst or max(1, math.ceil(rate))) if rate is not None else None
        )
        self.paused_until = 0.0
        self.client: httpx.AsyncClient | None = None
        self.transport: AiohttpTransport | None = None


class _Retry(Exception):
    """One attempt failed in a way worth retrying; carries the error to raise at the end."""

    def __init__(self, error: PassportHubError, reason: str, retry_after: float | None = None):
        super().__init__(error.internal_message)
        self.error = error
        self.reason = reason
        self.retry_after = retry_after


class IssuerClient:
    """An async HTTP client limited to the hosts one source's or verifier's config names.

    ``timeout``, ``retries`` and ``allow_private`` override the same fields of
    ``settings`` (``timeout`` sets the read timeout and caps the connect timeout).
    """

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str],
        name: str = "issuer",
        timeout: float | None = None,
        retries: int | None = None,
        allow_private: bool | None = None,
        settings: HttpSettings | None = None,
        user_agent: str | None = None,
    ):
        base = settings or HttpSettings()
        updates: dict[str, Any] = {}
        if timeout is not None:
            updates["read_timeout"] = timeout
            updates["connect_timeout"] = min(base.connect_timeout, timeout)
        if retries is not None:
            updates["retries"] = retries
        if allow_private is not None:
            updates["allow_private"] = allow_private
        self.settings = HttpSettings.model_validate({**base.model_dump(), **updates}) if updates else base
        self.name = name
        self.allowed_hosts = {h.strip().strip("[]").lower().rstrip(".") for h in allowed_hosts if h.strip()}
        self.retries = self.settings.retries
        self.allow_private = self.settings.allow_private
        self.user_agent = user_agent or _user_agent()
        self.stats = HttpStats()
        self._hosts: dict[str, _Host] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- public interface -------------------------------------------------------------

    async def request(
        self, method: str, url: str | httpx.URL, *, not_found_ok: bool = False, idempotent: bool | None = None,
        **kwargs,
    ) -> httpx.Response:
        """Send a request with the client's safety rules, limits and retries.

        A request that is not ``idempotent`` (default: POST and PATCH are not) is sent again
        only when it cannot have reached the issuer (no connection) or the issuer asks for it
        (429, or 503 with ``Retry-After``); pass ``idempotent=True`` for a POST that only
        reads, such as a search.

        ``kwargs`` are httpx request arguments: ``params``, ``headers``, ``json``, ``content``,
        ``data``, ``files``, ``cookies``, ``timeout`` (others raise ``TypeError``).
        ``follow_redirects=False`` returns a same-host redirect instead of following it.
        """
        self._bind_loop()
        follow = kwargs.pop("follow_redirects", True)
        method = method.upper()
        if idempotent is None:
            idempotent = method not in _NOT_IDEMPOTENT
        target = self._parse(url)
        params = kwargs.pop("params", None)
        if params:
            target = target.copy_merge_params(params)
        for _hop in range(self.settings.max_redirects + 1):
            host = self._check_url(target)
            self._check_address(target)
            client = self._client(host)
            request = client.build_request(method, target, **kwargs)
            response = await self._send_with_retries(host, client, request, not_found_ok, idempotent)
            if not (follow and response.status_code in _REDIRECTS and "location" in response.headers):
                return response
            next_url = self._redirect_target(target, response)
            self.stats.redirects += 1
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, idempotent = "GET", True
                kwargs = {k: v for k, v in kwargs.items() if k not in ("content", "data", "files", "json")}
            target = next_url
        self.stats.failures += 1
        raise UpstreamError(
            f"{self.name}: the issuer redirected too many times",
            internal=f"{method} {redact_url(target)}: more than {self.settings.max_redirects} redirects",
        )

    async def get(self, url: str | httpx.URL, **kwargs) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str | httpx.URL, **kwargs) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    def circuit_state(self, url: str) -> str:
        """``closed``, ``open`` or ``half_open`` for the host of ``url`` (for health pages)."""
        host = self._hosts.get(self._host_key(self._parse(url)))
        return host.circuit.state if host else CircuitBreaker.CLOSED

    async def aclose(self) -> None:
        """Close the connections (a later request opens new ones)."""
        self._bind_loop()
        for host in self._hosts.values():
            client, host.client, host.transport = host.client, None, None
            if client is not None:
                await client.aclose()

    def _bind_loop(self) -> None:
        """Connections and semaphores belong to one event loop: a client used from a new
        loop (one ``asyncio.run`` per CLI command) starts them afresh, keeping circuits and stats."""
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        self._loop = loop
        for host in self._hosts.values():
            host.semaphore = asyncio.Semaphore(self.settings.per_host_concurrency)
            if host.transport is not None:
                # the old loop is gone, and so are its sockets: closing is impossible, detaching
                # tells the session (and its destructor) it is finished
                host.transport.detach()
                host.client = host.transport = None

    async def __aenter__(self) -> IssuerClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    # -- destination checks -----------------------------------------------------------

    def _parse(self, url: str | httpx.URL) -> httpx.URL:
        try:
            return url if isinstance(url, httpx.URL) else httpx.URL(str(url))
        except Exception as exc:  # httpx.InvalidURL and friends
            raise ConfigError(f"{self.name}: not a valid URL", internal=f"{type(exc).__name__}: {exc}") from None

    @staticmethod
    def _host_key(url: httpx.URL) -> str:
        port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
        return f"{url.scheme}://{url.host}:{port}"

    def _host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        if host in self.allowed_hosts:
            return True
        return any(p.startswith("*.") and host.endswith(p[1:]) for p in self.allowed_hosts)

    def _check_url(self, url: httpx.URL) -> _Host:
        if url.scheme not in ("http", "https"):
            raise ConfigError(f"{self.name}: only http and https URLs are allowed (got {url.scheme or 'none'!r})")
        host = (url.host or "").lower()
        if not host or not self._host_allowed(host):
            raise ConfigError(f"{self.name}: requests to {host or '<no host>'!r} are not allowed by its config")
        key = self._host_key(url)
        state = self._hosts.get(key)
        if state is None:
            state = self._hosts[key] = _Host(key, self.settings)
        return state

    def _check_address(self, url: httpx.URL) -> None:
        """Refuse an IP-literal URL to a private/loopback/link-local/reserved address unless
        allowed (host names are checked on resolution, by :class:`~passport_hub.transport.PublicOnlyResolver`)."""
        if self.allow_private:
            return
        host = url.host
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return
        if not is_public_address(host):
            raise self._private_refused(host)

    def _private_refused(self, host: str) -> ConfigError:
        return ConfigError(
            f"{self.name}: {host!r} is a private or local address; it is refused unless allow_private is set"
        )

    def _redirect_target(self, current: httpx.URL, response: httpx.Response) -> httpx.URL:
        try:
            target = current.join(response.headers["location"])
        except Exception:  # noqa: BLE001 - a broken Location is the issuer's fault
            self.stats.failures += 1
            raise UpstreamError(f"{self.name}: the issuer sent a redirect that cannot be read") from None
        same_host = (target.host or "").lower() == (current.host or "").lower()
        same_port = (target.port or _DEFAULT_PORTS.get(target.scheme)) == (
            current.port or _DEFAULT_PORTS.get(current.scheme)
        )
        upgrade = current.scheme == "http" and target.scheme == "https" and target.port in (None, 443)
        if not same_host or not (same_port or upgrade):
            self.stats.failures += 1
            raise RedirectRefusedError(
                f"{self.name}: the issuer redirected to another host ({target.host or 'unknown'}); not followed",
                internal=f"redirect {redact_url(current)} -> {redact_url(target)} refused",
            )
        return target

    # -- sending ----------------------------------------------------------------------

    def _client(self, host: _Host) -> httpx.AsyncClient:
        """The host's httpx client on a keep-alive aiohttp transport, opened on first use (one
        per host key, scheme included)."""
        if host.client is None:
            s = self.settings
            # plain-HTTP hosts without a proxy never do TLS, so they skip loading the CA bundle
            tls_needed = host.key.startswith("https://") or s.proxy is not None
            host.transport = AiohttpTransport(
                limit=s.per_host_concurrency,
                ssl_context=_verified_ssl_context() if tls_needed else False,
                resolver=None if self.allow_private else PublicOnlyResolver(
                    exempt=httpx.URL(s.proxy).host if s.proxy else None),
                proxy=s.proxy,
            )
            host.client = httpx.AsyncClient(
                transport=host.transport,
                headers={"User-Agent": self.user_agent},  # over httpx's defaults (Accept-Encoding...)
                timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
                follow_redirects=False,  # followed here, hop by hop, each hop checked
                trust_env=False,
                cookies=_NO_COOKIES,  # a request carries only the cookies its caller passes
            )
        return host.client

    async def _wait_turn(self, host: _Host) -> None:
        """Honour a host-wide pause (after a 429) and the request budget."""
        wait = host.paused_until - time.monotonic()
        if host.bucket is not None:
            wait = max(wait, host.bucket.reserve())
        if wait > 0:
            self.stats.throttle_wait_seconds += wait
            await asyncio.sleep(wait)

    async def _attempt(
        self, host: _Host, client: httpx.AsyncClient, request: httpx.Request, not_found_ok: bool, idempotent: bool
    ) -> httpx.Response:
        method, url = request.method, request.url
        allowed, probe = host.circuit.allow()
        if not allowed:
            self.stats.fast_failures += 1
            raise TransientError(
                f"{self.name}: the issuer is failing; circuit open, not trying for "
                f"{host.circuit.retry_in():.0f}s",
                internal=f"circuit open for {host.key} ({host.circuit.failures} consecutive failures)",
            )
        settled = False
        try:
            async with host.semaphore:
                await self._wait_turn(host)
                self.stats.requests += 1
                try:
                    response = await client.send(request)
                except AddressRefused:  # a refusal, not a failing issuer (a probe is given back)
                    raise self._private_refused(url.host) from None
                except httpx.DecodingError as exc:  # e.g. a body that says gzip and is not
                    settled = True
                    host.circuit.success()  # the issuer answered
                    raise UpstreamError(
                        f"{self.name}: the issuer's answer could not be decoded",
                        internal=f"{method} {redact_url(url)}: {type(exc).__name__}: {exc}",
                    ) from None
                except httpx.TransportError as exc:
                    settled = True
                    self._failed(host)
                    timeout = isinstance(exc, httpx.TimeoutException)
                    error = TransientError(
                        f"{self.name}: the issuer did not answer in time" if timeout
                        else f"{self.name}: could not connect to the issuer",
                        internal=f"{method} {redact_url(url)}: {type(exc).__name__}: {exc}",
                    )
                    # a request that may have reached the issuer is sent again only if that is harmless
                    if not idempotent and not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                        raise error from None
                    reason = "timeout" if timeout else "connect" if isinstance(exc, httpx.ConnectError) \
                        else type(exc).__name__
                    raise _Retry(error, reason) from None
            settled = True
            return self._classify(host, method, url, response, not_found_ok, idempotent)
        finally:
            if probe and not settled:
                host.circuit.abandon_probe()

    def _failed(self, host: _Host) -> None:
        if host.circuit.failure():
            self.stats.circuit_opened += 1
            log.warning(
                "%s: %s failed %d times in a row; circuit open for %.0fs",
                self.name, host.key, host.circuit.failures, host.circuit.cooldown,
            )

    def _classify(
        self, host: _Host, method: str, url: httpx.URL, response: httpx.Response, not_found_ok: bool,
        idempotent: bool,
    ) -> httpx.Response:
        status = response.status_code
        self.stats.statuses[status] += 1
        if status >= 500 or status == 408:
            self._failed(host)
        else:
            host.circuit.success()
        if status < 400:
            return response
        where = f"{method} {redact_url(url)}"
        if status == 404:
            if not_found_ok:
                return response
            raise NotFoundError(f"{self.name}: not found at the issuer", internal=f"{where}: HTTP 404")
        if status in (401, 403):
            raise AuthError(
                f"{self.name}: the issuer refused access (HTTP {status}); check the credentials in its config",
                internal=f"{where}: HTTP {status}",
            )
        if status == 429 or status in RETRY_STATUSES:
            retry_after = None
            if status in RETRY_AFTER_STATUSES:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is None and status == 429:
                    retry_after = parse_retry_after(response.headers.get("ratelimit-reset"))
                if retry_after is not None and retry_after > self.settings.retry_after_cap:
                    raise RateLimitedError(
                        f"{self.name}: the issuer asks to wait {retry_after:.0f}s before retrying, "
                        f"longer than the {self.settings.retry_after_cap:.0f}s allowed",
                        internal=f"{where}: HTTP {status}, Retry-After {retry_after:.1f}s over the cap",
                    )
                if status == 429 and retry_after is not None:
                    host.paused_until = max(host.paused_until, time.monotonic() + retry_after)
            if status == 429:
                error: PassportHubError = RateLimitedError(
                    f"{self.name}: the issuer is rate limiting requests", internal=f"{where}: HTTP 429"
                )
            else:
                error = TransientError(
                    f"{self.name}: the issuer is unavailable (HTTP {status})", internal=f"{where}: HTTP {status}"
                )
            if not idempotent and status != 429 and retry_after is None:
                raise error  # the issuer may have acted on it: sending it again could do it twice
            raise _Retry(error, str(status), retry_after)
        raise UpstreamError(f"{self.name}: the issuer answered HTTP {status}", internal=f"{where}: HTTP {status}")

    def _backoff(self, state: RetryCallState) -> float:
        """Seconds before the next attempt: what ``Retry-After`` asked, else exponential backoff."""
        error = state.outcome.exception()
        if error.retry_after is not None:
            return error.retry_after
        s = self.settings
        ceiling = min(s.backoff_max, s.backoff_base * (2 ** (state.attempt_number - 1)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # "equal jitter"

    def _before_retry(self, state: RetryCallState, request: httpx.Request) -> None:
        error, wait = state.outcome.exception(), state.next_action.sleep
        self.stats.retries += 1
        self.stats.retry_reasons[error.reason] += 1
        self.stats.retry_wait_seconds += wait
        log.info(
            "%s: %s %s failed (%s: %s); retry %d/%d in %.2fs",
            self.name, request.method, redact_url(request.url), error.reason, error.error.user_message,
            state.attempt_number, self.settings.retries, wait,
        )

    async def _send_with_retries(
        self, host: _Host, client: httpx.AsyncClient, request: httpx.Request, not_found_ok: bool, idempotent: bool
    ) -> httpx.Response:
        attempts = self.settings.retries + 1
        try:
            try:
                return await self._attempt(host, client, request, not_found_ok, idempotent)
            except _Retry as exc:
                first_failure: _Retry | None = exc
            # tenacity runs the retries; it is set up only once an attempt has failed, because
            # building its retry state for every request cost ~0.1 ms of CPU (a quarter of the
            # client's) and only the rare retry needs it
            retrying = AsyncRetrying(
                stop=stop_after_attempt(attempts), wait=self._backoff, retry=retry_if_exception_type(_Retry),
                before_sleep=functools.partial(self._before_retry, request=request), reraise=True,
            )
            async for attempt in retrying:
                with attempt:
                    if first_failure is not None:  # attempt 1, already made above: its outcome
                        failure, first_failure = first_failure, None
                        raise failure
                    return await self._attempt(host, client, request, not_found_ok, idempotent)
        except _Retry as exc:
            self.stats.failures += 1
            log.warning(
                "%s: %s %s gave up after %d attempt(s): %s",
                self.name, request.method, redact_url(request.url), attempts, exc.reason,
            )
            raise exc.error from None
        except PassportHubError:
            self.stats.failures += 1
            raise
        raise AssertionError("unreachable")  # pragma: no cover
