"""Import: OB 3.0 (JSON and VC-JWT, VC 1.1 and 2.0), CLR 2.0, sniffing, and the plugin's hooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from passport_hub_open_badges.source import OpenBadgesSource

from passport_hub.contract import Document
from passport_hub.errors import MalformedError, UnrecognizedError

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "passport_hub_open_badges" / "samples"  # shipped with the package
VC = DATA / "vc" / "credentials"


def doc(path: Path) -> Document:
    return Document(path.read_bytes(), name=path.name)


def records(path: Path):
    return list(OpenBadgesSource().parse(doc(path)))


def results(record) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in record.results:
        out.setdefault(r.name, []).append(r.value)
    return out


# -- sniff ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        VC / "ob30-spec-examples/fullOpenBadge.json",
        VC / "verifier-core/v1NoStatus.json",
        VC / "1edtech-validator/clr20/simple.json",
        VC / "1edtech-validator/clr20/simple.jwt",
        SAMPLES / "ob3/ob30-velocity.jwt",
        VC / "verifier-core/derived/v2NoVCContext.json",  # broken, but an OB credential: imported, flagged
    ],
)
def test_sniff_claims_credentials(path):
    assert OpenBadgesSource().sniff(doc(path)) is True


@pytest.mark.parametrize(
    "name",
    [
        "wgu_aws_cloud_devops_openbadge.resource.json",  # CTDL JSON-LD (ceterms:OpenBadge)
        "capella_mba_selfdesigned_masterdegree.graph.json",  # CTDL @graph
        "pesc-jsonld-transcript_minimal.json",  # PESC JSON-LD
        "ccctc-ventura-college_moxy-json_ColTrn-v1.6.0_cccude.json",  # PESC JSON
    ],
)
def test_sniff_does_not_claim_ctdl_or_pesc(name):
    source = OpenBadgesSource()
    d = doc(DATA / "other" / name)
    assert source.sniff(d) is False
    with pytest.raises(UnrecognizedError):
        list(source.parse(d))


def test_sniff_never_raises_on_garbage():
    source = OpenBadgesSource()
    for data in (b"", b"{", b"eyJ.eyJ.", b"\xff\xfe{}", b"[1,2]", b'{"type": "ClrCredential"}'):
        assert source.sniff(Document(data)) is False


# -- OB 3.0 ----------------------------------------------------------------------------------
def test_full_open_badge_record():
    (rec,) = records(VC / "ob30-spec-examples/fullOpenBadge.json")
    a = rec.achievement
    assert a.kind == "degree" and a.title == "1EdTech University Degree"
    assert a.description == "1EdTech University Degree Description"
    assert a.ctid == "ce-98cb027b-95ef-4494-908d-6f7790ec6b6b"  # from the CTDL alignment
    assert [(s.name, s.code, s.framework) for s in a.skills] == [
        ("1EdTech University Degree", "degree", "1EdTech University Program and Course Catalog")
    ]
    assert {(i.scheme, i.value) for i in a.identifiers} >= {
        ("url", "https://1edtech.edu/achievements/degree"),
        ("human_code", "R1"),
        ("identifier", "abde"),
        ("ctid", "ce-98cb027b-95ef-4494-908d-6f7790ec6b6b"),
    }
    assert rec.issuer.name == "1EdTech University" and rec.issuer.url == "https://1edtech.edu"
    assert ("url", "https://1edtech.edu/issuers/565049") in {(i.scheme, i.value) for i in rec.issuer.identifiers}
    assert rec.holder.email == "student@1edtech.edu"
    assert str(rec.issued_on) == "2010-01-01" and str(rec.expires_on) == "2030-01-01"
    r = results(rec)
    assert r["credits_earned"] == ["42.0"] and r["term"] == ["Fall"] and r["license_number"] == ["A-9320041"]
    assert r["credits_available"] == ["36.0"]
    # results named by their ResultDescription; a rubric level by its name
    assert r["Final Project Grade"] == ["A", "Mastery", "Completed"]
    assert r["evidence"] == [
        "Final Project Report <https://1edtech.edu/credentials/3732/evidence/1>",
        "Final Project Code <https://github.com/somebody/project>",
    ]
    assert r["credential_name"] == ["1EdTech University Degree for Example Student"]
    assert rec.source.plugin == "open_badges"
    assert rec.source.format == "OB 3.0 OpenBadgeCredential (VC 2.0, JSON)"
    assert rec.source.document_sha256 == doc(VC / "ob30-spec-examples/fullOpenBadge.json").sha256
    assert any("EndorsementCredential" in w for w in rec.warnings)


def test_case_alignment_becomes_a_skill():
    (rec,) = records(VC / "ob30-spec-examples/achievementAlignmentCase.json")
    (skill,) = rec.achievement.skills
    assert skill.framework == "Alabama Course of Study: English Language Arts"
    assert skill.code == "74f5bb7d-d7cc-11e8-824f-0242ac160002"
    assert skill.url == "https://caseregistry.imsglobal.org/uri/74f5bb7d-d7cc-11e8-824f-0242ac160002"


def test_vc11_dates_and_names():
    (rec,) = records(VC / "verifier-core/v1Expired.json")
    assert rec.source.format.endswith("(VC 1.1, JSON)")
    assert rec.holder.name == "Jane Doe"
    assert rec.issuer.name == "Digital Credentials Consortium Test Issuer"
    raw = json.loads((VC / "verifier-core/v1Expired.json").read_text())
    assert str(rec.issued_on) == raw["issuanceDate"][:10]
    assert str(rec.expires_on) == raw["expirationDate"][:10]


def test_a_passed_expiry_is_status_expired_until_then_unknown(monkeypatch):
    """fullOpenBadge expires 2030-01-01; whether it was revoked before then takes verification."""
    from datetime import date

    path = VC / "ob30-spec-examples/fullOpenBadge.json"
    for today, status in ((date(2029, 12, 31), "unknown"), (date(2030, 1, 1), "unknown"),
                          (date(2030, 1, 2), "expired")):
        monkeypatch.setattr(OpenBadgesSource, "clock", staticmethod(lambda today=today: today))
        assert [r.status for r in records(path)] == [status]


def test_vc_jwt_record_and_stable_ids():
    (rec,) = records(SAMPLES / "ob3/ob30-velocity.jwt")
    assert rec.achievement.title == "Velocity Network Board Member 2022"
    assert rec.source.format == "OB 3.0 OpenBadgeCredential (VC 1.1, VC-JWT)"
    assert str(rec.issued_on) == "2022-12-31"
    again = records(SAMPLES / "ob3/ob30-velocity.jwt")[0]
    assert again.id == rec.id


def test_same_credential_in_two_documents_has_one_id():
    (a,) = records(VC / "1edtech-validator/ob30/simple.json")
    (b,) = records(VC / "1edtech-validator/clr20/simple.json")  # the same badge held in a CLR
    assert a.id == b.id
    assert a.source.document_sha256 != b.source.document_sha256


def test_w3c_vc_is_imported_as_other():
    (rec,) = records(VC / "w3c-vc-di-eddsa/unsigned.json")
    assert rec.achievement.kind == "other" and rec.achievement.title == "Alumni Credential"
    assert rec.issuer.name == "https://vc.example/issuers/5678"


def test_endorsement_credential_is_not_a_holder_record():
    with pytest.raises(UnrecognizedError):
        records(VC / "ob30-spec-examples/endorsementCredential.json")


def test_a_status_list_is_not_a_holder_record():
    """A BitstringStatusListCredential (real, from the 1EdTech validator) names nothing earned."""
    with pytest.raises(UnrecognizedError, match="BitstringStatusListCredential that names nothing earned"):
        records(DATA / "vc/documents/status/1edtech-validator-testlist.json")


def _without(raw: dict, *path: str) -> bytes:
    target = raw
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return json.dumps(raw).encode()


def test_an_open_badge_without_issuer_or_achievement_is_malformed():
    """The real fullOpenBadge example with its issuer, or its achievement's and its own name, gone."""
    raw = json.loads((VC / "ob30-spec-examples/fullOpenBadge.json").read_text())
    no_issuer = _without(json.loads(json.dumps(raw)), "issuer")
    with pytest.raises(MalformedError, match="fullOpenBadge.json: the credential names no issuer"):
        list(OpenBadgesSource().parse(Document(no_issuer, name="fullOpenBadge.json")))
    unnamed = json.loads(_without(json.loads(json.dumps(raw)), "credentialSubject", "achievement", "name"))
    assert unnamed.pop("name")
    with pytest.raises(MalformedError, match="names no achievement"):
        list(OpenBadgesSource().parse(Document(json.dumps(unnamed).encode(), name="fullOpenBadge.json")))
    # each subject needs an achievement with a name when the credential has none
    two = json.loads(json.dumps(raw))
    two.pop("name")
    two["credentialSubject"] = [raw["credentialSubject"], {"achievement": {"id": "urn:example:unnamed"}}]
    with pytest.raises(MalformedError, match="names no achievement"):
        list(OpenBadgesSource().parse(Document(json.dumps(two).encode(), name="fullOpenBadge.json")))
    # in an export list, the message says which credential
    listed = json.dumps([raw, unnamed]).encode()
    with pytest.raises(MalformedError, match=r"the credential at \[1\] names no achievement"):
        list(OpenBadgesSource().parse(Document(listed, name="wallet.json")))


# -- CLR 2.0 ---------------------------------------------------------------------------------
def test_clr_complex_one_record_per_held_credential_with_associations():
    recs = records(SAMPLES / "clr/clr20-complex.json")
    assert len(recs) == 6
    assert [r.source.locator for r in recs] == [f"credentialSubject.verifiableCredential[{i}]" for i in range(6)]
    first = recs[0]
    assert first.achievement.title == "Nurse Assistant 1 Program with Licensure"
    assert first.achievement.kind == "certificate"
    assert first.issuer.name == "Western High School, RSD"
    r = results(first)
    assert r["clr"] == ["Ellis Monday <http://example.edu/credentials/3732> from Western High School, RSD"]
    assert r["association"] == [
        "isParentOf urn:uuid:bb9a27e6-3a2d-413b-b0c7-97ef9dfdde22",
        "isParentOf urn:uuid:0f09ae53-33ae-4472-8daa-d7381b859e6c",
        "isParentOf urn:uuid:6364db90-edf9-47b9-b92b-4b116cac19a5",
        "isParentOf urn:uuid:e935e820-d9a0-4e9e-8b84-6ec82caabaf7",
        "inverse isPartOf urn:uuid:4072f4b6-75e9-42ed-8b95-b92711310dbe",
    ]
    assert results(recs[1])["Grade"] == ["A"]
    assert results(recs[1])["association"] == ["inverse isParentOf urn:uuid:3314c2c0-2ee9-4183-838b-470c15ddfb08"]
    assert len({rec.id for rec in recs}) == 6
    assert [rec.achievement.kind for rec in recs] == ["certificate", "course", "course", "course", "course", "badge"]


def test_clr_jwt_holds_a_jwt_credential():
    (rec,) = records(VC / "1edtech-validator/clr20/simple.jwt")
    assert rec.achievement.title == "Achievement 1"
    assert rec.source.format == "OB 3.0 AchievementCredential (VC 1.1, VC-JWT in CLR, VC-JWT)"
    r = results(rec)
    assert r["clr"] == ["Sample Transcript <http://example.edu/credentials/3732> from Example University"]
    assert r["association"] == ["isParentOf urn:uuid:dd887f0a-56cb-11ec-bf63-0242ac130002 (Achievement 2)"]
    assert rec.warnings == [
        "the CLR lists achievement(s) without a held credential, not imported: "
        "Achievement 2 <urn:uuid:dd887f0a-56cb-11ec-bf63-0242ac130002>"
    ]


def test_clr_without_held_credentials_is_malformed():
    raw = json.loads((VC / "ob30-spec-examples/clrCredential-unsigned.json").read_text())
    raw["credentialSubject"]["verifiableCredential"] = []
    with pytest.raises(MalformedError):
        list(OpenBadgesSource().parse(Document(json.dumps(raw).encode(), name="empty-clr.json")))


# -- hooks ------------------------------------------------------------------------------------
def test_plugin_registers_source_and_verifier():
    from passport_hub_open_badges import plugin

    got = []
    plugin.passport_hub_register_sources(got.append)
    plugin.passport_hub_register_verifiers(got.append)
    assert [c.name for c in got] == ["open_badges", "open_badges"]
    assert plugin.PASSPORT_HUB_API == ">=1.0,<2"


def test_entry_point_is_installed():
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="passport_hub") if e.name == "open_badges"]
    assert ep.value == "passport_hub_open_badges.plugin"


def test_deeply_nested_json_is_not_a_credential_not_a_crash():
    from datetime import UTC, datetime

    from passport_hub_open_badges.verify import verify_credential

    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    [check] = verify_credential(deep, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert (check.name, check.status) == ("well_formed", "failed")
