"""Status lists: BitstringStatusList and StatusList2021 decoding, bit order, and every way of
failing to obtain or trust a list giving not_checked (never "not revoked")."""

from __future__ import annotations

import base64
import copy
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from passport_hub_open_badges.config import OpenBadgesVerifyConfig
from passport_hub_open_badges.loader import DocumentStore
from passport_hub_open_badges.status import StatusError, bit_at, decode_list
from passport_hub_open_badges.verify import Engine, verdict
from test_open_badges_signatures import W3C, W3C_DID, by_name, dumps, sign

DATA = Path(__file__).parent / "data" / "vc"
SAMPLES = Path(__file__).parent.parent / "passport_hub_open_badges" / "samples"  # shipped with the package
NOW = datetime(2026, 12, 3, tzinfo=UTC)
LIST_URL = "https://status.example.edu/lists/7"
SL2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"
BSL_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"


def bits_with(*indexes: int, size: int = 131_072) -> bytes:
    raw = bytearray(size // 8)
    for i in indexes:
        raw[i // 8] |= 0x80 >> (i % 8)  # index 0 = most significant bit of byte 0
    return bytes(raw)


def encode_bitstring(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).rstrip(b"=").decode()


def encode_sl2021(raw: bytes) -> str:
    return base64.b64encode(gzip.compress(raw)).decode()  # standard alphabet, padded


def test_bit_order_msb_first():
    raw = bits_with(0, 9, 23)
    assert raw[0] == 0x80 and raw[1] == 0x40 and raw[2] == 0x01
    decoded = decode_list(encode_bitstring(raw), "BitstringStatusListEntry")
    assert [i for i in range(64) if bit_at(decoded, i)] == [0, 9, 23]


def test_sl2021_accepts_standard_base64_with_padding():
    decoded = decode_list(encode_sl2021(bits_with(5)), "StatusList2021Entry")
    assert bit_at(decoded, 5) == 1 and bit_at(decoded, 4) == 0


@pytest.mark.parametrize(
    "encoded,reason",
    [
        (encode_bitstring(bits_with(1))[1:], "lacks the multibase 'u' prefix"),
        (encode_bitstring(bits_with(1)) + "==", "base64url without padding"),
        ("u" + base64.b64encode(b"+/+/" * 8).decode(), "base64url without padding"),
        ("u" + base64.urlsafe_b64encode(b"not gzip").rstrip(b"=").decode(), "not GZIP"),
    ],
)
def test_bitstring_encoding_defects_are_errors(encoded, reason):
    with pytest.raises(StatusError) as exc:
        decode_list(encoded, "BitstringStatusListEntry")
    assert reason in exc.value.message


# -- end to end with signed lists (W3C test key) ----------------------------------------------
def status_list(entry_type: str, raw: bytes, *, purpose="revocation", valid_until=None, encoded=None) -> dict:
    sl2021 = entry_type == "StatusList2021Entry"
    v1 = ["https://www.w3.org/2018/credentials/v1", SL2021_CONTEXT, "https://w3id.org/security/data-integrity/v2"]
    ctx = v1 if sl2021 else ["https://www.w3.org/ns/credentials/v2"]
    doc = {
        "@context": ctx,
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential" if sl2021 else "BitstringStatusListCredential"],
        "issuer": W3C_DID,
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "StatusList2021" if sl2021 else "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded or (encode_sl2021(raw) if sl2021 else encode_bitstring(raw)),
        },
    }
    doc["issuanceDate" if sl2021 else "validFrom"] = "2024-01-01T00:00:00Z"
    if valid_until:
        doc["expirationDate" if sl2021 else "validUntil"] = valid_until
    return sign(doc)


def credential(entry_type: str, index, *, purpose="revocation") -> bytes:
    doc = json.loads((W3C / "unsigned.json").read_text())
    doc["issuer"] = W3C_DID
    if entry_type == "StatusList2021Entry":
        doc["@context"].append(SL2021_CONTEXT)
    doc["credentialStatus"] = {
        "id": f"{LIST_URL}#{index}",
        "type": entry_type,
        "statusPurpose": purpose,
        "statusListIndex": index,
        "statusListCredential": LIST_URL,
    }
    return dumps(sign(doc))


def engine_with(list_doc: dict | None, **config) -> Engine:
    store = DocumentStore(documents={LIST_URL: dumps(list_doc)} if list_doc else {})
    return Engine(OpenBadgesVerifyConfig(**config), store=store)


@pytest.mark.parametrize("entry_type", ["BitstringStatusListEntry", "StatusList2021Entry"])
@pytest.mark.parametrize("index,revoked", [("41", True), (41, True), ("40", False), ("42", False)])
def test_revocation_end_to_end(entry_type, index, revoked):
    engine = engine_with(status_list(entry_type, bits_with(41)))
    checks = engine.verify_bytes(credential(entry_type, index), NOW)
    check = by_name(checks)["not_revoked"]
    assert check.status == ("failed" if revoked else "passed"), check.detail
    assert verdict(checks) == ("revoked" if revoked else "valid")


def test_suspension_is_its_own_check():
    engine = engine_with(status_list("BitstringStatusListEntry", bits_with(3), purpose="suspension"))
    checks = engine.verify_bytes(credential("BitstringStatusListEntry", "3", purpose="suspension"), NOW)
    assert by_name(checks)["not_suspended"].status == "failed"
    assert by_name(checks)["not_suspended"].detail.startswith("suspended: Credential is suspended")


def _unverifiable(engine: Engine, data: bytes, code: str) -> None:
    checks = engine.verify_bytes(data, NOW)
    check = by_name(checks)["not_revoked"]
    assert check.status == "not_checked", check.detail
    assert check.detail.startswith(code), check.detail
    assert verdict(checks) == "status_unverifiable"


def test_unreachable_list_is_not_checked_never_not_revoked():
    _unverifiable(engine_with(None), credential("BitstringStatusListEntry", "1"), "status_list_unreachable:")


def test_list_with_a_broken_signature_is_not_trusted():
    bad = status_list("BitstringStatusListEntry", bits_with(41))
    bad["credentialSubject"]["encodedList"] = encode_bitstring(bits_with())  # "un-revoke" everything
    _unverifiable(engine_with(bad), credential("BitstringStatusListEntry", "41"), "status_list_untrusted:")


def test_unsigned_list_is_not_trusted():
    unsigned = status_list("BitstringStatusListEntry", bits_with())
    del unsigned["proof"]
    _unverifiable(engine_with(unsigned), credential("BitstringStatusListEntry", "1"), "status_list_untrusted:")


def test_expired_list_is_not_trusted():
    old = status_list("BitstringStatusListEntry", bits_with(), valid_until="2025-01-01T00:00:00Z")
    _unverifiable(engine_with(old), credential("BitstringStatusListEntry", "1"), "status_list_untrusted:")


def test_purpose_mismatch_index_out_of_range_and_wrong_decoder():
    lst = status_list("BitstringStatusListEntry", bits_with(1), purpose="suspension")
    _unverifiable(engine_with(lst), credential("BitstringStatusListEntry", "1"), "purpose_mismatch:")
    small = status_list("BitstringStatusListEntry", bits_with(1, size=1024))
    _unverifiable(engine_with(small), credential("BitstringStatusListEntry", "5000"), "index_out_of_range:")
    # a Bitstring list encoded the StatusList2021 way (no 'u', padded): refused, not guessed
    legacy = status_list("BitstringStatusListEntry", b"", encoded=encode_sl2021(bits_with(1)))
    _unverifiable(engine_with(legacy), credential("BitstringStatusListEntry", "1"), "bad_encoding:")


def test_entry_type_must_match_list_type():
    lst = status_list("StatusList2021Entry", bits_with(1))
    _unverifiable(engine_with(lst), credential("BitstringStatusListEntry", "1"), "wrong_list_type:")


def test_1edtech_revocation_list_is_not_checked():
    data = (SAMPLES / "ob3/ob30-credential-status-revoked.json").read_bytes()
    doc = json.loads(data)
    entry = {"id": doc["credentialStatus"]["id"], "type": "1EdTechRevocationList"}
    assert doc["credentialStatus"] == entry
    signed_doc = copy.deepcopy(json.loads((W3C / "unsigned.json").read_text()))
    signed_doc["credentialStatus"] = entry
    checks = Engine().verify_bytes(dumps(sign(signed_doc)), NOW)
    assert by_name(checks)["not_revoked"].detail.startswith("unsupported_status_type:")
    assert verdict(checks) == "status_unverifiable"


def test_verifier_core_list_is_cached_by_content():
    engine = Engine()
    data = (DATA / "credentials/verifier-core/v2WithValidStatus.json").read_bytes()
    engine.verify_bytes(data, NOW)
    assert len(engine._list_sig_cache) == 1
    engine.verify_bytes((DATA / "credentials/verifier-core/v2Revoked.json").read_bytes(), NOW)
    assert len(engine._list_sig_cache) == 1
