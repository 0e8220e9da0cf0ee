"""A passport-hub export read back: the record put back from the ``passportHub`` extension, and
what a garbled or hostile extension cannot do (the document is the holder's, not the hub's)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from passport_hub_open_badges.source import OpenBadgesSource

from passport_hub.contract import Document
from passport_hub.errors import UnrecognizedError
from passport_hub.exports import export_records
from passport_hub.model import CredentialRecord, Identifier

VC = Path(__file__).parent / "data" / "vc" / "credentials"


def _read(data: bytes) -> list[CredentialRecord]:
    return list(OpenBadgesSource().parse(Document(data, name="export.json")))


@pytest.fixture
def badge() -> CredentialRecord:
    """The real fullOpenBadge example as a stored record, with an ACE id as a JST course has."""
    [record] = _read((VC / "ob30-spec-examples/fullOpenBadge.json").read_bytes())
    return record.model_copy(update={"achievement": record.achievement.model_copy(update={
        "identifiers": [Identifier(scheme="ace", value="NV-0702-0014", version="V02")]})})


def _exported(record: CredentialRecord) -> dict:
    return export_records([record], "ob3")[0]


def test_a_revoked_credential_past_its_expiry_stays_revoked(badge):
    revoked = badge.model_copy(update={"status": "revoked", "expires_on": date(2021, 1, 1)})
    [back] = _read(json.dumps(_exported(revoked)).encode())
    assert back.status == "revoked" and back.expires_on == date(2021, 1, 1)
    active = badge.model_copy(update={"status": "active", "expires_on": date(2021, 1, 1)})
    assert [r.status for r in _read(json.dumps(_exported(active)).encode())] == ["expired"]


def test_naming_the_recipient_in_an_identity_does_not_change_the_record_id(badge):
    doc = _exported(badge)
    [named] = _read(json.dumps(doc).encode())
    assert named.holder.name == badge.holder.name
    doc["credentialSubject"].pop("identifier")
    [anonymous] = _read(json.dumps(doc).encode())
    assert anonymous.holder is None and anonymous.id == named.id


def test_an_export_from_before_identifiers_were_kept_falls_back_to_the_badges_own_fields(badge):
    doc = _exported(badge)
    doc["passportHub"].pop("identifiers")
    doc["passportHub"].pop("description")
    [back] = _read(json.dumps(doc).encode())
    assert ("ace", "NV-0702-0014 (version V02)") in {(i.scheme, i.value) for i in back.achievement.identifiers}
    assert back.achievement.description == doc["credentialSubject"]["achievement"]["description"]
    [current] = _read(json.dumps(_exported(badge)).encode())
    assert current.achievement.identifiers == badge.achievement.identifiers
    assert current.achievement.description == badge.achievement.description


def test_a_garbled_or_oversized_extension_is_read_around_not_a_failure(badge):
    doc = _exported(badge)
    doc["passportHub"].update({"statusStated": {"not": "a status"}, "credit": [0] * 2000,
                               "warnings": ["x" * 5000] * 2000, "results": [["bad"]]})
    [back] = _read(json.dumps(doc).encode())
    assert back.achievement.credit == [] and back.results == [] and back.status == "unknown"
    assert "passportHub credit: 500 unreadable item(s) left out" in back.warnings
    assert "passportHub credit: only the first 500 of 2000 kept" in back.warnings
    assert sum(1 for w in back.warnings if w.startswith("xxx")) == 500 and max(map(len, back.warnings)) == 1000
    doc["passportHub"]["kind"] = ["a", "list"]  # not a passport-hub kind: the badge is read as any badge
    [plain] = _read(json.dumps(doc).encode())
    assert plain.achievement.kind == "degree" and not any(w.startswith(("passportHub", "xxx")) for w in plain.warnings)


def test_an_ler_rs_resume_is_refused_as_one(badge):
    """Neither HR Open's own LER-RS sample nor passport-hub's LER-RS export is imported: the
    message says so and what to import instead (it used to say the credential named nothing earned)."""
    real = (Path(__file__).parent / "data" / "ler-rs" / "LER-RS_V2_VCwrapper.json").read_bytes()
    ours = json.dumps(export_records([badge], "ler-rs")).encode()
    for data in (real, ours):
        with pytest.raises(UnrecognizedError) as refused:
            _read(data)
        assert str(refused.value) == (
            "export.json: the credential is an LER-RS resume, which passport-hub writes (export --format ler-rs) "
            "but does not import: import the documents its credentials were read from, or an ob3 or clr export")
