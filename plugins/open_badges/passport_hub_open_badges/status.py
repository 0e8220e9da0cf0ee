"""Revocation / suspension through BitstringStatusList and StatusList2021.

Algorithm (W3C Bitstring Status List): obtain the list credential -> verify its proof ->
check its validity window and type -> the entry's statusPurpose must be the list's ->
decode -> bit ``statusListIndex``, index 0 = the most significant bit of the first byte.

Decoding branches on the entry type (walt-id/waltid-identity#1075):
- BitstringStatusList: multibase ``u`` + base64url without padding of GZIP(bits);
- StatusList2021: base64 (url-safe or standard alphabet, padding tolerated) of GZIP(bits),
  no multibase prefix.

Anything that stops us from obtaining or trusting the list is ``not_checked`` — never
"not revoked" (learner-credential-wallet#642).
"""

from __future__ import annotations

import base64
import re
import zlib

SPEC_MIN_BITS = 131_072
MAX_LIST_BYTES = 16 * 1024 * 1024  # decompressed bound (zip bombs)

ENTRY_TYPES = {
    "BitstringStatusListEntry": ("BitstringStatusListCredential", "BitstringStatusList"),
    "StatusList2021Entry": ("StatusList2021Credential", "StatusList2021"),
}
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_B64ANY = re.compile(r"^[A-Za-z0-9_+/-]+={0,2}$")


class StatusError(Exception):
    """The list could not be used; ``code`` is a stable reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _gunzip(raw: bytes) -> bytes:
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(raw, MAX_LIST_BYTES)
    except zlib.error as exc:
        raise StatusError("bad_encoding", f"encodedList is not GZIP data ({exc})") from exc
    if d.unconsumed_tail:
        raise StatusError("too_large", "decoded status list exceeds 16 MB")
    return out


def decode_list(encoded: object, entry_type: str) -> bytes:
    """The raw bitstring bytes of ``encodedList``; ``StatusError`` on any defect."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusError("bad_encoding", "encodedList is missing")
    if entry_type == "BitstringStatusListEntry":
        if not encoded.startswith("u"):
            raise StatusError("bad_encoding", "BitstringStatusList encodedList lacks the multibase 'u' prefix")
        body = encoded[1:]
        if not _B64URL.match(body):
            raise StatusError("bad_encoding", "BitstringStatusList encodedList is not base64url without padding")
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    else:  # StatusList2021
        if not _B64ANY.match(encoded):
            raise StatusError("bad_encoding", "StatusList2021 encodedList is not base64")
        body = encoded.rstrip("=").replace("+", "-").replace("/", "_")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError as exc:
            raise StatusError("bad_encoding", "StatusList2021 encodedList is not base64") from exc
    return _gunzip(raw)


def bit_at(bits: bytes, index: int) -> int:
    """Bit ``index``; index 0 is the most significant bit of the first byte."""
    return (bits[index // 8] >> (7 - index % 8)) & 1


def parse_index(value: object) -> int:
    if isinstance(value, bool):
        raise StatusError("bad_entry", "statusListIndex is not a number")
    if isinstance(value, int):
        index = value
    elif isinstance(value, str) and value.isdigit() and value.isascii():
        index = int(value)
    else:
        raise StatusError("bad_entry", f"statusListIndex {value!r} is not a non-negative integer")
    if index < 0:
        raise StatusError("bad_entry", "statusListIndex is negative")
    return index


def check_list_shape(list_cred: dict, entry: dict) -> tuple[dict, str]:
    """Type, subject and purpose checks on the (already trusted) list credential."""
    etype = entry.get("type")
    want_cred, want_subject = ENTRY_TYPES[etype]
    types = list_cred.get("type")
    types = types if isinstance(types, list) else [types]
    if want_cred not in types:
        raise StatusError("wrong_list_type", f"status list credential is not a {want_cred}")
    subject = list_cred.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if len(subject) == 1 else None
    if not isinstance(subject, dict):
        raise StatusError("wrong_list_type", "status list credential has no single credentialSubject")
    stypes = subject.get("type")
    stypes = stypes if isinstance(stypes, list) else [stypes]
    if want_subject not in stypes:
        raise StatusError("wrong_list_type", f"status list subject is not a {want_subject}")
    purpose = entry.get("statusPurpose")
    list_purpose = subject.get("statusPurpose")
    purposes = list_purpose if isinstance(list_purpose, list) else [list_purpose]
    if purpose not in purposes:
        raise StatusError(
            "purpose_mismatch", f"entry statusPurpose {purpose!r} differs from the list's {list_purpose!r}"
        )
    return subject, purpose


def read_entry(list_cred: dict, entry: dict) -> tuple[int, str, list[str]]:
    """-> (bit, purpose, notes) for a trusted list credential."""
    subject, purpose = check_list_shape(list_cred, entry)
    size = entry.get("statusSize", 1)
    if size not in (1, "1"):
        raise StatusError("unsupported", f"statusSize {size} is not supported for {purpose}")
    index = parse_index(entry.get("statusListIndex"))
    bits = decode_list(subject.get("encodedList"), entry["type"])
    total = len(bits) * 8
    notes = []
    if index >= total:
        raise StatusError("index_out_of_range", f"statusListIndex {index} is beyond the list ({total} entries)")
    if total < SPEC_MIN_BITS:
        notes.append(f"short list: {total} entries (the spec asks for at least {SPEC_MIN_BITS})")
    return bit_at(bits, index), purpose, notes
