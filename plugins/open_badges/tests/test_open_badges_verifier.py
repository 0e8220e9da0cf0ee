"""The Verifier class on records: the original bytes as context.document, CLR-held records,
and status lists fetched through the core's IssuerClient from a real local HTTP server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from passport_hub_open_badges.config import OpenBadgesVerifyConfig
from passport_hub_open_badges.source import OpenBadgesSource
from passport_hub_open_badges.verifier import OpenBadgesVerifier
from passport_hub_open_badges.verify import verdict
from test_open_badges_signatures import by_name, dumps
from test_open_badges_status import bits_with, status_list

from passport_hub.contract import Document, VerifyContext
from passport_hub.http import IssuerClient

DATA = Path(__file__).parent / "data"
VC = DATA / "vc" / "credentials"
NOW = datetime(2026, 12, 3, tzinfo=UTC)


def record_and_bytes(path: Path, index: int = 0):
    data = path.read_bytes()
    recs = list(OpenBadgesSource().parse(Document(data, name=path.name)))
    return recs[index], data


def run(verifier, record, data, http=None):
    return asyncio.run(verifier.verify(record, VerifyContext(http=http, catalog=None, now=NOW, document=data)))


def test_supports_only_its_own_records():
    rec, _ = record_and_bytes(VC / "verifier-core/v2NoStatus.json")
    v = OpenBadgesVerifier()
    assert v.supports(rec)
    assert not v.supports(rec.model_copy(update={"source": rec.source.model_copy(update={"plugin": "red_cross"})}))
    assert v.issuer_key(rec) == "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"


def test_record_verification_matches_the_manifest():
    rec, data = record_and_bytes(VC / "verifier-core/v2Revoked.json")
    checks = run(OpenBadgesVerifier(), rec, data)
    assert [c.name for c in checks] == [
        "well_formed",
        "signature",
        "issuer_key_binding",
        "issuer_identity",
        "valid_from",
        "not_expired",
        "not_revoked",
    ]
    assert verdict(checks) == "revoked"


def test_clr_held_record_is_verified_with_its_container():
    rec, data = record_and_bytes(VC / "1edtech-validator/clr20/simple.json")
    checks = run(OpenBadgesVerifier(), rec, data)
    by = by_name(checks)
    assert by["signature"].detail.startswith("valid: DataIntegrityProof/eddsa-rdfc-2022 by https://example.com/")
    assert by["clr_container"].status == "passed"
    assert by["clr_container"].detail == "valid: the ClrCredential http://example.edu/credentials/3732 is valid"
    assert by["not_expired"].detail == "current: no expiry date"
    rec, data = record_and_bytes(VC / "ob30-spec-examples/clrCredential-unsigned.json")
    by = by_name(run(OpenBadgesVerifier(), rec, data))
    assert by["clr_container"].status == "not_checked"
    assert by["clr_container"].detail.startswith("unsigned:")


def test_no_stored_document_is_not_checked():
    rec, _ = record_and_bytes(VC / "verifier-core/v2NoStatus.json")
    (check,) = run(OpenBadgesVerifier(), rec, None)
    assert check.status == "not_checked" and check.detail.startswith("no_document:")


def _credential_pointing_at(url: str) -> bytes:
    from test_open_badges_signatures import W3C, W3C_DID, sign

    doc = json.loads((W3C / "unsigned.json").read_text())
    doc["issuer"] = W3C_DID
    doc["credentialStatus"] = {
        "id": url + "#12",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "12",
        "statusListCredential": url,
    }
    return dumps(sign(doc))


def _verify_via_http(url: str, config: OpenBadgesVerifyConfig):
    data = _credential_pointing_at(url)
    rec = next(OpenBadgesSource().parse(Document(data, name="c.json")))
    verifier = OpenBadgesVerifier(config)

    async def go():
        client = IssuerClient(allowed_hosts=config.allowed_hosts, name="open_badges", retries=0, allow_private=True)
        return await verifier.verify(rec, VerifyContext(http=client, catalog=None, now=NOW, document=data))

    return asyncio.run(go())


def test_status_list_fetched_from_an_allowed_host(httpserver):
    httpserver.expect_request("/lists/7").respond_with_data(
        dumps(status_list("BitstringStatusListEntry", bits_with(12))), content_type="application/vc+ld+json"
    )
    config = OpenBadgesVerifyConfig(allowed_hosts=["127.0.0.1", "localhost"], fetch_status_lists=True)
    checks = _verify_via_http(httpserver.url_for("/lists/7"), config)
    assert by_name(checks)["not_revoked"].status == "failed"
    assert verdict(checks) == "revoked"


def test_status_list_http_error_is_not_checked(httpserver):
    httpserver.expect_request("/lists/7").respond_with_data("gone", status=404)
    config = OpenBadgesVerifyConfig(allowed_hosts=["127.0.0.1", "localhost"])
    checks = _verify_via_http(httpserver.url_for("/lists/7"), config)
    assert by_name(checks)["not_revoked"].detail.startswith("status_list_unreachable:")
    assert verdict(checks) == "status_unverifiable"


def test_status_list_host_not_allowed_is_never_fetched(httpserver):
    httpserver.expect_request("/lists/7").respond_with_data(dumps(status_list("BitstringStatusListEntry", bits_with())))
    config = OpenBadgesVerifyConfig(allowed_hosts=["issuer.example"])
    checks = _verify_via_http(httpserver.url_for("/lists/7"), config)
    assert by_name(checks)["not_revoked"].status == "not_checked"
    assert httpserver.log == []


def test_fetching_switched_off_by_config(httpserver):
    httpserver.expect_request("/lists/7").respond_with_data(dumps(status_list("BitstringStatusListEntry", bits_with())))
    config = OpenBadgesVerifyConfig(allowed_hosts=["127.0.0.1", "localhost"], fetch_status_lists=False)
    checks = _verify_via_http(httpserver.url_for("/lists/7"), config)
    assert by_name(checks)["not_revoked"].status == "not_checked"
    assert httpserver.log == []


def test_the_bundled_unsigned_clr_sample_fails_well_formed_for_its_undefined_schema_type():
    """1EdTech's clr20/simple-noproof.json (an input to their signing tests) names its
    credentialSchema type ``JsonSchemaValidator2020``, a term none of its contexts defines: the
    held badge is malformed JSON-LD (the record's verification: ``failed``); nothing else is checked."""
    path = next(p for p in OpenBadgesSource.sample_documents() if p.name == "clr20-simple-noproof.json")
    rec, data = record_and_bytes(path)
    assert rec.achievement.title == "Achievement 1"
    checks = run(OpenBadgesVerifier(), rec, data)
    by = by_name(checks)
    assert (by["well_formed"].status, by["well_formed"].detail) == (
        "failed", "unsafe_jsonld: relative @type 'JsonSchemaValidator2020' (term not defined by any context)")
    assert by["signature"].detail == "skipped: the credential is malformed"
    assert verdict(checks) == "malformed"  # the record's verification: failed
