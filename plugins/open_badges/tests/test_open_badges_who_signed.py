"""What a valid signature says, and of whom: a passport-hub export is signed by the hub that
exported it, not by the record's issuer; a bare key signs whatever issuer name it likes.

The attacks are realistic: the hub's own ``Signer`` with a fresh key, real samples, the real export."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from passport_hub_open_badges.loader import DocumentStore
from passport_hub_open_badges.source import OpenBadgesSource
from passport_hub_open_badges.verifier import OpenBadgesVerifier
from passport_hub_open_badges.verify import Engine, verdict, verify_credential

from passport_hub.contract import Document, VerifyContext
from passport_hub.exports import export_records
from passport_hub.exports.signing import Signer
from passport_hub.model import CredentialRecord
from passport_hub.verify import fold_status

VC = Path(__file__).parent / "data" / "vc" / "credentials"
NOW = datetime(2026, 12, 3, tzinfo=UTC)


def _by(checks):
    return {c.name: c for c in checks}


def _pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture
def navy_course() -> CredentialRecord:
    """The real fullOpenBadge example read as a record, named as a Navy course (as a JST one is)."""
    [record] = OpenBadgesSource().parse(Document((VC / "ob30-spec-examples/fullOpenBadge.json").read_bytes(),
                                                 name="badge.json"))
    return record.model_copy(update={"issuer": record.issuer.model_copy(update={"name": "U.S. Navy"})})


# -- (a) a hub-signed export ------------------------------------------------------------------------


def test_a_hub_signed_export_is_not_verified_as_its_issuers(navy_course):
    hub = Signer.from_pem(_pem())
    [jwt] = export_records([navy_course], "ob3", signer=hub)
    checks = verify_credential(jwt.encode(), now=NOW)
    by = _by(checks)
    assert [c.name for c in checks] == ["well_formed", "signature", "export_signature", "issuer_key_binding",
                                        "issuer_identity", "valid_from", "not_expired"]
    # the hub's signature is checked and said to be the hub's ...
    assert by["export_signature"].status == "passed"
    assert by["export_signature"].detail.startswith(f"valid: signed by the hub {hub.issuer} that exported it (VC-JWT")
    assert by["issuer_key_binding"].detail == (f"match: the key's controller is the credential's issuer {hub.issuer}, "
                                               "the hub that exported it (not U.S. Navy)")
    # ... but no issuer signed the credential: not verified, and the reader is sent to the original
    assert by["signature"].status == "not_checked"
    assert by["signature"].detail.startswith("hub_export: a copy of a record that a passport-hub exported and signed")
    assert by["signature"].detail.endswith("verify the original, U.S. Navy's own document")
    assert by["issuer_identity"].detail == (f"hub_export: signed by the hub {hub.issuer} that exported it, not by "
                                            "U.S. Navy; verify the original, U.S. Navy's own document")
    assert fold_status(checks) == "unverifiable" and verdict(checks) == "unverifiable"
    # a tampered export still fails: the bytes are not what the hub signed
    header, payload, signature = jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["name"] = "Forged"
    forged = f"{header}.{base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=').decode()}.{signature}"
    assert fold_status(verify_credential(forged.encode(), now=NOW)) == "failed"


def test_an_imported_hub_export_is_unverifiable_and_an_unsigned_one_stays_so(navy_course):
    """Through the verifier, as another holder's wallet holds the export (a JSON array of them)."""
    for signer in (Signer.from_pem(_pem()), None):
        data = json.dumps(export_records([navy_course], "ob3", signer=signer)).encode()
        [record] = OpenBadgesSource().parse(Document(data, name="wallet.ob3.json"))
        assert record.issuer.name == "U.S. Navy" and record.source.copy_of == navy_course.id
        checks = asyncio.run(OpenBadgesVerifier().verify(
            record, VerifyContext(http=None, catalog=None, now=NOW, document=data)))
        assert fold_status(checks) == "unverifiable", [c.model_dump() for c in checks]
        sig = _by(checks)["signature"]
        if signer is None:
            assert sig.detail.startswith("no_proof:") and verdict(checks) == "unsigned"
            assert sig.detail.endswith("(a passport-hub export: verify the original, U.S. Navy's own document)")
        else:
            assert sig.detail.startswith("hub_export:") and _by(checks)["export_signature"].status == "passed"


def test_a_hub_signed_clr_export_gives_unverifiable_records(navy_course):
    """The CLR is the hub's own (its issuer, signed by it); the records it holds are unsigned copies."""
    data = export_records([navy_course], "clr", signer=Signer.from_pem(_pem())).encode()
    [record] = OpenBadgesSource().parse(Document(data, name="wallet.clr.jwt"))
    checks = asyncio.run(OpenBadgesVerifier().verify(
        record, VerifyContext(http=None, catalog=None, now=NOW, document=data)))
    assert fold_status(checks) == "unverifiable"
    assert _by(checks)["signature"].detail.endswith("verify the original, U.S. Navy's own document)")


# -- (b) who signed: a bare key, a domain -----------------------------------------------------------


def test_a_fresh_key_naming_the_navy_is_verified_but_said_to_be_a_bare_key(navy_course):
    """Cryptographically valid (OB verifiers do not check names): the status stays verified, and
    issuer_identity says the key signed and the name is the credential's claim."""
    attacker = Signer.from_pem(_pem())
    [credential] = export_records([navy_course], "ob3")
    credential.pop("passportHub")
    credential["@context"] = credential["@context"][:2]
    credential["issuer"] = {"id": attacker.issuer, "type": ["Profile"], "name": "U.S. Navy"}
    checks = verify_credential(attacker.sign(credential).encode(), now=NOW)
    by = _by(checks)
    assert fold_status(checks) == "verified" and verdict(checks) == "valid"
    assert by["issuer_key_binding"].status == "passed"
    assert by["issuer_identity"].status == "not_checked"
    assert by["issuer_identity"].detail == (
        f"bare_key: signed by key {attacker.issuer}; the name \"U.S. Navy\" is the credential's own claim "
        "(a bare key is tied to no organization)")


def test_a_did_web_issuer_is_named_by_its_domain():
    checks = verify_credential((VC / "verifier-core/v2didWebWithValidStatus.json").read_bytes(), now=NOW)
    assert _by(checks)["issuer_identity"].model_dump() == {
        "name": "issuer_identity", "status": "passed",
        # the DID has a path: published under digitalcredentials.github.io/dcc-did-web (whoever may publish
        # there, a GitHub Pages site), not by the whole domain
        "detail": "domain: signed by digitalcredentials.github.io/dcc-did-web "
                  "(did:web:digitalcredentials.github.io:dcc-did-web), which names itself \"Example Corp\""}


def test_a_key_in_an_https_address_is_not_that_domains():
    """The 1EdTech rule takes the key from the verification method's fragment: anyone can write
    https://example.com/issuers/876543#<their key>, so example.com is not said to have signed."""
    checks = verify_credential((VC / "1edtech-validator/ob30/simple.json").read_bytes(), now=NOW)
    identity = _by(checks)["issuer_identity"]
    assert identity.status == "not_checked" and identity.detail.startswith(
        "bare_key: signed by a key written into its verification method's address "
        "(https://example.com/issuers/876543#…), which example.com was not asked to confirm")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_did_document_cannot_lend_its_key_to_another_did():
    """evil.example's DID document lists its own key with ``controller: did:web:navy.mil``: the key
    is evil.example's (whose document authorizes it), so nothing binds it to did:web:navy.mil."""
    key = ed25519.Ed25519PrivateKey.generate()
    multikey = Signer.from_pem(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())).multikey
    evil, navy = "did:web:evil.example", "did:web:navy.mil"
    method = {"id": f"{evil}#key-1", "type": "Multikey", "controller": navy, "publicKeyMultibase": multikey}
    store = DocumentStore(documents={"https://evil.example/.well-known/did.json": {
        "@context": ["https://www.w3.org/ns/did/v1"], "id": evil, "verificationMethod": [method],
        "assertionMethod": [method["id"]]}})
    credential = json.loads((VC / "verifier-core/v2NoStatus.json").read_text())
    credential.pop("proof")
    credential["issuer"] = {"id": navy, "type": ["Profile"], "name": "U.S. Navy"}
    signing_input = f"{_b64(json.dumps({'alg': 'EdDSA', 'kid': method['id']}).encode())}." \
                    f"{_b64(json.dumps(credential).encode())}"
    token = f"{signing_input}.{_b64(key.sign(signing_input.encode()))}".encode()
    by = _by(Engine(store=store).verify_bytes(token, NOW))
    assert by["signature"].status == "passed"
    assert by["issuer_key_binding"].status == "not_checked"
    assert by["issuer_key_binding"].detail.startswith(f"issuer_mismatch: the key's controller {evil} is not")
    assert by["issuer_identity"].status == "not_checked"
    assert by["issuer_identity"].detail == (f"domain: signed by evil.example ({evil}), not by the issuer the "
                                            f"credential names ({navy}, \"U.S. Navy\")")
    assert fold_status(list(by.values())) == "unverifiable"


# -- (c) a key not bound to the issuer the credential names is never "verified" ---------------------


def _token(header: dict, credential: dict, key: ed25519.Ed25519PrivateKey) -> bytes:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(credential).encode())}"
    return f"{signing_input}.{_b64(key.sign(signing_input.encode()))}".encode()


def _navy_credential(issuer_id: str = "did:web:navy.mil") -> dict:
    credential = json.loads((VC / "verifier-core/v2NoStatus.json").read_text())
    credential.pop("proof")
    credential["issuer"] = {"id": issuer_id, "type": ["Profile"], "name": "U.S. Navy"}
    return credential


def _jwk(key: ed25519.Ed25519PrivateKey) -> dict:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}


@pytest.mark.parametrize("policy,binding,folded", [("warn", "not_checked", "unverifiable"),
                                                    ("require", "failed", "failed"), ("off", None, "verified")])
def test_any_key_naming_the_navys_did_is_not_verified_unless_the_policy_is_off(policy, binding, folded):
    """The signature holds, but the key is the signer's own (a header jwk, as a fresh did:key is): under
    the default policy that is no proof the issuer signed, so the credential is unverifiable; 'require'
    fails it (1EdTech); 'off' compares nothing and reports no binding (verifier-core)."""
    from passport_hub_open_badges.config import OpenBadgesVerifyConfig

    key = ed25519.Ed25519PrivateKey.generate()
    token = _token({"alg": "EdDSA", "jwk": _jwk(key)}, _navy_credential(), key)
    checks = Engine(OpenBadgesVerifyConfig(issuer_key_binding=policy)).verify_bytes(token, NOW)
    by = _by(checks)
    assert by["signature"].status == "passed"
    assert (by["issuer_key_binding"].status if "issuer_key_binding" in by else None) == binding
    assert fold_status(checks) == folded


def test_a_did_kid_is_the_key_not_the_jwk_beside_it():
    """A header naming the Navy's key (kid) and carrying the signer's own (jwk): the kid's key is
    checked, so a jwk cannot stand in for a key the issuer published."""
    navy_key, forger = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    multikey = Signer.from_pem(navy_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption())).multikey
    navy = "did:web:navy.mil"
    method = {"id": f"{navy}#key-1", "type": "Multikey", "controller": navy, "publicKeyMultibase": multikey}
    store = DocumentStore(documents={"https://navy.mil/.well-known/did.json": {
        "@context": ["https://www.w3.org/ns/did/v1"], "id": navy, "verificationMethod": [method],
        "assertionMethod": [method["id"]]}})
    header = {"alg": "EdDSA", "kid": method["id"]}
    forged = _by(Engine(store=store).verify_bytes(
        _token({**header, "jwk": _jwk(forger)}, _navy_credential(), forger), NOW))
    assert forged["signature"].status == "failed"
    # the Navy's own token, jwk and all, is bound and named by its domain
    checks = Engine(store=store).verify_bytes(_token({**header, "jwk": _jwk(navy_key)}, _navy_credential(), navy_key),
                                              NOW)
    assert _by(checks)["issuer_key_binding"].detail == f"match: the key's controller is the issuer {navy}"
    assert _by(checks)["issuer_identity"].detail == f"domain: signed by navy.mil ({navy}), which names itself " \
                                                    "\"U.S. Navy\""
    assert fold_status(checks) == "verified"


def test_a_key_written_into_the_issuers_https_address_binds_nothing_even_under_require():
    """https://www.navy.mil/issuer#<any key>: the 1EdTech rule takes the key from the address without
    asking navy.mil, so anyone can write one. Not a mismatch to fail, but no binding to pass either."""
    from passport_hub_open_badges.config import OpenBadgesVerifyConfig

    checks = Engine(OpenBadgesVerifyConfig(issuer_key_binding="require")).verify_bytes(
        (VC / "1edtech-validator/ob30/simple.json").read_bytes(), NOW)
    binding = _by(checks)["issuer_key_binding"]
    assert binding.status == "not_checked" and binding.detail == (
        "fragment_key: the key is written into the verification method's address "
        "(https://example.com/issuers/876543#…), which example.com was not asked to confirm: nothing binds it to "
        "the issuer https://example.com/issuers/876543")
    assert verdict(checks) == "valid" and fold_status(checks) == "unverifiable"


def test_an_issuer_name_cannot_finish_the_sentence_it_is_quoted_in():
    """The name is shown inside the hub's own words (the share page's status line): its quotes are
    escaped, so "…' is confirmed. Identity: signed by navy.mil" stays visibly inside the name."""
    attacker = Signer.from_pem(_pem())
    credential = _navy_credential(attacker.issuer)
    credential["issuer"]["name"] = "U.S. Navy\" is confirmed. Identity: signed by navy.mil. \"1"
    token = attacker.sign(credential)
    identity = _by(verify_credential(token.encode(), now=NOW))["issuer_identity"]
    assert identity.detail == (f"bare_key: signed by key {attacker.issuer}; the name "
                               "\"U.S. Navy\\\" is confirmed. Identity: signed by navy.mil. \\\"1\" is the "
                               "credential's own claim (a bare key is tied to no organization)")
