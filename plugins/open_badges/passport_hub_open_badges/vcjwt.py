"""VC-JWT (JOSE compact serialization): decoding, and signature verification with
EdDSA (Ed25519), ES256 (P-256) and RS256/384/512, PS256 (RSA >= 2048 bits).

The signature covers the bytes as received (``header.payload``), so no JSON-LD
processing is involved. Keys come from the header ``jwk`` (public only: a ``d`` is
refused) or from ``kid`` (a DID URL: did:key / did:web).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from passport_hub.contract import parse_json
from passport_hub.errors import MalformedError

from .keys import KeyError_, KeyResolver, ResolvedKey, b64url_decode, key_from_jwk
from .loader import MissingDocument

_COMPACT = re.compile(rb"^\s*([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)\s*$")
MAX_JWT_BYTES = 1_000_000

ALGS = {"EdDSA": "Ed25519", "ES256": "P-256", "RS256": "RSA", "RS384": "RSA", "RS512": "RSA", "PS256": "RSA"}


class JwtError(Exception):
    pass


@dataclass
class CompactJws:
    header: dict
    payload: dict
    signing_input: bytes
    signature: bytes


def looks_like_jwt(data: bytes) -> bool:
    head = data[:64].lstrip()
    return (
        head.startswith(b"eyJ") and data.count(b".") >= 2 and len(data) <= MAX_JWT_BYTES and bool(_COMPACT.match(data))
    )


def decode(data: bytes | str) -> CompactJws:
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    if len(raw) > MAX_JWT_BYTES:
        raise JwtError("VC-JWT is too large")
    m = _COMPACT.match(raw)
    if not m:
        raise JwtError("not a JOSE compact serialization (header.payload.signature)")
    h, p, s = (g.decode("ascii") for g in m.groups())
    try:
        header = parse_json(b64url_decode(h), name="VC-JWT header")
        payload = parse_json(b64url_decode(p), name="VC-JWT payload")
        signature = b64url_decode(s) if s else b""
    except (ValueError, MalformedError) as exc:
        raise JwtError(f"VC-JWT part is not base64url JSON ({type(exc).__name__})") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwtError("VC-JWT header and payload must be JSON objects")
    return CompactJws(header, payload, f"{h}.{p}".encode("ascii"), signature)


def credential_of(jws: CompactJws) -> dict:
    """The credential: the ``vc`` claim (VC 1.1 JWT) or the payload itself (VC-JOSE 2.0),
    with the registered claims folded in where the credential omits them."""
    payload = jws.payload
    if isinstance(payload.get("vc"), dict):
        vc = dict(payload["vc"])
        if "jti" in payload and "id" not in vc:
            vc["id"] = payload["jti"]
        if "iss" in payload and "issuer" not in vc:
            vc["issuer"] = payload["iss"]
        from datetime import UTC, datetime

        def _ts(v: Any) -> str | None:
            if isinstance(v, int | float) and not isinstance(v, bool):
                return datetime.fromtimestamp(v, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            return None

        v2 = "https://www.w3.org/ns/credentials/v2" in (vc.get("@context") or [])
        if _ts(payload.get("nbf")) and not any(k in vc for k in ("issuanceDate", "validFrom")):
            vc["validFrom" if v2 else "issuanceDate"] = _ts(payload["nbf"])
        if _ts(payload.get("exp")) and not any(k in vc for k in ("expirationDate", "validUntil")):
            vc["validUntil" if v2 else "expirationDate"] = _ts(payload["exp"])
        return vc
    if "@context" in payload:
        return payload
    raise JwtError("the JWT carries no credential (no 'vc' claim and no @context)")


def issuer_id(credential: dict) -> str | None:
    iss = credential.get("issuer")
    if isinstance(iss, dict):
        iss = iss.get("id")
    return iss if isinstance(iss, str) else None


def resolve_key(jws: CompactJws, keys: KeyResolver) -> ResolvedKey:
    """Raises ``KeyError_`` / ``MissingDocument``. A DID ``kid`` is resolved first: the key it names
    has a controller (a header ``jwk`` is only the signer's word for its key), and the ``jwk`` is taken
    only when the DID cannot be resolved here."""
    header = jws.header
    own_key = key_from_jwk(header["jwk"]) if "jwk" in header else None  # a private key in it fails first
    kid = header.get("kid")
    if isinstance(kid, str) and kid.startswith("did:"):
        try:
            return keys.resolve(kid)
        except (KeyError_, MissingDocument):
            if own_key is None:
                raise
    if own_key is not None:
        return ResolvedKey(*own_key, None, "header jwk")
    if isinstance(kid, str) and kid:
        raise KeyError_("unknown_verification_method", f"kid {kid!r} is not a DID URL and is not dereferenced")
    # OB 3.0: without jwk/kid the issuer's DID may name the key (did:key)
    iss = jws.payload.get("iss")
    if isinstance(iss, str) and iss.startswith("did:key:"):
        return keys.resolve(iss)
    raise KeyError_("no_verification_method", "the JWT header has neither 'jwk' nor 'kid'")


def verify_signature(jws: CompactJws, keys: KeyResolver) -> tuple[str, str, str, ResolvedKey | None]:
    """-> (status, code, detail, key)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    alg = jws.header.get("alg")
    if alg not in ALGS:
        return "failed", "unsupported_alg", f"JWS alg {alg!r} is not accepted (EdDSA, ES256, RS256...)", None
    try:
        key = resolve_key(jws, keys)
    except KeyError_ as exc:
        status = "failed" if exc.code == "private_key_in_jwk" else "not_checked"
        return status, exc.code, exc.message, None
    except MissingDocument as exc:
        return "not_checked", "did_web_unresolved", f"DID document {exc.url} is not available offline", None
    if key.kind != ALGS[alg]:
        return "failed", "wrong_key_type", f"alg {alg} does not match the {key.kind} key", key
    sig, data = jws.signature, jws.signing_input
    try:
        if alg == "EdDSA":
            key.key.verify(sig, data)
        elif alg == "ES256":
            if len(sig) != 64:
                raise InvalidSignature()
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            key.key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        elif alg == "PS256":
            key.key.verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        else:
            digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}[alg]
            key.key.verify(sig, data, padding.PKCS1v15(), digest)
    except InvalidSignature:
        return "failed", "invalid_signature", f"VC-JWT {alg} signature by {key.method_id} is not valid", key
    return "passed", "valid", f"VC-JWT {alg} signature by {key.method_id}", key
