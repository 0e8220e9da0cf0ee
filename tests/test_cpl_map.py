"""CPL with MAP's real articulation template and the synthetic JSTs read through the real pipeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from passport_hub.config import Settings
from passport_hub.cpl import NOT_ARTICULATED, cpl_for_holder, evaluate, import_articulations, read_map_csv
from passport_hub.errors import MalformedError
from passport_hub.loader import load_plugins
from passport_hub.model import Achievement, CredentialRecord, Identifier, Issuer, Result, Source

DATA = Path(__file__).parent / "data" / "cpl"
MAP_TEMPLATE = (DATA / "map_existing_articulations_sample.csv").read_bytes()
COLLEGE = "Fictional Valley Community College"
AS_OF = date(2026, 12, 1)


@pytest.fixture(scope="module")
def registry():
    return load_plugins(Settings.from_env({}))


def _ingest_jst(store, registry, holder: str, filename: str) -> None:
    from passport_hub.pipeline import Pipeline

    pipeline = Pipeline(registry, Settings.from_env({}), store)
    [path] = [p for p in registry.sources["military_jst"].sample_documents() if Path(p).name == filename]
    outcome = pipeline.ingest(pipeline.read_path(Path(path)), holder_id=holder)
    assert outcome.error is None, outcome.error
    assert outcome.source == "military_jst"


@pytest.fixture
def hub(hub_store, registry):
    _ingest_jst(hub_store, registry, "navy", "jst_navy_unofficial.pdf")
    _ingest_jst(hub_store, registry, "army", "jst_army_official.pdf")
    result = import_articulations(hub_store, MAP_TEMPLATE, college=COLLEGE, format="map", name="map.csv")
    assert (result.rules_new, result.rules_updated, result.courses_new, result.rejected) == (4, 0, 2, [])
    return hub_store


def test_map_template_rules():
    parsed = read_map_csv(MAP_TEMPLATE)
    assert parsed.rejected == []
    assert [(r.course_code, r.kind, r.ace_id, r.ace_version, r.version_date) for r in parsed.rules] == [
        ("BUS 80", "ace_course", "MC-1405-0056", None, date(2006, 6, 1)),
        ("BUS 80", "ace_course", "MC-1405-0056", None, date(2016, 12, 1)),
        ("BIO 45", "ace_course", "NV-0702-0014", None, date(1998, 5, 1)),
        ("BIO 45", "ace_course", "NV-0702-0013", None, date(2002, 10, 1)),
    ]


def test_map_template_with_bom_and_crlf_reads_the_same():
    bom = b"\xef\xbb\xbf" + MAP_TEMPLATE.replace(b"\n", b"\r\n")
    assert [(r.course_code, r.ace_id, r.version_date) for r in read_map_csv(bom).rules] == [
        (r.course_code, r.ace_id, r.version_date) for r in read_map_csv(MAP_TEMPLATE).rules]


def test_map_reimport_adds_nothing(hub):
    again = import_articulations(hub, b"\xef\xbb\xbf" + MAP_TEMPLATE, college=COLLEGE.upper(), name="map.csv")
    assert (again.format, again.rules_new, again.rules_updated, again.rules_unchanged, again.courses_new) == (
        "map", 0, 0, 4, 0)


def test_not_a_map_template_is_one_clear_error(hub_store):
    with pytest.raises(MalformedError, match="not MAP's articulation template"):
        import_articulations(hub_store, b"Course,Title\nBUS 80,Business\n", college=COLLEGE, format="map")


def test_navy_holder_earns_bio_45_once_from_two_exhibits(hub):
    report = cpl_for_holder(hub, "navy", COLLEGE, as_of=AS_OF)
    assert report.college == COLLEGE
    assert [e.course.code for e in report.eligible] == ["BIO 45"]
    bio = report.eligible[0]
    # both Navy courses articulate to BIO 45: counted once, for the earlier one
    assert bio.earned_by.credential == "ACE NV-0702-0014 V02"
    assert bio.earned_by.record_title == "HOSPITAL CORPSMAN BASIC"
    assert "completed 2012-01-20" in bio.earned_by.reason
    assert "team-reviewed 1998-05-01" in bio.earned_by.reason
    assert [m.credential for m in bio.also_articulated_by] == ["ACE NV-0702-0013 V03"]
    assert bio.units is None and report.total_units == 0 and report.courses_with_unknown_units == 1
    assert report.near_misses == []
    # ACE credit no rule here names: NV-1406-0180 matches no rule; the no-credit NV-2204-0123 is absent
    assert [(r.ace_id, r.version, r.total, r.status) for r in report.recommendations] == [
        ("NV-1406-0180", "V01", 2.0, NOT_ARTICULATED),
        ("NER-HM-005", "005", 10.0, NOT_ARTICULATED),
        ("NEC-8404-003", "003", 3.0, NOT_ARTICULATED),
    ]
    leadership = report.recommendations[0]
    assert [(c.subject, c.amount, c.unit, c.level) for c in leadership.credit] == [
        ("Leadership", 1.0, "semester_hours", "lower_division"),
        ("Principles of Management", 1.0, "semester_hours", "upper_division"),
    ]


def test_army_holder_has_no_articulation_at_this_college(hub):
    report = cpl_for_holder(hub, "army", COLLEGE, as_of=AS_OF)
    assert report.eligible == [] and report.near_misses == []
    assert [(r.ace_id, r.version, r.total) for r in report.recommendations] == [
        ("AR-2201-0399", "V01", 5.0),
        ("AR-2201-0455", "V03", 1.0),
        ("AR-2201-0603", "V01", 3.0),
        ("AR-1406-0090", "V04", 7.0),
        ("AR-2201-0399", "V02", 6.0),
        ("AR-1405-0123", "V02", 4.0),
        ("MOS-92Y-005", "005", 11.0),
    ]  # MOS-88M-004 (skill level 20, individualized assessment only) carries no credit: not listed


def test_exhibit_version_chosen_by_dates(hub):
    """Two MAP versions of AR-2201-0399 for two courses: each JST course lands on the version
    whose (team-reviewed) dates cover its completion date."""
    versions = (b"\xef\xbb\xbfCourse,ACE ID,Team Reviewed Date,Credit Recommendation(s),Notes\r\n"
                b"MILS 1,AR-2201-0399,7/1/2002,1 hour in Military Science,\r\n"
                b"PE 1,AR-2201-0399,7/1/2013,3 hours in Physical Fitness,\r\n")
    result = import_articulations(hub, versions, college=COLLEGE, name="versions.csv")
    assert (result.format, result.rules_new, result.courses_new) == ("map", 2, 2)
    report = cpl_for_holder(hub, "army", COLLEGE, as_of=AS_OF)
    by_code = {e.course.code: e for e in report.eligible}
    assert sorted(by_code) == ["MILS 1", "PE 1"]
    assert by_code["MILS 1"].earned_by.credential == "ACE AR-2201-0399 V01"
    assert "completed 2003-09-12" in by_code["MILS 1"].earned_by.reason
    assert "any earlier date to 2013-06-30" in by_code["MILS 1"].earned_by.reason
    assert by_code["PE 1"].earned_by.credential == "ACE AR-2201-0399 V02"
    assert "completed 2014-03-14" in by_code["PE 1"].earned_by.reason
    assert "2013-07-01 to present" in by_code["PE 1"].earned_by.reason
    assert by_code["MILS 1"].also_articulated_by == [] and by_code["PE 1"].also_articulated_by == []
    assert ("AR-2201-0399", "V01") not in {(r.ace_id, r.version) for r in report.recommendations}
    assert [r.ace_id for r in report.recommendations] == [
        "AR-2201-0455", "AR-2201-0603", "AR-1406-0090", "AR-1405-0123", "MOS-92Y-005"]
    # the Navy holder is unaffected
    assert [e.course.code for e in cpl_for_holder(hub, "navy", COLLEGE, as_of=AS_OF).eligible] == ["BIO 45"]


def _mc_course(completed: str) -> CredentialRecord:
    return CredentialRecord(
        id=f"rec_mc_{completed}", issuer=Issuer(name="U.S. Marine Corps"),
        achievement=Achievement(kind="military_course", title="MC COURSE",
                                identifiers=[Identifier(scheme="ace", value="MC-1405-0056")]),
        results=[Result(name="end_date", value=completed)],
        source=Source(plugin="test", plugin_version="0", format="test", document_sha256="0" * 64))


def test_same_ace_id_twice_in_the_template_is_two_versions():
    """The real template's MC-1405-0056 (6/1/2006 and 12/1/2016): an ID without version on
    the record is matched to the version by its date."""
    rules = read_map_csv(MAP_TEMPLATE).rules
    for i, rule in enumerate(rules, start=1):
        rule.id = i
    report = evaluate([_mc_course("2010-05-01")], rules, college=COLLEGE, holder="h", as_of=AS_OF)
    assert [(e.course.code, e.earned_by.rule_id) for e in report.eligible] == [("BUS 80", 1)]
    assert "within exhibit version team-reviewed 2006-06-01" in report.eligible[0].earned_by.reason
    assert "any earlier date to 2016-11-30" in report.eligible[0].earned_by.reason
    report = evaluate([_mc_course("2018-02-01")], rules, college=COLLEGE, holder="h", as_of=AS_OF)
    assert [(e.course.code, e.earned_by.rule_id) for e in report.eligible] == [("BUS 80", 2)]
    assert report.eligible[0].earned_by.credential == "ACE MC-1405-0056"


def test_blank_team_reviewed_date_is_not_given():
    parsed = read_map_csv(b"Course,ACE ID,Team Reviewed Date,Credit Recommendation(s),Notes\nBUS 80,MC-1405-0056,,,\n")
    assert parsed.rejected == []
    assert [(r.course_code, r.ace_id, r.ace_version, r.version_date, r.notes) for r in parsed.rules] == [
        ("BUS 80", "MC-1405-0056", None, None, None)]


@pytest.mark.parametrize("fmt", ["ob3", "clr"])
def test_records_moved_by_export_earn_the_same_credit(hub, registry, fmt):
    """A holder's Open Badges / CLR export imported by another holder (another wallet, or another
    hub) keeps what credit for prior learning reads: ACE ids with versions, credit, kinds."""
    import json

    from passport_hub.contract import Document
    from passport_hub.exports import export_records
    from passport_hub.pipeline import Pipeline

    navy = hub.records("navy")
    exported = json.dumps(export_records(navy, fmt)).encode()
    outcome = Pipeline(registry, Settings.from_env({}), hub).ingest(
        Document(exported, name=f"navy.{fmt}.json"), holder_id="moved")
    assert outcome.error is None and outcome.new == len(navy), outcome.error
    moved = {r.source.copy_of: r for r in hub.records("moved")}

    def kept(r: CredentialRecord):
        a = r.achievement
        return (r.holder.name, a.kind, a.title, a.description, a.identifiers, a.credit, a.occupations, r.issued_on,
                r.status, [x for x in r.results if x.name != "clr"], r.warnings)  # a CLR adds which CLR it came in

    assert {rid: kept(r) for rid, r in moved.items()} == {r.id: kept(r) for r in navy}
    report, again = (cpl_for_holder(hub, holder, COLLEGE, as_of=AS_OF) for holder in ("navy", "moved"))
    assert [e.course.code for e in again.eligible] == [e.course.code for e in report.eligible] == ["BIO 45"]
    # the college sees that one was read from the issuer's transcript and the other from a hub's export
    original, copied = report.eligible[0].earned_by.evidence, again.eligible[0].earned_by.evidence
    assert original == navy[0].source.format and "copy" not in original
    assert copied.endswith(", a copy of a passport-hub export") and copied != original
    assert [(r.ace_id, r.version, r.total) for r in again.recommendations] == [
        (r.ace_id, r.version, r.total) for r in report.recommendations]
    assert len(report.recommendations) > 1
