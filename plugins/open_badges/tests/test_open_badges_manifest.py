"""Every credential of samples/vc/manifest.json gets the manifest's verdict, fully offline.

Verdicts were computed for 2026-12-03 (the manifest's description), so ``now`` is pinned.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from passport_hub_open_badges.verify import verdict, verify_credential

from passport_hub.verify import fold_status

DATA = Path(__file__).parent / "data" / "vc"
MANIFEST = json.loads((DATA / "manifest.json").read_text())
NOW = datetime(2026, 12, 3, tzinfo=UTC)


def _params():
    for entry in MANIFEST["entries"]:
        marks = []
        if entry.get("use_for_scoring") is False:
            marks.append(pytest.mark.skip(reason=entry.get("notes") or "manifest: use_for_scoring false"))
        yield pytest.param(entry, id=entry["file"].removeprefix("credentials/"), marks=marks)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted during offline verification")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_manifest_has_all_34_entries():
    assert len(MANIFEST["entries"]) == 34


@pytest.mark.parametrize("entry", list(_params()))
def test_manifest_verdict(entry, no_network):
    data = (DATA / entry["file"]).read_bytes()
    checks = verify_credential(data, now=NOW)
    by = {c.name: c for c in checks}
    expected = entry["expected"]
    assert verdict(checks) == expected["verdict"], [c.model_dump() for c in checks]
    # the core's fold agrees where its vocabulary has the verdict, except that a valid signature by a
    # key not bound to the issuer is no proof the issuer signed: unverifiable (see the next test)
    core = {
        "valid": "verified",
        "revoked": "revoked",
        "expired": "expired",
        "invalid_signature": "failed",
        "malformed": "failed",
        "unsigned": "unverifiable",
    }
    if expected["verdict"] in core:
        unbound = expected["verdict"] == "valid" and by["issuer_key_binding"].status != "passed"
        assert fold_status(checks) == ("unverifiable" if unbound else core[expected["verdict"]])

    # per-check expectations the manifest states
    sig = expected.get("signature")
    if sig == "valid":
        assert by["signature"].status == "passed"
    elif sig == "invalid":
        assert by["signature"].status == "failed"
    elif sig == "unsigned":
        assert by["signature"].status == "not_checked"
        assert by["signature"].detail.startswith("no_proof:")
    if expected.get("expiration") == "valid":
        assert by["not_expired"].status == "passed" and by["valid_from"].status == "passed"
    elif expected.get("expiration") == "invalid":
        assert by["not_expired"].status == "failed"
        assert by["not_expired"].detail.startswith("expired: The credential has expired")
    if "revocation" in expected:
        rev = expected["revocation"]
        if rev is None:
            assert "not_revoked" not in by  # no credentialStatus: no revocation step
        elif rev == "not_revoked":
            assert by["not_revoked"].status == "passed"
        elif rev == "revoked":
            assert by["not_revoked"].status == "failed"
            assert "Credential has been revoked" in by["not_revoked"].detail
    if expected.get("issuer_matches_verification_method_controller") is False:
        # default policy 'warn': reported, not failed
        assert by["issuer_key_binding"].status == "not_checked"
        assert by["issuer_key_binding"].detail.startswith("issuer_mismatch:")
    error = expected.get("error")
    if error:
        failing = by["well_formed"] if by["well_formed"].status != "passed" else by["signature"]
        assert failing.detail.startswith(error["name"] + ":"), failing.detail
        if error["name"] != "invalid_signature":
            assert error["message"].split(" - ")[0].rstrip(".") in failing.detail
    if expected.get("verdict") in ("invalid_signature", "malformed", "unsigned"):
        # fatal: nothing after it is reported as passed
        assert not [
            c for c in checks if c.name in ("valid_from", "not_expired", "not_revoked") and c.status == "passed"
        ]


def test_short_bitstring_list_is_accepted_with_a_note():
    data = (DATA / "credentials/verifier-core/v2WithValidStatus.json").read_bytes()
    by = {c.name: c for c in verify_credential(data, now=NOW)}
    assert by["not_revoked"].status == "passed"
    assert "index 9" in by["not_revoked"].detail
    assert "short list: 100000 entries" in by["not_revoked"].detail


def test_bitstring_integer_index_23_is_revoked():
    data = (DATA / "credentials/1edtech-validator/ob30/bit-string-list/credential-status-revoked.json").read_bytes()
    by = {c.name: c for c in verify_credential(data, now=NOW)}
    assert by["not_revoked"].status == "failed"
    assert "index 23" in by["not_revoked"].detail
    assert "short list" not in by["not_revoked"].detail  # 131,072 entries


UNBOUND = {  # valid signatures whose key nothing ties to the credential's issuer, and why
    "w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json": "issuer_mismatch:",  # https issuer, did:key signer
    "w3c-vc-di-eddsa/Ed25519Signature2020/signedEdSig.json": "issuer_mismatch:",
    "1edtech-validator/ob30/simple.json": "fragment_key:",  # the key written into the method's https address
    "1edtech-validator/ob30/simple-did-key-method.json": "issuer_mismatch:",
    "1edtech-validator/clr20/simple.json": "fragment_key:",
    "1edtech-validator/clr20/simple.jwt": "issuer_mismatch:",  # only a header jwk
}


def test_valid_signatures_by_keys_not_bound_to_the_issuer_are_not_verified(no_network):
    """The manifest's verifiers call these valid (the signature holds), and so does ``verdict``; the
    hub does not call them verified: any key can sign a credential naming any issuer. The others with
    a valid verdict are signed by their issuer's own key (did:key or did:web) and are verified."""
    valid = [e for e in MANIFEST["entries"] if e["expected"]["verdict"] == "valid" and e.get("use_for_scoring", True)]
    folded = {}
    for entry in valid:
        checks = verify_credential((DATA / entry["file"]).read_bytes(), now=NOW)
        by = {c.name: c for c in checks}
        assert verdict(checks) == "valid" and by["signature"].status == "passed"
        folded[entry["file"].removeprefix("credentials/")] = (fold_status(checks), by["issuer_key_binding"])
    unbound = {name: binding.detail.split(" ", 1)[0] for name, (status, binding) in folded.items()
               if status == "unverifiable" and binding.status == "not_checked"}
    assert unbound == UNBOUND
    assert {status for name, (status, _) in folded.items() if name not in UNBOUND} == {"verified"}
    assert len(folded) - len(UNBOUND) == 7
