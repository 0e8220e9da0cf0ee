"""The one error taxonomy every part of passport-hub raises and reports.

Each error carries a *kind* (what went wrong, for machines and exit codes), a
*user message* (safe to show: no secrets, no stack trace) and an optional
*internal message* for logs. Plugins raise these; the core renders them.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    # failures talking to an issuer or reading config (connector lifecycle)
    CONFIG = "config"
    AUTH = "auth"
    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"
    UPSTREAM = "upstream"
    # failures of one document on ingest
    MALFORMED = "malformed"
    UNRECOGNIZED = "unrecognized"
    AMBIGUOUS = "ambiguous"
    UNSAFE = "unsafe"
    TOO_LARGE = "too_large"
    # issuer lookups
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    # anything a plugin raised that is not one of the above
    SYSTEM = "system"


class PassportHubError(Exception):
    """Base class: ``kind`` + a message safe to show to users."""

    kind: ErrorKind = ErrorKind.SYSTEM

    def __init__(self, message: str, *, internal: str | None = None, kind: ErrorKind | None = None):
        super().__init__(message)
        self.user_message = message
        self.internal_message = internal or message
        if kind is not None:
            self.kind = ErrorKind(kind)

    def __str__(self) -> str:
        return self.user_message


class ConfigError(PassportHubError):
    kind = ErrorKind.CONFIG


class AuthError(PassportHubError):
    kind = ErrorKind.AUTH


class TransientError(PassportHubError):
    kind = ErrorKind.TRANSIENT


class RateLimitedError(PassportHubError):
    kind = ErrorKind.RATE_LIMITED


class UpstreamError(PassportHubError):
    kind = ErrorKind.UPSTREAM


class MalformedError(PassportHubError):
    kind = ErrorKind.MALFORMED


class UnrecognizedError(PassportHubError):
    kind = ErrorKind.UNRECOGNIZED


class AmbiguousError(PassportHubError):
    kind = ErrorKind.AMBIGUOUS


class UnsafeError(PassportHubError):
    kind = ErrorKind.UNSAFE


class TooLargeError(PassportHubError):
    kind = ErrorKind.TOO_LARGE


class NotFoundError(PassportHubError):
    kind = ErrorKind.NOT_FOUND


class UnavailableError(PassportHubError):
    kind = ErrorKind.UNAVAILABLE


class PluginError(PassportHubError):
    """A plugin failed to load or broke its contract (raised in strict mode)."""

    kind = ErrorKind.SYSTEM


def shortened(text: str, limit: int) -> str:
    """``text``, cut to its first ``limit`` characters and "…" when longer: a message quotes what it
    was given (a client's parameter, a credential's issuer name), never all of it."""
    return text if len(text) <= limit else text[:limit] + "…"


def as_hub_error(exc: BaseException, *, plugin: str | None = None) -> PassportHubError:
    """Wrap any exception so it can be shown without a traceback, attributed to a plugin."""
    if isinstance(exc, PassportHubError):
        return exc
    who = f"plugin {plugin!r}" if plugin else "passport-hub"
    return PassportHubError(
        f"{who} failed unexpectedly ({type(exc).__name__})",
        internal=f"{type(exc).__name__}: {exc}",
    )
