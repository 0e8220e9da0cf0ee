"""The military_jst verifier's checks, and the plugin's registration."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path

from military_jst_faults import two_transcripts_pdf
from passport_hub_military_jst.source import JointServicesTranscript, JSTVerifier

from passport_hub import Document, VerifyContext
from passport_hub.model import Identifier

SAMPLES = Path(__file__).parent.parent / "passport_hub_military_jst" / "samples"


def _records(name: str):
    data = (SAMPLES / name).read_bytes()
    return data, list(JointServicesTranscript().parse(Document(data, name=name)))


def _verify(record, document=None):
    ctx = VerifyContext(http=None, catalog=None, now=datetime(2025, 1, 1, tzinfo=UTC), document=document)
    return {c.name: c for c in asyncio.run(JSTVerifier().verify(record, ctx))}


def test_official_army_copy():
    data, records = _records("jst_army_official.pdf")
    course = records[0]
    assert JSTVerifier().supports(course)
    checks = _verify(course, data)
    assert checks["official_copy"].status == "passed"
    assert "FICTIONAL VALLEY COMMUNITY COLLEGE" in checks["official_copy"].detail
    assert checks["ace_id_format"].status == "passed"
    assert checks["ace_id_branch"].status == "passed"
    assert checks["source_document"].status == "passed"
    assert checks["issuer_confirms"].status == "not_checked"
    assert "JST Operations Center" in checks["issuer_confirms"].detail
    mos = next(r for r in records if r.achievement.kind == "military_occupation")
    checks = _verify(mos)
    assert checks["ace_id_format"].status == "passed" and checks["ace_id_branch"].status == "passed"
    assert "source_document" not in checks


def test_unofficial_navy_copy_and_none_assigned():
    data, records = _records("jst_navy_unofficial.pdf")
    checks = _verify(records[0], b"other bytes")
    assert checks["official_copy"].status == "not_checked"
    assert "UNOFFICIAL" in checks["official_copy"].detail
    assert checks["source_document"].status == "failed"
    none_assigned = next(r for r in records if r.achievement.title.startswith("NEC L10A"))
    assert _verify(none_assigned)["ace_id_format"].status == "not_checked"


def test_malformed_and_inconsistent_ace_ids():
    _, records = _records("jst_army_official.pdf")
    course = records[0]
    bad = course.model_copy(deep=True)
    bad.achievement.identifiers[0] = Identifier(scheme="ace", value="AR-22O1-0399", version="V01")
    assert _verify(bad)["ace_id_format"].status == "failed"
    mos = next(r for r in records if r.achievement.kind == "military_occupation").model_copy(deep=True)
    mos.achievement.identifiers[0] = Identifier(scheme="ace", value="NER-HM-005", version="005")
    checks = _verify(mos)
    assert checks["ace_id_format"].status == "passed"
    assert checks["ace_id_branch"].status == "failed"
    assert "Navy occupation on a Army transcript" in checks["ace_id_branch"].detail


def test_cross_service_course_and_missing_version():
    records = list(JointServicesTranscript().parse(Document(two_transcripts_pdf(), name="two.pdf")))
    navy_on_marine = next(r for r in records if r.achievement.identifiers
                          and r.achievement.identifiers[0].value == "NV-0702-0013")
    assert _verify(navy_on_marine)["ace_id_branch"].status == "not_checked"
    airborne = next(r for r in records if r.achievement.identifiers
                    and r.achievement.identifiers[0].value == "AR-2201-0455")
    checks = _verify(airborne)
    assert checks["ace_id_format"].status == "passed"
    assert "no version printed" in checks["ace_id_format"].detail


def test_entry_point_registers_source_and_verifier():
    eps = [ep for ep in entry_points(group="passport_hub") if ep.name == "military_jst"]
    assert len(eps) == 1 and eps[0].value == "passport_hub_military_jst.plugin"
    module = eps[0].load()
    assert module.PASSPORT_HUB_API == ">=1.0,<2"
    sources, verifiers = [], []
    module.passport_hub_register_sources(sources.append)
    module.passport_hub_register_verifiers(verifiers.append)
    assert sources == [JointServicesTranscript] and verifiers == [JSTVerifier]
    assert JointServicesTranscript.name == JSTVerifier.name == "military_jst"
