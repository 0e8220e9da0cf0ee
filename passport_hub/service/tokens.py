"""Random bearer tokens: shown once, stored as SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

HOLDER_PREFIX = "phh_"
SHARE_PREFIX = "phs_"


def new_token(prefix: str) -> str:
    """A token with 256 bits of randomness; the prefix only helps people tell kinds apart."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (False when either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"
