"""Exports (OB 3.0, CLR 2.0, LER-RS, JSON Resume) from real sample records: schema-valid, nothing of the record lost."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from plugin_samples import plugin_sample

from passport_hub.config import Settings
from passport_hub.contract import Document
from passport_hub.exports import export_records
from passport_hub.exports.common import effective_status
from passport_hub.exports.validate import errors
from passport_hub.loader import load_plugins
from passport_hub.model import CredentialRecord
from passport_hub.pipeline import Pipeline

DATA = Path(__file__).resolve().parent / "data"
FILES = [
    plugin_sample("red_cross", "certificate_full_0SYN0A1.pdf"),
    plugin_sample("apprenticeship", "completion_roster.csv"),
    plugin_sample("military_jst", "jst_army_official.pdf"),
    plugin_sample("open_badges", "ob3/ob30-complete.json"),
    plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml"),
]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LINK = "https://hub.example/shares/phs_example"


@pytest.fixture(scope="module")
def pipeline():
    settings = Settings.from_env({"PASSPORT_HUB_HOME": "/nonexistent"})
    return Pipeline(load_plugins(settings), settings, None)


def _read(pipeline, path: Path) -> list[CredentialRecord]:
    outcome = pipeline.ingest(Document(data=path.read_bytes(), name=path.name), dry_run=True)
    assert outcome.error is None, outcome.error
    return [i for i in outcome.items if isinstance(i, CredentialRecord)]


@pytest.fixture(scope="module")
def records(pipeline) -> list[CredentialRecord]:
    out = [r for path in FILES for r in _read(pipeline, path)]
    assert len(out) == 1 + 8 + 12 + 1 + 25
    return out


def _credit(r: CredentialRecord) -> list[dict]:
    return [c.model_dump(mode="json", exclude_none=True) for c in r.achievement.credit]


def test_samples_cover_every_field(records):
    assert any(r.expires_on for r in records) and any(r.achievement.skills for r in records)
    assert any(r.achievement.credit for r in records) and any(r.achievement.occupations for r in records)
    assert any(r.achievement.ctid for r in records) and any(r.results for r in records)
    assert {str(r.status) for r in records} >= {"active", "unknown"}


@pytest.mark.parametrize("fmt", ["ob3", "clr", "ler-rs", "json-resume"])
def test_exports_validate_against_published_schemas(records, fmt):
    doc = export_records(records, fmt, link=LINK, issuer_url="https://hub.example", now=NOW)
    docs = doc if fmt == "ob3" else [doc]
    assert [e for d in docs for e in errors(d, fmt)] == []
    if fmt == "clr":  # the CLR schema is loose about embedded credentials: check each as OB 3.0
        assert [e for d in doc["credentialSubject"]["verifiableCredential"] for e in errors(d, "ob3")] == []
    assert "proof" not in json.dumps(docs)  # unsigned: no proof at all, never a fake one


def test_validation_catches_broken_exports(records):
    ob = export_records(records[:1], "ob3", now=NOW)[0]
    del ob["credentialSubject"]["achievement"]["name"]
    assert any("name" in e for e in errors(ob, "ob3"))
    ler = export_records(records, "ler-rs", now=NOW)
    ler["credentialSubject"]["certifications"][0]["type"] = "certification"  # must be an EntityType object
    assert errors(ler, "ler-rs")
    resume = export_records(records, "json-resume", now=NOW)
    resume["certificates"][0]["date"] = "12 May 2026"
    assert any("certificates/0/date" in e for e in errors(resume, "json-resume"))


def _check_ob3(r: CredentialRecord, c: dict) -> None:
    assert c["name"] == r.achievement.title
    ach = c["credentialSubject"]["achievement"]
    assert ach["name"] == r.achievement.title and c["issuer"]["name"] == r.issuer.name
    if r.issued_on:
        assert c["issuanceDate"][:10] == r.issued_on.isoformat()
    assert c.get("expirationDate", "")[:10] == (r.expires_on.isoformat() if r.expires_on else "")
    targets = {(a["targetName"], a.get("targetCode")) for a in ach.get("alignment", [])}
    assert {(s.name, s.code) for s in r.achievement.skills} <= targets
    assert {o.code for o in r.achievement.occupations} <= {code for _n, code in targets}
    if r.achievement.ctid:
        assert any(a["targetType"] == "CTDL" and a["targetCode"] == r.achievement.ctid for a in ach["alignment"])
    if r.achievement.credit:
        assert c["credentialSubject"]["creditsEarned"] == sum(x.amount for x in r.achievement.credit)
    ext = c["passportHub"]
    assert ext["credit"] == _credit(r) if r.achievement.credit else "credit" not in ext
    assert ext["status"] == effective_status(r, NOW.date()) and ext["recordId"] == r.id
    assert ext["kind"] == r.achievement.kind and ext.get("verificationUrl") == LINK
    assert [x["value"] for x in c["credentialSubject"].get("result", [])] == [x.value for x in r.results]


def test_ob3_keeps_every_field(records):
    creds = export_records(records, "ob3", link=LINK, issuer_url="https://hub.example", now=NOW)
    for r, c in zip(records, creds, strict=True):
        _check_ob3(r, c)
    red_cross = next(c for c in creds if c["name"] == "Adult and Pediatric First Aid/CPR/AED")
    assert red_cross["expirationDate"] == "2028-05-12T23:59:59Z"
    electrician = next(c for c in creds if c["name"] == "Electrician")
    assert electrician["credentialSubject"]["achievement"]["achievementType"] == "ApprenticeshipCertificate"
    assert "8000 clock hours" in electrician["credentialSubject"]["achievement"]["description"]


def test_ob3_export_imports_back_through_the_open_badges_plugin(records, pipeline):
    """The real importer reads our OB 3.0 back: title, issuer, dates, skills and CTID survive."""
    for r in records:
        if not (r.achievement.skills or r.expires_on or r.achievement.ctid):
            continue
        doc = export_records([r], "ob3", now=NOW)[0]
        outcome = pipeline.ingest(Document(data=json.dumps(doc).encode(), name="export.json"), dry_run=True)
        assert outcome.error is None and outcome.source == "open_badges", outcome.error
        [back] = outcome.items
        assert (back.achievement.title, back.issuer.name) == (r.achievement.title, r.issuer.name)
        assert (back.issued_on, back.expires_on) == (r.issued_on, r.expires_on)
        assert [s.name for s in back.achievement.skills] == [s.name for s in r.achievement.skills]
        assert back.achievement.ctid == r.achievement.ctid


def test_clr_bundles_every_record(records):
    clr = export_records(records, "clr", link=LINK, issuer_url="https://hub.example", now=NOW)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    embedded = clr["credentialSubject"]["verifiableCredential"]
    assert len(embedded) == len(records)
    for r, c in zip(records, embedded, strict=True):
        _check_ob3(r, c)


def test_ler_rs_keeps_titles_issuers_dates_credit_skills_status(records):
    doc = export_records(records, "ler-rs", link=LINK, issuer_url="https://hub.example", now=NOW)
    subject = doc["credentialSubject"]
    assert subject["type"].startswith("http://schema.hropenstandards.org/4.5/")
    certs = {c["name"]: c for c in subject["certifications"]}
    rc = certs["Adult and Pediatric First Aid/CPR/AED"]
    assert rc["issuingAuthority"]["name"] == "American Red Cross" and rc["issued"] == "2026-05-12"
    assert rc["effectiveTimePeriod"] == {"validFrom": "2026-05-12T00:00:00Z", "validTo": "2028-05-12T23:59:59Z"}
    assert rc["status"] == "Unknown" and {"reference": LINK} in rc["verifications"]
    assert certs["Electrician"]["status"] == "Active"
    assert any("8000 clock hours" in d for d in certs["Electrician"]["descriptions"])
    education = {(e["educationDegrees"][0]["name"], e.get("end")): e for e in subject["educationAndLearnings"]}
    bct = education[("BASIC COMBAT TRAINING", "2003-09-12")]
    assert bct["institution"]["name"] == "U.S. Army"
    assert any("2 semester hours, lower division" in p for p in bct["programs"])
    assert "BEGINNING SPANISH 1" in {name for name, _end in education}
    skill_names = {s["name"] for s in subject["skills"]}
    assert {s.name for r in records for s in r.achievement.skills} <= skill_names
    assert {o.title or o.code for r in records for o in r.achievement.occupations} <= skill_names
    by_id = {e["recordId"]: e for e in doc["passportHub"]}
    for r in records:
        assert by_id[r.id]["credit"] == _credit(r) if r.achievement.credit else "credit" not in by_id[r.id]
        assert by_id[r.id].get("validUntil") == (r.expires_on.isoformat() if r.expires_on else None)
    placed = len(subject["certifications"]) + len(subject["educationAndLearnings"])
    assert placed + len(subject.get("licenses", [])) + len(subject.get("employmentHistories", [])) == len(records)


def test_json_resume_certificates_education_and_extras(records):
    doc = export_records(records, "json-resume", link=LINK, now=NOW)
    certs = {c["name"]: c for c in doc["certificates"]}
    rc = certs["Adult and Pediatric First Aid/CPR/AED"]
    assert rc == rc | {"issuer": "American Red Cross", "date": "2026-05-12", "url": LINK,
                       "x-passport-validUntil": "2028-05-12", "x-passport-status": "unknown"}
    assert rc["x-passport-credentialId"] == next(r.id for r in records if r.achievement.title == rc["name"])
    assert certs["Electrician"]["x-passport-credit"][0] == {"amount": 8000.0, "unit": "clock_hours",
                                                         "subject": "on-the-job learning"}
    [edu] = [e for e in doc["education"] if e["area"] == "BASIC COMBAT TRAINING" and e["endDate"] == "2003-09-12"]
    assert edu["institution"] == "U.S. Army"
    assert edu["x-passport-credit"][0] == {"amount": 2.0, "unit": "semester_hours", "level": "lower_division",
                                          "subject": "Physical Fitness"}
    assert {s.name for r in records for s in r.achievement.skills} <= {s["name"] for s in doc["skills"]}
    assert doc["basics"]["profiles"] == [{"network": "Career Passport", "url": LINK}]
    assert doc["meta"]["canonical"] == LINK
    assert len(doc["certificates"]) + len(doc["education"]) == len(records)


# -- signed exports (VC-JWT) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _checks(jwt: str) -> dict[str, tuple[str, str]]:
    from passport_hub_open_badges.verify import verify_credential

    return {c.name: (str(c.status), c.detail or "") for c in verify_credential(jwt.encode(), now=NOW)}


def _part(jwt: str, i: int) -> dict:
    part = jwt.split(".")[i]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _tamper(jwt: str, change) -> str:
    header, _payload, signature = jwt.split(".")
    claims = _part(jwt, 1)
    change(claims)
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{raw}.{signature}"


def test_signing_settings_and_key_file(tmp_path, key_pem):
    from passport_hub.errors import ConfigError
    from passport_hub.exports.signing import Signer

    assert Signer.from_settings(Settings.from_env({})) is None  # no key: exports stay unsigned
    (tmp_path / "hub.pem").write_bytes(key_pem)
    settings = Settings.from_env({"PASSPORT_HUB_SIGNING_KEY_FILE": str(tmp_path / "hub.pem")})
    signer = Signer.from_settings(settings)
    assert signer.issuer.startswith("did:key:z6Mk")
    assert signer.verification_method == f"{signer.issuer}#{signer.multikey}"
    named = Signer.from_settings(Settings.from_env({"PASSPORT_HUB_SIGNING_KEY_FILE": str(tmp_path / "hub.pem"),
                                                    "PASSPORT_HUB_SIGNING_ISSUER": "https://hub.example"}))
    assert named.issuer == "https://hub.example"
    (tmp_path / "bad.pem").write_text("not a key")
    with pytest.raises(ConfigError, match="PEM"):
        Signer.from_settings(Settings.from_env({"PASSPORT_HUB_SIGNING_KEY_FILE": str(tmp_path / "bad.pem")}))
    with pytest.raises(ConfigError, match="cannot read"):
        Signer.from_settings(Settings.from_env({"PASSPORT_HUB_SIGNING_KEY_FILE": str(tmp_path / "missing.pem")}))


@pytest.mark.parametrize("issuer", [None, "https://hub.example"])
def test_signed_ob3_and_clr_verify_offline_and_tampering_fails(records, key_pem, issuer):
    from passport_hub.exports.signing import Signer, unverified_credential

    signer = Signer.from_pem(key_pem, issuer)
    sample = [r for r in records if r.achievement.skills or r.achievement.credit][:3]
    jwts = export_records(sample, "ob3", link=LINK, issuer_url="https://hub.example", now=NOW, signer=signer)
    clr = export_records(sample, "clr", link=LINK, issuer_url="https://hub.example", now=NOW, signer=signer)
    assert isinstance(clr, str) and all(isinstance(j, str) and j.count(".") == 2 for j in jwts)
    for jwt in [*jwts, clr]:
        header = _part(jwt, 0)
        assert header == header | {"alg": "EdDSA", "typ": "JWT", "kid": signer.verification_method}
        checks = _checks(jwt)
        if jwt == clr:  # the CLR is the hub's own (its issuer); its records are unsigned copies
            assert checks["signature"][0] == "passed", checks["signature"]
        else:  # a record's copy: the hub's signature is checked, but it is not the issuer's
            assert checks["export_signature"][0] == "passed", checks["export_signature"]
            assert checks["export_signature"][1].startswith(f"valid: signed by the hub {signer.issuer} that exported")
            assert checks["signature"][0] == "not_checked" and checks["signature"][1].startswith("hub_export:")
        if issuer is None:  # a did:key resolves offline: key bound to the issuer
            assert "jwk" not in header and checks["issuer_key_binding"][0] == "passed", checks["issuer_key_binding"]
        else:  # the public key rides in the header; binding it to an https issuer needs the issuer's key
            assert header["jwk"]["crv"] == "Ed25519" and checks["issuer_key_binding"][0] == "not_checked"
        assert checks["well_formed"][0] == "passed"
        vc = unverified_credential(jwt)
        fmt = "clr" if "ClrCredential" in vc["type"] else "ob3"
        assert errors(vc, fmt) == [] and vc["issuer"]["id"] == signer.issuer
        # tampered payload or signature: the signature check fails
        forged = _tamper(jwt, lambda c: c["vc"].update(name="Forged"))
        assert _checks(forged)["signature"][0] == "failed"
        sig = jwt.rsplit(".", 1)[1]
        flipped = jwt[: -len(sig)] + ("A" if sig[0] != "A" else "B") + sig[1:]
        assert _checks(flipped)["signature"][0] == "failed"
    # the record's own issuer stays, as the achievement's creator; claims per VC-JWT
    for r, jwt in zip(sample, jwts, strict=True):
        payload = _part(jwt, 1)
        vc = payload["vc"]
        assert vc["credentialSubject"]["achievement"]["creator"]["name"] == r.issuer.name
        assert payload["iss"] == signer.issuer and payload["jti"] == vc["id"]
        assert payload["nbf"] == int(datetime.fromisoformat(vc["issuanceDate"].replace("Z", "+00:00")).timestamp())
    # unsigned formats are unchanged by a signer
    assert export_records(sample, "json-resume", now=NOW, signer=signer) == export_records(sample, "json-resume",
                                                                                           now=NOW)


def test_service_signs_exports_when_a_key_is_configured(tmp_path, key_pem):
    from starlette.testclient import TestClient

    from passport_hub.service.app import create_app

    (tmp_path / "hub.pem").write_bytes(key_pem)
    admin = {"Authorization": "Bearer admin-key"}
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_ADMIN_API_KEY": "admin-key",
                                  "PASSPORT_HUB_SIGNING_KEY_FILE": str(tmp_path / "hub.pem")})
    with TestClient(create_app(settings)) as client:
        r = client.post("/holders", headers=admin)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        badge = DATA / "wgu_aws_cloud_devops.ob3.unsigned.json"
        with open(badge, "rb") as fh:
            assert client.post(f"/holders/{holder}/documents", headers=me, files={"file": (badge.name, fh)}).is_success
        [jwt] = client.get(f"/holders/{holder}/export", params={"format": "ob3"}, headers=me).json()
        r = client.get(f"/holders/{holder}/export", params={"format": "clr"}, headers=me)
        assert r.headers["content-type"].startswith("application/vc+ld+json+jwt")
        assert _checks(jwt)["export_signature"][0] == "passed" and _checks(r.text)["signature"][0] == "passed"
        assert isinstance(client.get(f"/holders/{holder}/export", params={"format": "ler-rs"}, headers=me).json(),
                          dict)


def test_the_hubs_own_verifier_accepts_its_ob3_export(records):
    """The extension term (passportHub) is defined by a context the open_badges plugin resolves
    offline, so JSON-LD safe mode accepts the export (it refused undefined terms before)."""
    from datetime import UTC, datetime

    from passport_hub_open_badges.verify import verify_credential

    from passport_hub.exports import ob3

    for base_url in ("", "https://hub.example"):
        credential = ob3.credential(records[0], base_url=base_url)
        checks = {c.name: c for c in verify_credential(json.dumps(credential).encode(), now=datetime.now(UTC))}
        assert checks["well_formed"].status == "passed", checks["well_formed"].detail
        assert checks["signature"].status == "not_checked"  # unsigned: could not check, not invalid


def test_ob3_extension_carries_the_samples_literal_values(records):
    """Literal values from the samples (not re-derived by the code under test)."""
    creds = export_records(records, "ob3", link=LINK, issuer_url="https://hub.example", now=NOW)
    by_title: dict[str, list[dict]] = {}
    for r, c in zip(records, creds, strict=True):
        by_title.setdefault(r.achievement.title, []).append(c)
    cpr = by_title["Adult and Pediatric First Aid/CPR/AED"][0]
    assert cpr["passportHub"]["status"] == "unknown"  # a certificate PDF does not state a status
    assert cpr["expirationDate"].startswith("2028-05-12")
    electrician = [c["passportHub"]["credit"] for c in by_title["Electrician"]]
    assert [
        {"amount": 8000.0, "unit": "clock_hours", "subject": "on-the-job learning"},
        {"amount": 576.0, "unit": "clock_hours", "subject": "related technical instruction"},
    ] in electrician
    bct = by_title["BASIC COMBAT TRAINING"][0]["passportHub"]
    assert bct["status"] == "active"
    assert {"amount": 1.0, "unit": "semester_hours", "level": "vocational", "subject": "Marksmanship"} in bct["credit"]


@pytest.mark.parametrize("signed", [False, True])
def test_a_whole_ob3_export_file_imports_into_another_hub_as_unverifiable_copies(records, pipeline, key_pem, signed):
    """A wallet moved between hubs: the export (a JSON array) is one document, each credential a record.
    Signed or not, a copy is not the issuer's credential: the hub's signature says which hub exported
    it (a new user saw a hub-signed copy of an unofficial JST course shown as verified)."""
    import asyncio

    from passport_hub_open_badges.verifier import OpenBadgesVerifier

    from passport_hub.exports.signing import Signer
    from passport_hub.verify import make_context_factory, verify_records

    exported = export_records(records, "ob3", now=NOW, signer=Signer.from_pem(key_pem, None) if signed else None)
    data = json.dumps(exported).encode()
    outcome = pipeline.ingest(Document(data=data, name="wallet.ob3.json"), dry_run=True)
    assert outcome.error is None and outcome.source == "open_badges", outcome.error
    back = outcome.items
    assert [b.achievement.title for b in back] == [r.achievement.title for r in records]
    # signed, the hub is the credential's issuer and vouches for it; the record's issuer is still who
    # awarded it (the achievement's creator)
    assert [b.issuer.name for b in back] == [r.issuer.name for r in records]
    # a VC must have an issuance date (an in-progress course gets the export's), but the record's
    # own date comes back from the passportHub extension: an undated course stays undated
    assert None in [r.issued_on for r in records]
    assert [b.issued_on for b in back] == [r.issued_on for r in records]
    assert outcome.items[5].source.locator == "[5]"
    first = outcome.items[0]
    verified = asyncio.run(verify_records(
        [first], [OpenBadgesVerifier()], make_context_factory(documents={first.source.document_sha256: data}.get)))
    checks = {c.name: str(c.status) for c in verified[first.id].checks}
    assert checks["signature"] == "not_checked" and checks.get("export_signature") == ("passed" if signed else None)
    assert str(verified[first.id].status) == "unverifiable"
