"""Signing Open Badges 3.0 and CLR 2.0 exports as VC-JWT (compact JWS, EdDSA / Ed25519).

Configured with ``PASSPORT_HUB_SIGNING_KEY_FILE`` (a PEM Ed25519 private key) and optionally
``PASSPORT_HUB_SIGNING_ISSUER`` (the hub's issuer id: a DID or an HTTPS URL; by default the
``did:key`` of the key). Per VC-JWT 1.1 as Open Badges 3.0 and CLR 2.0 use it: the header
names the verification method in ``kid``; the payload carries the credential as ``vc`` plus
``iss`` (the issuer id), ``nbf`` (issuanceDate), ``jti`` (the credential id), ``exp``
(expirationDate, when set) and ``sub`` (credentialSubject.id, when the subject has one).

The verification method is ``<issuer>#<multibase public key>``: for a ``did:key`` that is
its one key, and verifiers resolve it offline, binding the key to the issuer. For any other
issuer (an HTTPS URL, a ``did:web``) the header also carries the public key as ``jwk``, so
the signature verifies offline; binding that key to the issuer is up to the issuer's
published key (for a ``did:web``, publish the method in its DID document).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigError

ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
JWT_MEDIA_TYPE = "application/vc+ld+json+jwt"


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _numeric_date(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


@dataclass(frozen=True)
class Signer:
    """The hub's signing key and the issuer id it signs as."""

    key: Any  # cryptography Ed25519PrivateKey
    issuer: str
    multikey: str  # z6Mk...: the public key, multicodec Ed25519, base58btc

    @classmethod
    def from_pem(cls, pem: bytes, issuer: str | None = None) -> Signer:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519

        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"the signing key is not an unencrypted PEM private key ({type(exc).__name__})") from None
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ConfigError("the signing key must be an Ed25519 private key (EdDSA)")
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        multikey = "z" + b58encode(ED25519_MULTICODEC + raw)
        issuer = (issuer or "").strip() or f"did:key:{multikey}"
        if ":" not in issuer or any(c.isspace() for c in issuer):
            raise ConfigError("PASSPORT_HUB_SIGNING_ISSUER must be a DID or an https URL")
        return cls(key, issuer, multikey)

    @classmethod
    def from_settings(cls, settings) -> Signer | None:
        """None when no signing key is configured (exports stay unsigned).

        :raises ConfigError: the key file cannot be read or is not an Ed25519 private key
            (the message names the file, never its contents).
        """
        path = getattr(settings, "signing_key_file", None)
        if not path:
            return None
        try:
            pem = Path(path).expanduser().read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read PASSPORT_HUB_SIGNING_KEY_FILE {path}: {exc.strerror}") from None
        return cls.from_pem(pem, getattr(settings, "signing_issuer", None))

    @property
    def verification_method(self) -> str:
        return f"{self.issuer}#{self.multikey}"

    def public_jwk(self) -> dict:
        from cryptography.hazmat.primitives import serialization

        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}

    def profile(self) -> dict:
        """The hub as an Open Badges issuer Profile."""
        profile = {"id": self.issuer, "type": ["Profile"], "name": "passport-hub"}
        if self.issuer.startswith("https://"):
            profile["url"] = self.issuer
        return profile

    def sign(self, credential: dict) -> str:
        """The credential as a VC-JWT (compact JWS)."""
        header: dict[str, Any] = {"alg": "EdDSA", "typ": "JWT", "kid": self.verification_method}
        if not self.issuer.startswith("did:key:"):
            # a did:key is its own key; any other issuer's key document may not be at hand
            header["jwk"] = self.public_jwk()
        payload: dict[str, Any] = {"iss": self.issuer}
        if (nbf := _numeric_date(credential.get("issuanceDate") or credential.get("validFrom"))) is not None:
            payload["nbf"] = nbf
        if (exp := _numeric_date(credential.get("expirationDate") or credential.get("validUntil"))) is not None:
            payload["exp"] = exp
        if isinstance(credential.get("id"), str):
            payload["jti"] = credential["id"]
        subject = credential.get("credentialSubject")
        if isinstance(subject, dict) and isinstance(subject.get("id"), str):
            payload["sub"] = subject["id"]
        payload["vc"] = credential
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                         + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")))
        return signing_input + "." + b64url(self.key.sign(signing_input.encode("ascii")))


def unverified_credential(jwt: str) -> dict:
    """The ``vc`` claim of a VC-JWT, not verified (for schema checks of our own output)."""
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["vc"]


__all__ = ["JWT_MEDIA_TYPE", "Signer", "unverified_credential"]
