"""The source's (and verifier's) settings: where the certificate lookup lives."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .ids import DEFAULT_LOOKUP_URL

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class RedCrossConfig(BaseModel):
    """Env: ``PASSPORT_HUB_RED_CROSS_LOOKUP_URL``."""

    model_config = ConfigDict(extra="forbid")

    lookup_url: str = Field(
        DEFAULT_LOOKUP_URL,
        description="The certificate search controller (GET ?certnumber=…|email=…&format=ajax). "
        "Requests go to this URL's host only.",
    )

    @field_validator("lookup_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if not host or parts.scheme not in ("https", "http"):
            raise ValueError("lookup_url must be an absolute https URL")
        if parts.scheme == "http" and host not in _LOOPBACK:
            raise ValueError("lookup_url must use https (plain http only for a loopback test server)")
        if parts.username or parts.password:
            raise ValueError("lookup_url must not carry credentials")
        return value

    @property
    def host(self) -> str:
        return (urlsplit(self.lookup_url).hostname or "").lower()
