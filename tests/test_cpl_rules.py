"""CPL rules of every kind (hub format), conditions, near-misses and the duplicate-course case."""

from __future__ import annotations

import json
import re
import shlex
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_hub.cli import main
from passport_hub.config import Settings
from passport_hub.contract import Document
from passport_hub.cpl import ArticulationRepo, NothingImportedError, cpl_for_holder, import_articulations, read_hub
from passport_hub.cpl.matching import CplReport, evaluate
from passport_hub.errors import MalformedError, NotFoundError
from passport_hub.loader import load_plugins
from passport_hub.model import Achievement, CredentialRecord, Identifier, Issuer, Source, Verification
from passport_hub.pipeline import Pipeline

COLLEGE = "Fictional Coastal College"
AS_OF = date(2026, 12, 1)
COMPTIA_CTID = "ce-1ad923c7-7d80-4b13-81c8-e688ea8b3ccd"
ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "cpl.md"


@pytest.fixture(scope="module")
def registry():
    return load_plugins(Settings.from_env({}))


def _sample(registry, source: str, filename: str) -> Path:
    [path] = [p for p in registry.sources[source].sample_documents() if Path(p).name == filename]
    return Path(path)


def _ingest(store, registry, holder: str, source: str, filename: str) -> None:
    pipeline = Pipeline(registry, Settings.from_env({}), store)
    outcome = pipeline.ingest(pipeline.read_path(_sample(registry, source, filename)), holder_id=holder)
    assert outcome.error is None, outcome.error


def _store_record(store, holder: str, record: CredentialRecord) -> None:
    document = Document(data=record.model_dump_json().encode(), name="test-record.json", origin="file")
    with store.write_document(document, holder_id=holder, plugin="test") as writer:
        writer.add(record)


def _record(rid: str, issuer: str, title: str, ctid: str | None = None) -> CredentialRecord:
    return CredentialRecord(
        id=rid, issuer=Issuer(name=issuer), issued_on=date(2024, 5, 1),
        achievement=Achievement(kind="certification", title=title, ctid=ctid),
        source=Source(plugin="test", plugin_version="0", format="test", document_sha256="0" * 64))


RULES = {
    "college": COLLEGE,
    "articulations": [
        # ACE course, version given
        {"course": "HIT 101", "title": "Medical Terminology", "units": 3, "ace_id": "NV-0702-0014",
         "ace_version": "V2"},
        # the same college course also articulated from an occupation: earned once
        {"subject": "hit", "number": "101", "ace_id": "NER-HM-005", "min_pay_grade": "E-4"},
        # ACE course, another version than the holder's
        {"course": "MGMT 10", "units": 3, "ace_id": "NV-1406-0180 V02"},
        # ACE occupations with a pay-grade condition: met (HM2 = E-5) and not met (NEC at E-4 only)
        {"course": "EMS 20", "title": "Emergency Medical Technician", "units": 4, "ace_id": "NER-HM-005",
         "min_pay_grade": "E5"},
        {"course": "EMS 30", "units": 2, "ace_id": "NEC-8404-003", "min_pay_grade": "E-5"},
        # ACE course by exhibit date range, but only pending approval
        {"course": "EMS 40", "units": 1, "ace_id": "NV-0702-0013", "exhibit_start": "2011-10-01",
         "exhibit_end": "2015-09-30", "status": "pending"},
        # CTID
        {"course": "CIS 5", "title": "Linux Essentials", "units": 3, "ctid": COMPTIA_CTID,
         "credential_title": "CompTIA Linux Essentials Certification"},
        # MAP industry-certification exhibit, matched by issuer + title
        {"course": "HLTH 10", "title": "First Aid and CPR", "units": 1, "map_exhibit_id": "MAPIC-ARC-1-001",
         "issuer": "American Red Cross", "credential_title": "Adult and Pediatric First Aid/CPR/AED"},
        # industry certification with a recency condition the holder misses
        {"course": "KIN 30", "units": 2, "issuer": "American Red Cross", "credential_title": "Lifeguarding",
         "recency_years": 1},
    ],
}


@pytest.fixture
def hub(hub_store, registry):
    _ingest(hub_store, registry, "jordan", "military_jst", "jst_navy_unofficial.pdf")
    _ingest(hub_store, registry, "jordan", "red_cross", "certificate_full_0SYN0A1.pdf")
    _ingest(hub_store, registry, "jordan", "red_cross", "certificate_wallet_0SYN0B2.pdf")
    _store_record(hub_store, "jordan", _record("rec_linux", "CompTIA", "Linux Essentials", COMPTIA_CTID))
    result = import_articulations(hub_store, json.dumps(RULES).encode(), college=None, name="rules.json")
    assert (result.format, result.college, result.rules_new, result.courses_new, result.rejected) == (
        "hub", COLLEGE, 9, 8, [])
    return hub_store


def test_one_rule_per_kind(hub):
    report = cpl_for_holder(hub, "jordan", COLLEGE, as_of=AS_OF)
    eligible = {e.course.code: e for e in report.eligible}
    assert sorted(eligible) == ["CIS 5", "EMS 20", "HIT 101", "HLTH 10"]
    # ACE occupation with the pay-grade condition met by the HM2 (E-5) level
    assert eligible["EMS 20"].earned_by.credential == "ACE NER-HM-005"
    # the reason names the version as such, and the condition the record met
    assert eligible["EMS 20"].earned_by.reason == (
        "ACE id NER-HM, version 005, match; pay grade E-5 meets E-5 or higher (from the occupation)")
    # CTID
    assert eligible["CIS 5"].earned_by.record_id == "rec_linux"
    assert eligible["CIS 5"].earned_by.reason == f"CTID matches ({COMPTIA_CTID}; CTID on the record)"
    # MAP industry-certification exhibit
    first_aid = eligible["HLTH 10"]
    assert first_aid.earned_by.record_title == "Adult and Pediatric First Aid/CPR/AED"
    assert first_aid.earned_by.rule == (
        "MAP exhibit MAPIC-ARC-1-001 (American Red Cross: Adult and Pediatric First Aid/CPR/AED)")
    assert first_aid.earned_by.reason.startswith("issuer and title match MAP exhibit MAPIC-ARC-1-001")
    assert report.total_units == 3 + 4 + 3 + 1
    assert report.courses_with_unknown_units == 0


def test_duplicate_course_is_earned_once(hub):
    report = cpl_for_holder(hub, "jordan", COLLEGE, as_of=AS_OF)
    hit = [e for e in report.eligible if e.course.code == "HIT 101"]
    assert len(hit) == 1
    [hit] = hit
    assert (hit.course.title, hit.units) == ("Medical Terminology", 3)
    assert hit.earned_by.credential == "ACE NV-0702-0014 V02"
    assert hit.earned_by.reason == "ACE id NV-0702-0014, version V02, match"
    assert [(m.credential, m.record_title, m.reason) for m in hit.also_articulated_by] == [
        ("ACE NER-HM-005", "HM-HOSPITAL CORPSMAN",
         "ACE id NER-HM, version 005, match; pay grade E-5 meets E-4 or higher (from the occupation)")]
    assert report.total_units == 11  # HIT 101's 3 units once


def test_near_misses_say_what_is_missing(hub):
    report = cpl_for_holder(hub, "jordan", COLLEGE, as_of=AS_OF)
    near = {n.course.code: n for n in report.near_misses}
    assert sorted(near) == ["EMS 30", "EMS 40", "KIN 30"]
    assert near["EMS 30"].credential == "ACE NEC-8404-003"
    assert near["EMS 30"].missing == ["pay grade E-5 or higher (the record shows E-4, from the occupation)"]
    assert near["EMS 40"].missing == ["the articulation is pending approval at this college"]
    assert "completed 2012-03-30, within exhibit dates 2011-10-01 to 2015-09-30" in near["EMS 40"].matched
    assert near["KIN 30"].record_title == "Lifeguarding"
    assert near["KIN 30"].missing == [
        "completed within 1 years, i.e. on or after 2025-12-01 (the record shows 2025-06-14)"]
    # matched here, even if not (yet) earned: not listed as "not yet articulated"
    assert "NEC-8404-003" not in {r.ace_id for r in report.recommendations}


def test_other_version_only_is_not_yet_articulated(hub):
    report = cpl_for_holder(hub, "jordan", COLLEGE, as_of=AS_OF)
    assert [(r.ace_id, r.version) for r in report.recommendations] == [("NV-1406-0180", "V01")]
    [rec] = report.recommendations
    assert rec.status == "not yet articulated here"
    assert rec.note == "this college articulates other versions of this ACE id: MGMT 10 for version V02"


def test_skill_level_condition_on_the_army_mos(hub_store, registry):
    _ingest(hub_store, registry, "alex", "military_jst", "jst_army_official.pdf")
    rules = [{"course": "LOG 1", "units": 3, "ace_id": "MOS-92Y-005", "min_skill_level": "30"},
             {"course": "AUTO 1", "units": 3, "ace_id": "MOS-88M-004", "min_skill_level": "30"},
             {"course": "MILS 2", "units": 2, "ace_id": "AR-1406-0090", "recency_years": 10}]
    import_articulations(hub_store, json.dumps(rules).encode(), college=COLLEGE, format="hub")
    report = cpl_for_holder(hub_store, "alex", COLLEGE, as_of=AS_OF)
    assert [e.course.code for e in report.eligible] == ["LOG 1"]
    near = {n.course.code: n.missing for n in report.near_misses}
    assert near == {
        "AUTO 1": ["skill level 30 or higher (the record shows 20)"],
        "MILS 2": ["completed within 10 years, i.e. on or after 2016-12-01 (the record shows 2008-02-15)"],
    }
    # a condition the record meets is named in the reason, as one it misses is named as missing
    assert report.eligible[0].earned_by.reason == (
        "ACE id MOS-92Y, version 005, match; skill level 30 meets 30 or higher")


def test_met_conditions_are_in_the_reason_and_a_near_misses_match(hub_store, registry):
    _ingest(hub_store, registry, "alex", "military_jst", "jst_army_official.pdf")
    rules = [{"course": "LOG 1", "units": 3, "ace_id": "MOS-92Y-005", "min_skill_level": "30", "recency_years": 30},
             {"course": "LOG 2", "units": 3, "ace_id": "MOS-92Y"},
             {"course": "MILS 2", "units": 2, "ace_id": "AR-1406-0090", "recency_years": 30, "min_pay_grade": "E-9"}]
    import_articulations(hub_store, json.dumps(rules).encode(), college=COLLEGE, format="hub")
    report = cpl_for_holder(hub_store, "alex", COLLEGE, as_of=AS_OF)
    assert {e.course.code: e.earned_by.reason for e in report.eligible} == {
        "LOG 1": "ACE id MOS-92Y, version 005, match; skill level 30 meets 30 or higher; still held, within 30 years",
        # the record's version is named as the record's: the rule names none
        "LOG 2": "ACE id MOS-92Y (version 005) matches; the rule covers every version",
    }
    [(matched, missing)] = [(n.matched, n.missing) for n in report.near_misses]
    assert matched == ("ACE id AR-1406-0090 (version V04) matches; the rule covers every version; "
                       "completed 2008-02-15, within 30 years")
    assert missing == ["pay grade E-9 or higher (the record shows E-6, from the rank on the transcript)"]


@pytest.mark.parametrize("given, reason", [
    # a version that is not one was dropped, and the rule then covered (and earned) every version
    ({"ace_id": "NV-0702-0014", "ace_version": "VO2"},
     "ace_version 'VO2' is not an ACE course version (V01, V02, ...)"),
    ({"ace_id": "NV-0702-0014", "ace_version": "latest"}, "ace_version 'latest' is not an ACE course version"),
    ({"ace_id": "NV-0702-0014", "ace_version": "V123"}, "ace_version 'V123' is not an ACE course version"),
    ({"ace_id": "NV-0702-0014", "ace_version": "V00"}, "ACE version V00 of NV-0702-0014 does not exist"),
    ({"ace_id": "NV-0702-0014 V01", "ace_version": "V02"}, "ace_version 'V02' is not the version in ace_id"),
    # an occupation's was kept as given ("NER-HM-VO2"), matching nothing
    ({"ace_id": "NER-HM", "ace_version": "VO2"}, "ace_version 'VO2' is not an ACE occupation version (three digits"),
    ({"ace_id": "NER-HM", "ace_version": "latest"}, "ace_version 'latest' is not an ACE occupation version"),
    ({"ace_id": "NER-HM", "ace_version": "V05"}, "ace_version 'V05' is not an ACE occupation version"),
    ({"ace_id": "NER-HM-005", "ace_version": "006"}, "ace_version '006' is not the version in ace_id 'NER-HM-005'"),
    # a version with nothing to be the version of
    ({"ctid": COMPTIA_CTID, "ace_version": "V02"}, "ace_version 'V02' is given without an ace_id"),
    ({"ace_id": "MAPIC-ARC-1-001", "ace_version": "V01"}, "(MAP exhibits have no ACE version)"),
    # pay grades that do not exist
    ({"ace_id": "NER-HM-005", "min_pay_grade": "E-55"},
     "'E-55' is not a pay grade (E-1 to E-9, W-1 to W-5 or O-1 to O-10)"),
    ({"ace_id": "NER-HM-005", "min_pay_grade": "E-0"}, "'E-0' is not a pay grade"),
    ({"ace_id": "NER-HM-005", "min_pay_grade": "E10"}, "'E10' is not a pay grade"),
    ({"ace_id": "NER-HM-005", "min_pay_grade": "W-6"}, "'W-6' is not a pay grade"),
    ({"ace_id": "NER-HM-005", "min_pay_grade": "O-11"}, "'O-11' is not a pay grade"),
    ({"ace_id": "MCE-0311-001E0"}, "ace_id 'MCE-0311-001E0': E0 is not a pay grade"),
    # a USMC exhibit's grade and a condition that says otherwise: one of them was dropped
    ({"ace_id": "MCE-0311-001E5", "min_pay_grade": "E-6"}, "min_pay_grade E-6 is not the E-5 that ace_id"),
])
def test_a_version_or_pay_grade_that_is_not_one_rejects_the_row(hub_store, given, reason):
    parsed, _ = read_hub(json.dumps([{"course": "X 1", "units": 1, **given}]).encode(), "v.json")
    assert parsed.rules == [] and [r["row"] for r in parsed.rejected] == [1]
    assert reason in parsed.rejected[0]["reason"]


@pytest.mark.parametrize("given, stored", [
    ({"ace_id": "NV-0702-0014", "ace_version": "V2"}, ("NV-0702-0014", "V02", None)),
    ({"ace_id": "NV-0702-0014", "ace_version": "v02"}, ("NV-0702-0014", "V02", None)),
    ({"ace_id": "NV-0702-0014", "ace_version": "2"}, ("NV-0702-0014", "V02", None)),
    ({"ace_id": "NV-0702-0014 V02", "ace_version": "V2"}, ("NV-0702-0014", "V02", None)),
    ({"ace_id": "NER-HM", "ace_version": "005"}, ("NER-HM", "005", None)),
    ({"ace_id": "NER-HM", "ace_version": "-005"}, ("NER-HM", "005", None)),
    ({"ace_id": "NER-HM-005", "ace_version": "005"}, ("NER-HM", "005", None)),
    ({"ace_id": "MCE-0311", "ace_version": "001E5"}, ("MCE-0311", "001", "E-5")),
    ({"ace_id": "MCE-0311-001E5", "ace_version": "001", "min_pay_grade": "E5"}, ("MCE-0311", "001", "E-5")),
    ({"ace_id": "NER-HM", "min_pay_grade": "e9"}, ("NER-HM", None, "E-9")),
    ({"ace_id": "NER-HM", "min_pay_grade": "w-5"}, ("NER-HM", None, "W-5")),
    ({"ace_id": "NER-HM", "min_pay_grade": "O-10"}, ("NER-HM", None, "O-10")),
])
def test_the_spellings_of_versions_and_pay_grades_a_rule_takes(given, stored):
    parsed, _ = read_hub(json.dumps([{"course": "X 1", "units": 1, **given}]).encode(), "v.json")
    assert parsed.rejected == []
    [rule] = parsed.rules
    assert (rule.ace_id, rule.ace_version, rule.min_pay_grade) == stored


def test_a_stored_rule_with_a_pay_grade_that_is_not_one_is_a_near_miss_not_a_crash(hub_store, registry):
    """Rules imported before such grades were refused may hold one (E-55)."""
    _ingest(hub_store, registry, "jordan", "military_jst", "jst_navy_unofficial.pdf")
    [rule] = read_hub(json.dumps([{"course": "EMS 20", "units": 4, "ace_id": "NER-HM-005"}]).encode())[0].rules
    rule.min_pay_grade = "E-55"
    report = evaluate(hub_store.records("jordan"), [rule], college=COLLEGE, holder="jordan", as_of=AS_OF)
    assert report.eligible == []
    [miss] = report.near_misses
    assert miss.missing == ["pay grade E-55 or higher (not a pay grade: the articulation needs correcting)"]


def test_ctid_through_the_catalog(hub_store, registry):
    """A record without a CTID is matched through the catalog entry with its issuer and title."""
    _ingest(hub_store, registry, "catalog", "credential_engine",
            "brookdale_comptia_linux_certificateofcompletion.search_result.json")
    entry = hub_store.catalog().by_ctid(COMPTIA_CTID)
    assert entry is not None
    _store_record(hub_store, "sam", _record("rec_sam", entry.issuer.name, entry.achievement.title))
    import_articulations(hub_store, json.dumps([{"course": "CIS 5", "units": 3, "ctid": COMPTIA_CTID}]).encode(),
                         college=COLLEGE)
    report = cpl_for_holder(hub_store, "sam", COLLEGE, as_of=AS_OF)
    assert [(e.course.code, e.earned_by.record_id) for e in report.eligible] == [("CIS 5", "rec_sam")]
    assert "CTID of the catalog entry" in report.eligible[0].earned_by.reason
    # a later record naming the CTID itself is the closer match: it earns the course, the one
    # found by issuer and title (as approximate as a rule naming them) is listed beside it
    named = _record("rec_sam_named", "CompTIA", "Linux Essentials", COMPTIA_CTID).model_copy(
        update={"issued_on": date(2025, 5, 1)})
    _store_record(hub_store, "sam", named)
    [cis] = cpl_for_holder(hub_store, "sam", COLLEGE, as_of=AS_OF).eligible
    assert (cis.earned_by.record_id, [m.record_id for m in cis.also_articulated_by]) == ("rec_sam_named", ["rec_sam"])


@pytest.mark.parametrize("issued", [date(2024, 5, 1), date(2018, 5, 1)])  # the first entry outside, inside the dates
def test_an_exact_version_is_the_closest_match_whatever_the_record_lists_before_it(issued):
    """A course taken twice (an early run without a version, then V02) matches a rule with both a
    version and exhibit dates by its version: as close as a record that lists V02 alone."""
    parsed, _ = read_hub(json.dumps([{"course": "HIT 101", "units": 3, "ace_id": "NV-0702-0014",
                                      "ace_version": "V02", "exhibit_start": "2016-01-01",
                                      "exhibit_end": "2020-12-31"}]).encode())
    twice = _record("rec_twice", "Navy", "Medical Terminology").model_copy(deep=True, update={"issued_on": issued})
    twice.achievement.identifiers = [Identifier(scheme="ace", value="NV-0702-0014"),
                                     Identifier(scheme="ace", value="NV-0702-0014", version="V02")]
    once = _record("rec_once", "Navy", "Medical Terminology").model_copy(
        deep=True, update={"issued_on": date(2025, 5, 1)})
    once.achievement.identifiers = [Identifier(scheme="ace", value="NV-0702-0014", version="V02")]
    report = evaluate([once, twice], parsed.rules, college=COLLEGE, holder="sam", as_of=AS_OF)
    [hit] = report.eligible
    # equally close, so the earliest completed earns it
    assert (hit.earned_by.record_id, hit.earned_by.reason) == ("rec_twice", "ACE id NV-0702-0014, version V02, match")


def test_hub_csv_rows_that_do_not_validate_are_rejected_with_reasons(hub_store):
    csv_text = (
        "course,title,units,ace_id,ace_version,ctid,issuer,credential_title,min_pay_grade,status\n"
        "BUS 1,Intro,3,AR-2201-0399,V1,,,,,active\n"
        "BUS 2,,3,XX-1,,,,,,active\n"
        ",,3,AR-2201-0399,,,,,,active\n"
        "BUS 3,,3,,,,,,,active\n"
        "BUS 4,,3,MOS-92Y-005,,,,,Sergeant,active\n"
        "BUS 5,,3,,,ce-notavalidctid,,,,active\n"
        "BUS 6,,2,,,,NCCER,Core Curriculum,,approved\n"
    )
    parsed, college = read_hub(csv_text.encode(), "rules.csv")
    assert college is None
    assert [(r.course_code, r.kind, r.ace_id, r.ace_version) for r in parsed.rules] == [
        ("BUS 1", "ace_course", "AR-2201-0399", "V01")]
    reasons = {r["row"]: r["reason"] for r in parsed.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "'XX-1' is not an ACE course or occupation id" in reasons[3]
    assert "a college course is needed" in reasons[4]
    assert "a credential is needed" in reasons[5]
    assert "'Sergeant' is not a pay grade" in reasons[6]
    assert "is not a CTID" in reasons[7]
    assert reasons[8].startswith("status:")
    result = import_articulations(hub_store, csv_text.encode(), college=COLLEGE, name="rules.csv")
    assert (result.format, result.rules_new, len(result.rejected)) == ("hub", 1, 6)
    _name, rules = ArticulationRepo(hub_store).rules(COLLEGE)
    assert [(r.course_code, r.title, r.units) for r in rules] == [("BUS 1", "Intro", 3.0)]


NO_ROWS = f"rules: nothing imported for {COLLEGE}: the file has no articulation rows"


@pytest.mark.parametrize("data, detail", [
    (b"course,ace_id\n", NO_ROWS),
    (b"course,ace_id\n,\n\n", NO_ROWS),
    (b"[]", NO_ROWS),
    (b'{"articulations": [{"course": "X 1", "ace_id": "NV-0702-0014", "ace_version": "latest"}]}',
     f"rules: nothing imported for {COLLEGE}: every row was rejected (1 row(s))\n"
     "  row 1 rejected: ace_version 'latest' is not an ACE course version (V01, V02, ...)"),
])
def test_a_file_from_which_no_rule_is_stored_is_refused(hub_store, data, detail):
    """It was a result with nothing in it (201 Created on the service, exit status 0 for a header only)."""
    with pytest.raises(NothingImportedError) as refused:
        import_articulations(hub_store, data, college=COLLEGE, format="hub", name="rules")
    assert (refused.value.kind, refused.value.user_message) == ("malformed", detail)
    assert refused.value.rejected == ([] if detail == NO_ROWS else [
        {"row": 1, "reason": "ace_version 'latest' is not an ACE course version (V01, V02, ...)"}])
    assert ArticulationRepo(hub_store).colleges() == []


def test_hub_csv_unknown_column_is_an_error(hub_store):
    with pytest.raises(MalformedError, match="unknown column"):
        import_articulations(hub_store, b"course,ace,units\nBUS 1,AR-2201-0399,3\n", college=COLLEGE, format="hub")


@pytest.mark.parametrize("data, problem", [
    (b'course,ace_id\nBUS 1,"' + b"x" * 140_000 + b'"\n', "field larger than field limit"),
    (b"course,ace_id\nBUS 1,AR-2201\r0399\n", "new-line character"),
    (b'{"articulations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
])
def test_unreadable_articulation_files_are_malformed_not_a_crash(hub_store, data, problem):
    # found by the service fuzz run: csv.Error escaped as a 500
    with pytest.raises(MalformedError, match=problem):
        import_articulations(hub_store, data, college=COLLEGE, name="rules")
    assert ArticulationRepo(hub_store).colleges() == []


def test_map_exhibit_in_the_map_template_ace_column(hub_store):
    data = b"Course,ACE ID,Team Reviewed Date,Credit Recommendation(s),Notes\nLOG 10,MAPIC-FORK-1-001.,1/5/2020,,\n"
    import_articulations(hub_store, data, college=COLLEGE)
    _name, [rule] = ArticulationRepo(hub_store).rules(COLLEGE)
    assert (rule.course_code, rule.kind, rule.map_exhibit_id, rule.ace_id) == (
        "LOG 10", "map_exhibit", "MAPIC-FORK-1-001", None)


def test_unknown_college_and_holder(hub):
    with pytest.raises(NotFoundError, match=r"^no articulations for college 'Nowhere'$"):  # no other college named
        cpl_for_holder(hub, "jordan", "Nowhere")
    with pytest.raises(NotFoundError, match="no holder 'nobody'"):
        cpl_for_holder(hub, "nobody", COLLEGE)


def _docs_example(fence: str) -> bytes:
    """The example in docs/cpl.md's ```<fence> block, as a reader would save it."""
    return re.search(rf"```{fence}\n(.*?)```", DOC.read_text(), re.S).group(1).encode()


def _docs_commands() -> list[list[str]]:
    """Every command docs/cpl.md shows (```sh lines, then inline `passport-hub ...`), as a shell splits it."""
    text = DOC.read_text()
    shown = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S) for line in block.splitlines()]
    shown += re.findall(r"`(passport-hub [^`]+)`", text)
    return [shlex.split(command, comments=True) for command in shown]


def test_docs_example_is_runnable(hub_store):
    """The JSON example in docs/cpl.md imports as documented."""
    result = import_articulations(hub_store, _docs_example("json"), college=None, name="example.json")
    assert result.rejected == [] and result.rules_new == 5


def test_docs_commands_run_as_written(hub_env, tmp_path, monkeypatch):
    """From a checkout (the doc names bundled samples by path) with the doc's examples saved as it says."""
    for name in ("plugins", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "rules.json").write_bytes(_docs_example("json"))
    (tmp_path / "rules.csv").write_bytes(_docs_example("text"))
    monkeypatch.chdir(tmp_path)
    commands = _docs_commands()
    assert len(commands) == 8 and {command[0] for command in commands} == {"passport-hub"}
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(main, command[1:], env=hub_env)
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.output}"


def test_docs_reason_example_is_what_the_docs_example_gives(hub_store, registry):
    import_articulations(hub_store, _docs_example("json"), college=None, name="rules.json")
    _ingest(hub_store, registry, "alex", "military_jst", "jst_navy_unofficial.pdf")
    report = cpl_for_holder(hub_store, "alex", "Fictional Valley Community College", as_of=AS_OF)
    reasons = {e.course.code: e.earned_by.reason for e in report.eligible}
    ems = "ACE id NER-HM, version 005, match; pay grade E-5 meets E-5 or higher (from the occupation)"
    assert reasons == {"BIO 45": "ACE id NV-0702-0014, version V02, match", "EMS 20": ems}
    assert f"`{ems}`" in " ".join(DOC.read_text().split())


def test_reimport_counts_only_changed_rules_as_updated(hub_store):
    def reimport(data: bytes) -> tuple[int, int, int]:
        result = import_articulations(hub_store, data, college=None, name="rules.json").as_dict()
        return result["rules_new"], result["rules_updated"], result["rules_unchanged"]

    assert reimport(_docs_example("json")) == (5, 0, 0)
    assert reimport(_docs_example("json")) == (0, 0, 5)
    example = json.loads(_docs_example("json"))
    example["articulations"][0]["status"] = "inactive"
    assert reimport(json.dumps(example).encode()) == (0, 1, 4)
    _name, rules = ArticulationRepo(hub_store).rules(example["college"])
    assert [(r.course_code, r.status) for r in rules if r.course_code == "BIO 45"] == [("BIO 45", "inactive")]


def test_docs_csv_example_gives_the_json_examples_rules(hub_store):
    # its blank cells are fields not given, as keys absent from the JSON (a blank date was "empty date")
    csv_rules, _ = read_hub(_docs_example("text"), "rules.csv")
    json_rules, _ = read_hub(_docs_example("json"), "rules.json")
    assert csv_rules.rejected == [] and json_rules.rejected == []
    assert [(r.course_code, r.kind, r.status) for r in csv_rules.rules] == [
        ("BIO 45", "ace_course", "active"), ("EMS 20", "ace_occupation", "active"), ("PE 1", "ace_course", "active"),
        ("CIS 5", "ctid", "active"), ("HLTH 10", "map_exhibit", "pending")]
    assert csv_rules.rules == json_rules.rules
    result = import_articulations(hub_store, _docs_example("text"), college="CSV College", format="hub",
                                  name="rules.csv")
    assert (result.rules_new, result.rejected) == (5, [])


def test_json_empty_strings_are_fields_not_given_as_csv_blanks_are(hub_store):
    example = json.loads(_docs_example("json"))
    blanked = json.loads(_docs_example("json"))
    for rule in blanked["articulations"]:
        for field in ("exhibit_start", "exhibit_end", "team_reviewed_date", "notes", "recency_years"):
            rule.setdefault(field, "")
    assert any(rule["exhibit_start"] == "" for rule in blanked["articulations"])
    blank_rules, _ = read_hub(json.dumps(blanked).encode(), "blank.json")
    rules, _ = read_hub(json.dumps(example).encode(), "rules.json")
    assert blank_rules.rejected == [] and blank_rules.rules == rules.rules


def test_a_failed_or_revoked_issuer_check_turns_a_match_into_a_near_miss(hub):
    before = cpl_for_holder(hub, "jordan", COLLEGE, as_of=AS_OF)
    first_aid = next(e for e in before.eligible if e.course.code == "HLTH 10")
    assert first_aid.earned_by.verification is None  # never verified: counted, and the report says so
    [(pk, record)] = hub.record_rows("jordan", [first_aid.earned_by.record_id])
    assert record.achievement.title == "Adult and Pediatric First Aid/CPR/AED"

    def check(status: str, day: int) -> CplReport:
        hub.add_verification(pk, Verification(status=status, checked_at=datetime(2026, 3, day, 12, tzinfo=UTC)))
        return cpl_for_holder(hub, "jordan", COLLEGE, as_of=AS_OF)

    verified = check("verified", 1)
    assert next(e for e in verified.eligible if e.course.code == "HLTH 10").earned_by.verification == "verified"
    failed = check("failed", 2)
    assert "HLTH 10" not in {e.course.code for e in failed.eligible}
    assert failed.total_units == before.total_units - 1
    [miss] = [n for n in failed.near_misses if n.course.code == "HLTH 10"]
    assert (miss.verification, miss.missing) == ("failed", ["the issuer check failed on 2026-03-02 (verify it again)"])
    # a later check that cannot reach the issuer (say, while a college opens a share) undoes nothing
    unreachable = check("unverifiable", 3)
    [miss] = [n for n in unreachable.near_misses if n.course.code == "HLTH 10"]
    assert (miss.verification, miss.missing) == (
        "unverifiable", ["the issuer check failed on 2026-03-02 (verify it again)"])
    revoked = check("revoked", 4)
    [miss] = [n for n in revoked.near_misses if n.course.code == "HLTH 10"]
    assert miss.missing == ["the issuer reported the credential revoked on 2026-03-04"]
    assert "HLTH 10" not in {e.course.code for e in check("error", 5).eligible}
    assert "HLTH 10" in {e.course.code for e in check("verified", 6).eligible}  # a new check that passes counts


def test_the_closest_rule_and_a_current_credential_earn_the_course(hub_store, registry):
    # MAP's template (a team-reviewed date, "an approximation") and the docs' hub rules name the
    # same ACE course for BIO 45: the record's exact version is the reason given
    map_csv = (ROOT / "tests" / "data" / "cpl" / "map_existing_articulations_sample.csv").read_bytes()
    import_articulations(hub_store, map_csv, college="Fictional Valley Community College", name="map.csv")
    import_articulations(hub_store, _docs_example("json"), college=None, name="rules.json")
    _ingest(hub_store, registry, "navy", "military_jst", "jst_navy_unofficial.pdf")
    report = cpl_for_holder(hub_store, "navy", "Fictional Valley Community College", as_of=AS_OF)
    [bio] = [e for e in report.eligible if e.course.code == "BIO 45"]
    assert bio.earned_by.reason == "ACE id NV-0702-0014, version V02, match"
    # two first-aid certificates, one lapsed: the current one earns the course
    rules = {"college": "CPR College", "articulations": [
        {"course": "HLTH 11", "units": 1, "issuer": "American Red Cross",
         "credential_title": "Adult and Pediatric First Aid/CPR/AED"}]}
    import_articulations(hub_store, json.dumps(rules).encode(), college=None, name="cpr.json")
    _ingest(hub_store, registry, "pat", "red_cross", "lookup_email_multiple_mixed.html")
    title = "Adult and Pediatric First Aid/CPR/AED"
    certificates = [r for r in hub_store.records("pat") if r.achievement.title == title]
    assert sorted(r.status for r in certificates) == ["active", "expired"]
    [hlth] = cpl_for_holder(hub_store, "pat", "CPR College", as_of=AS_OF).eligible
    current = next(r for r in certificates if r.status == "active")
    assert hlth.earned_by.record_id == current.id
    assert [m.record_id for m in hlth.also_articulated_by] == [r.id for r in certificates if r is not current]
    lapsed_card = next(r for r in certificates if r is not current)
    assert lapsed_card.issued_on < current.issued_on  # "the earliest completed" alone would pick the lapsed card
    # the current card lapses by its date (stored as active): with both lapsed, the earliest completed
    assert current.expires_on == date(2028, 4, 21)
    [later] = cpl_for_holder(hub_store, "pat", "CPR College", as_of=date(2028, 5, 1)).eligible
    assert later.earned_by.record_id == lapsed_card.id
    # an issuer check that reports the current card expired lapses it too
    [(pk, _)] = hub_store.record_rows("pat", [current.id])
    hub_store.add_verification(pk, Verification(status="expired", checked_at=datetime(2026, 11, 2, 12, tzinfo=UTC)))
    [checked] = cpl_for_holder(hub_store, "pat", "CPR College", as_of=AS_OF).eligible
    assert checked.earned_by.record_id == lapsed_card.id
