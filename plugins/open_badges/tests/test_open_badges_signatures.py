"""Signatures: W3C vc-di-eddsa intermediates byte for byte, tampering, not-yet-valid,
issuer/key binding policy, VC-JWT algorithms and refusals."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from passport_hub_open_badges.config import OpenBadgesVerifyConfig
from passport_hub_open_badges.proofs import canonize, proof_config, unsecured
from passport_hub_open_badges.verify import Engine, verdict, verify_credential

DATA = Path(__file__).parent / "data" / "vc"
SAMPLES = Path(__file__).parent.parent / "passport_hub_open_badges" / "samples"  # shipped with the package
W3C = DATA / "credentials" / "w3c-vc-di-eddsa"
NOW = datetime(2026, 12, 3, tzinfo=UTC)

# the W3C vc-di-eddsa published test key (TestVectors/keyPair.json) — for tests only
_KEYPAIR = json.loads((DATA / "documents/keys/w3c-vc-di-eddsa-keyPair.json").read_text())
_SEED = base58.b58decode(_KEYPAIR["privateKeyMultibase"][1:])[2:]
W3C_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(_SEED)
W3C_DID = "did:key:" + _KEYPAIR["publicKeyMultibase"]
W3C_VM = f"{W3C_DID}#{_KEYPAIR['publicKeyMultibase']}"


def by_name(checks):
    return {c.name: c for c in checks}


def sign(doc: dict, *, suite: str = "eddsa-rdfc-2022", vm: str = W3C_VM, key=W3C_KEY) -> dict:
    """Sign ``doc`` the way the W3C test vectors are signed (for generated fixtures)."""
    engine = Engine()
    doc = copy.deepcopy(doc)
    doc.pop("proof", None)
    if suite == "Ed25519Signature2020":
        proof = {"type": "Ed25519Signature2020"}
    else:
        proof = {"type": "DataIntegrityProof", "cryptosuite": suite}
    proof.update({"created": "2024-01-01T00:00:00Z", "verificationMethod": vm, "proofPurpose": "assertionMethod"})
    data = (
        hashlib.sha256(canonize(proof_config(doc, proof), engine.store).encode()).digest()
        + hashlib.sha256(canonize(unsecured(doc), engine.store).encode()).digest()
    )
    proof["proofValue"] = "z" + base58.b58encode(key.sign(data)).decode()
    doc["proof"] = proof
    return doc


def dumps(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


# -- the W3C test vectors, byte for byte -------------------------------------------------------
@pytest.mark.parametrize(
    "folder,suffix,signed",
    [("eddsa-rdfc-2022", "DataInt", "signedDataInt.json"), ("Ed25519Signature2020", "EdSig", "signedEdSig.json")],
)
def test_w3c_intermediate_values_are_reproduced(folder, suffix, signed):
    engine = Engine()
    inter = W3C / folder / "intermediate"
    doc = json.loads((W3C / folder / signed).read_text())
    canon_doc = canonize(unsecured(doc), engine.store)
    assert canon_doc.strip() == (inter / f"canonDoc{suffix}.txt").read_text().strip()
    config = proof_config(doc, doc["proof"])
    assert config == json.loads((inter / f"proofConfig{suffix}.json").read_text())
    canon_proof = canonize(config, engine.store)
    assert canon_proof.strip() == (inter / f"proofCanon{suffix}.txt").read_text().strip()
    doc_hash = hashlib.sha256(canon_doc.encode()).hexdigest()
    proof_hash = hashlib.sha256(canon_proof.encode()).hexdigest()
    assert doc_hash == (inter / f"docHash{suffix}.txt").read_text().strip()
    assert proof_hash == (inter / f"proofHash{suffix}.txt").read_text().strip()
    assert proof_hash + doc_hash == (inter / f"combinedHash{suffix}.txt").read_text().strip()
    sig = base58.b58decode(doc["proof"]["proofValue"][1:])
    assert sig.hex() == (inter / f"sigHex{suffix}.txt").read_text().strip()
    # and our signer reproduces the published signature (Ed25519 is deterministic)
    assert sign_with_created(doc)["proof"]["proofValue"] == doc["proof"]["proofValue"]


def sign_with_created(doc):
    engine = Engine()
    proof = {k: v for k, v in doc["proof"].items() if k != "proofValue"}
    data = (
        hashlib.sha256(canonize(proof_config(doc, proof), engine.store).encode()).digest()
        + hashlib.sha256(canonize(unsecured(doc), engine.store).encode()).digest()
    )
    out = copy.deepcopy(doc)
    out["proof"]["proofValue"] = "z" + base58.b58encode(W3C_KEY.sign(data)).decode()
    return out


# -- tampering --------------------------------------------------------------------------------
SIGNED_SAMPLES = [
    "credentials/verifier-core/v1NoStatus.json",
    "credentials/verifier-core/v2NoStatus.json",
    "credentials/verifier-core/v2EddsaWithValidStatus.json",
    "credentials/verifier-core/v2didWebWithValidStatus.json",
    "credentials/w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json",
    "credentials/w3c-vc-di-eddsa/Ed25519Signature2020/signedEdSig.json",
    "credentials/1edtech-validator/ob30/simple.json",
    "credentials/1edtech-validator/clr20/simple.json",
]


def _flip_one_char(data: bytes, needle: bytes) -> bytes:
    """Change one character inside the first occurrence of ``needle`` (a signed value)."""
    at = data.index(needle) + len(needle)
    ch = data[at : at + 1]
    swap = {True: b"%d" % ((int(ch) + 1) % 10) if ch.isdigit() else b"", False: b"Y" if ch == b"X" else b"X"}
    repl = swap[ch.isdigit()]
    return data[:at] + repl + data[at + 1 :]


@pytest.mark.parametrize("path", SIGNED_SAMPLES)
@pytest.mark.parametrize("field", [b'"name": "', b'"validFrom": "20', b'"id": "'])
def test_tampering_one_character_fails_the_signature(path, field):
    data = (DATA / path).read_bytes()
    if field not in data:
        field = b'"issuanceDate": "20' if b'"issuanceDate"' in data else b'"type": "'
    assert by_name(verify_credential(data, now=NOW))["signature"].status == "passed"
    tampered = _flip_one_char(data, field)
    assert tampered != data and len(tampered) == len(data)
    checks = verify_credential(tampered, now=NOW)
    sig = by_name(checks)["signature"]
    assert sig.status == "failed", [c.model_dump() for c in checks]
    assert sig.detail.startswith("invalid_signature:")
    assert verdict(checks) == "invalid_signature"


def test_tampered_clr_jwt_payload_fails():
    data = (DATA / "credentials/1edtech-validator/clr20/simple.jwt").read_bytes().strip()
    header, payload, sig = data.split(b".")
    claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    claims["vc"]["name"] = "Sample Transcripx"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    checks = verify_credential(b".".join([header, forged, sig]), now=NOW)
    assert by_name(checks)["signature"].status == "failed"
    assert verdict(checks) == "invalid_signature"


def test_non_ascii_bytes_are_verified_as_received():
    doc = json.loads((W3C / "unsigned.json").read_text())
    doc["name"] = "SAFeÂ® Practitioner – Ünïcødé"
    signed = sign(doc)
    checks = verify_credential(dumps(signed), now=NOW)
    assert by_name(checks)["signature"].status == "passed"
    signed["name"] = "SAFe® Practitioner – Ünïcødé"  # "repaired" mojibake is a different document
    assert by_name(verify_credential(dumps(signed), now=NOW))["signature"].status == "failed"


# -- validity window ------------------------------------------------------------------------
def test_future_valid_from_is_not_yet_valid_not_a_bad_signature():
    doc = json.loads((W3C / "unsigned.json").read_text())
    doc["validFrom"] = "2027-06-01T00:00:00Z"
    signed = sign(doc)
    checks = verify_credential(dumps(signed), now=NOW)
    by = by_name(checks)
    assert by["signature"].status == "passed"
    assert by["valid_from"].status == "failed"
    assert by["valid_from"].detail.startswith("not_yet_valid:")
    assert "2027-06-01T00:00:00Z" in by["valid_from"].detail
    assert by["not_expired"].status == "passed"
    assert verdict(checks) == "not_yet_valid"
    # once the date comes, the same bytes are valid
    assert verdict(verify_credential(dumps(signed), now=datetime(2027, 6, 2, tzinfo=UTC))) == "valid"


def test_real_sample_before_its_valid_from_is_not_yet_valid():
    data = (DATA / "credentials/verifier-core/v2NoStatus.json").read_bytes()  # validFrom 2010-01-01
    checks = verify_credential(data, now=datetime(2009, 12, 31, tzinfo=UTC))
    assert by_name(checks)["signature"].status == "passed"
    assert verdict(checks) == "not_yet_valid"


def test_clock_skew_is_configurable():
    doc = json.loads((W3C / "unsigned.json").read_text())
    start = NOW + timedelta(minutes=1)
    doc["validFrom"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    data = dumps(sign(doc))
    assert verdict(verify_credential(data, now=NOW)) == "valid"  # default skew 300 s
    strict = Engine(OpenBadgesVerifyConfig(clock_skew_seconds=0))
    assert verdict(strict.verify_bytes(data, NOW)) == "not_yet_valid"


def test_expired_with_valid_signature_reports_both():
    data = (DATA / "credentials/verifier-core/v2Expired.json").read_bytes()
    by = by_name(verify_credential(data, now=NOW))
    assert by["signature"].status == "passed"
    assert by["not_expired"].detail == (
        "expired: The credential has expired (expiration date or validUntil was 2011-01-01T00:00:00Z)."
    )


# -- issuer / key binding policy --------------------------------------------------------------
@pytest.mark.parametrize(
    "policy,status,expected",
    [("warn", "not_checked", "valid"), ("require", "failed", "invalid_signature"), ("off", None, "valid")],
)
def test_issuer_key_binding_policy_on_w3c_vector(policy, status, expected):
    engine = Engine(OpenBadgesVerifyConfig(issuer_key_binding=policy))
    data = (W3C / "eddsa-rdfc-2022/signedDataInt.json").read_bytes()
    checks = engine.verify_bytes(data, NOW)
    binding = by_name(checks).get("issuer_key_binding")  # policy off: not compared, not reported
    assert (binding and binding.status) == status
    assert by_name(checks)["signature"].status == "passed"
    assert verdict(checks) == expected
    if policy == "require":
        assert "Key controller does not match issuer" in binding.detail
        assert "https://vc.example/issuers/5678" in binding.detail


@pytest.mark.parametrize(
    "path",
    [
        "credentials/verifier-core/v2NoStatus.json",  # did:key issuer
        "credentials/verifier-core/v2didWebWithValidStatus.json",  # did:web issuer
    ],
)
def test_issuer_key_binding_passes_when_controller_is_issuer(path):
    engine = Engine(OpenBadgesVerifyConfig(issuer_key_binding="require"))
    checks = engine.verify_bytes((DATA / path).read_bytes(), NOW)
    assert by_name(checks)["issuer_key_binding"].status == "passed"
    assert verdict(checks) == "valid"


def test_https_fragment_keys_can_be_switched_off():
    engine = Engine(OpenBadgesVerifyConfig(https_fragment_keys=False))
    checks = engine.verify_bytes((DATA / "credentials/1edtech-validator/ob30/simple.json").read_bytes(), NOW)
    assert by_name(checks)["signature"].status == "not_checked"
    assert verdict(checks) == "issuer_unresolvable"


# -- JSON-LD safe mode and contexts -----------------------------------------------------------
V1 = DATA / "credentials/verifier-core/v1NoStatus.json"  # VC 1.1 context: no @vocab fallback


def test_undefined_term_is_refused_not_verified_smaller():
    doc = json.loads(V1.read_text())
    doc["undefinedClaim"] = "would vanish in plain expansion"
    checks = verify_credential(dumps(doc), now=NOW)
    wf = by_name(checks)["well_formed"]
    assert wf.status == "failed"
    assert wf.detail.startswith("unsafe_jsonld:") and "undefinedClaim" in wf.detail
    assert verdict(checks) == "malformed"


def test_vc2_vocab_keeps_undefined_terms():
    # VC 2.0's base context maps undefined terms to its issuer-dependent @vocab: nothing drops
    doc = json.loads((W3C / "unsigned.json").read_text())
    doc["undefinedClaim"] = "kept"
    assert by_name(verify_credential(dumps(doc), now=NOW))["well_formed"].status == "passed"


def test_relative_type_is_refused():
    doc = json.loads(V1.read_text())
    doc["type"] = ["VerifiableCredential", "NotDefinedAnywhere"]
    wf = by_name(verify_credential(dumps(doc), now=NOW))["well_formed"]
    assert wf.status == "failed" and "NotDefinedAnywhere" in wf.detail


def test_context_not_in_cache_is_unverifiable_not_invalid():
    doc = json.loads((W3C / "eddsa-rdfc-2022/signedDataInt.json").read_text())
    doc["@context"].append("https://dc.imsglobal.org/draft/clr/v2p0/context")
    checks = verify_credential(dumps(doc), now=NOW)
    by = by_name(checks)
    assert by["well_formed"].status == "not_checked"
    assert by["signature"].status == "not_checked"
    assert by["signature"].detail.startswith("context_not_found:")
    assert verdict(checks) == "unverifiable"


# -- proof sets -------------------------------------------------------------------------------
def test_proof_set_any_one_valid_proof_suffices():
    doc = json.loads((W3C / "unsigned.json").read_text())
    good = sign(doc)["proof"]
    bad = dict(good, proofValue="z" + base58.b58encode(b"\x01" * 64).decode())
    doc["proof"] = [bad, good]
    by = by_name(verify_credential(dumps(doc), now=NOW))
    assert by["signature"].status == "passed"
    assert "1 other proof(s) failed" in by["signature"].detail


def test_ed25519signature2020_generated_and_verified():
    doc = json.loads((W3C / "unsigned.json").read_text())
    doc["@context"].append("https://w3id.org/security/suites/ed25519-2020/v1")
    signed = sign(doc, suite="Ed25519Signature2020")
    assert verdict(verify_credential(dumps(signed), now=NOW)) == "valid"


# -- VC-JWT ----------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(header: dict, payload: dict, signer) -> bytes:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64(signer(signing_input.encode()))}".encode()


def _vc_payload(issuer: str) -> dict:
    vc = json.loads((DATA / "credentials/verifier-core/v2NoStatus.json").read_text())
    vc.pop("proof")
    vc["issuer"]["id"] = issuer
    return vc  # VC-JOSE 2.0 style: the payload is the credential


def test_vc_jwt_eddsa_with_did_key_kid():
    payload = _vc_payload(W3C_DID)
    token = _jwt({"alg": "EdDSA", "kid": W3C_VM}, payload, W3C_KEY.sign)
    checks = Engine(OpenBadgesVerifyConfig(issuer_key_binding="require")).verify_bytes(token, NOW)
    by = by_name(checks)
    assert by["signature"].status == "passed" and "EdDSA" in by["signature"].detail
    assert by["issuer_key_binding"].status == "passed"
    assert verdict(checks) == "valid"


def test_vc_jwt_es256_with_embedded_jwk_and_private_part_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    nums = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": _b64(nums.x.to_bytes(32, "big")), "y": _b64(nums.y.to_bytes(32, "big"))}

    def es256(data: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    payload = {"vc": _vc_payload("https://example.com/issuers/1"), "iss": "https://example.com/issuers/1"}
    token = _jwt({"alg": "ES256", "jwk": jwk}, payload, es256)
    assert by_name(verify_credential(token, now=NOW))["signature"].status == "passed"
    priv = key.private_numbers().private_value.to_bytes(32, "big")
    leaky = _jwt({"alg": "ES256", "jwk": dict(jwk, d=_b64(priv))}, payload, es256)
    sig = by_name(verify_credential(leaky, now=NOW))["signature"]
    assert sig.status == "failed" and sig.detail.startswith("private_key_in_jwk:")


def test_vc_jwt_alg_none_and_hmac_refused():
    payload = {"vc": _vc_payload("https://example.com/issuers/1")}
    for alg in ("none", "HS256"):
        token = _jwt({"alg": alg}, payload, lambda data: b"")
        sig = by_name(verify_credential(token, now=NOW))["signature"]
        assert sig.status == "failed" and sig.detail.startswith("unsupported_alg:")


def test_vc_jwt_iss_must_match_issuer():
    payload = {"vc": _vc_payload(W3C_DID), "iss": "did:example:someone-else"}
    token = _jwt({"alg": "EdDSA", "kid": W3C_VM}, payload, W3C_KEY.sign)
    wf = by_name(verify_credential(token, now=NOW))["well_formed"]
    assert wf.status == "failed" and wf.detail.startswith("jwt_claims:")


def test_clr_jwt_rs256_with_header_jwk():
    data = (DATA / "credentials/1edtech-validator/clr20/simple.jwt").read_bytes()
    by = by_name(verify_credential(data, now=NOW))
    assert by["signature"].detail.startswith("valid: VC-JWT RS256")
    assert by["embedded_credentials"].status == "passed"
    assert by["embedded_credentials"].detail == "all_valid: [0] VC-JWT: valid"
    # draft CLR contexts are not resolved for a JWT (the signature covers bytes, not triples)
    assert by["well_formed"].status == "passed"


def test_velocity_jwt_with_unknown_did_method_is_issuer_unresolvable():
    data = (SAMPLES / "ob3/ob30-velocity.jwt").read_bytes()
    checks = verify_credential(data, now=NOW)
    assert by_name(checks)["signature"].detail.startswith(
        "unknown_scheme: Unknown verification method scheme: did:velocity"
    )
    assert verdict(checks) == "issuer_unresolvable"


def test_gzip_helper_sanity():
    # guards the list builder used in test_open_badges_status.py
    assert gzip.decompress(gzip.compress(b"\x80")) == b"\x80"
    assert serialization.Encoding.Raw
