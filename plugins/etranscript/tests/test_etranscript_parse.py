"""Every sample transcript parses, with real values asserted."""

from __future__ import annotations

import datetime as dt

import pytest
from etranscript_helpers import DATA, awards, course, courses, load, parse, results
from passport_hub_etranscript.source import EtranscriptSource

from passport_hub.model import CredentialRecord

UT_BE = "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml"
UT_LE = "ccctc-utaustin_ColTrn-v1.6.0_utf16le.xml"
UT_NO_TD = "ccctc-malformed-no-TransmissionData_ColTrn-v1.6.0_utf16le.xml"
ONTARIO = "canpesc-ontario-college_ColTrn-v1.3.0_ns0.xml"
OTTAWA = "canpesc-ontario-uottawa_ColTrn-v1.4.0_inprogress.xml"
MSVU = "canpesc-novascotia-msvu_no-namespace_bom.xml"
VENTURA = "ccctc-ventura-college_moxy-json_ColTrn-v1.6.0_cccude.json"
EDEX = "pesc-edexchange-json_sacramento-city-college_unprefixed-root.json"
LD_MIN = "pesc-jsonld-transcript_minimal.json"
LD_MAX = "pesc-jsonld-transcript_maximal_nested.json"

ALL = sorted(p.name for p in DATA.iterdir() if p.suffix in (".xml", ".json"))


def test_every_sample_is_here():
    assert len(ALL) == 10


@pytest.mark.parametrize("name", ALL)
def test_every_sample_sniffs_parses_and_validates(name):
    document = load(name)
    assert EtranscriptSource().sniff(document)
    records = parse(name)
    assert records
    for record in records:
        # every record re-validates from its own JSON (the public record shape)
        again = CredentialRecord.model_validate(record.to_json_dict())
        assert again.to_json_dict() == record.to_json_dict()
        assert record.source.plugin == "etranscript"
        assert record.source.document_sha256 == document.sha256
    ids = [r.id for r in records]
    assert len(set(ids)) == len(ids)


def test_ut_austin_v140_utf16be():
    records = parse(UT_BE)
    assert len(records) == 25 and len(courses(records)) == 24
    holder = records[0].holder
    assert holder.name == "Test Record Test Speede IV"
    assert (holder.given_name, holder.family_name) == ("Test", "Speede")
    assert holder.birth_date == dt.date(1967, 7, 14)
    # SSN is in the file and must not be propagated anywhere
    assert "100000000" not in str([r.to_json_dict() for r in records])

    (diploma,) = awards(records)
    assert diploma.achievement.title == "Standard High School Diploma"
    assert diploma.achievement.kind == "other"
    assert results(diploma)["award_level"] == ["B18"]
    assert results(diploma)["award_level_label"][0].startswith("Standard High School Diploma")
    assert diploma.issued_on == dt.date(1985, 5, 1)
    assert diploma.issuer.name == "AUSTIN HIGH SCHOOL"
    assert [(i.scheme, i.value) for i in diploma.issuer.identifiers] == [("ceeb", "440320")]
    assert results(diploma)["reported_by"] == ["THE UNIVERSITY OF TEXAS AT AUSTIN"]

    # the sender's own record has no <School>: issuer from TransmissionData/Source
    spn = course(records, "SPN 406")
    assert spn.issuer.name == "THE UNIVERSITY OF TEXAS AT AUSTIN"
    assert ("atp", "006882") in [(i.scheme, i.value) for i in spn.issuer.identifiers]
    assert ("local_organization_id", "TX:123456") in [(i.scheme, i.value) for i in spn.issuer.identifiers]
    # transfer work listed by the sender: the transfer school is kept distinct
    r = results(spn)
    assert r["transfer"] == ["true"]
    assert r["transfer_school"] == ["TEXAS A and M UNIVERSITY COLLEGE STATION"]
    assert r["transfer_school_atp"] == ["006003"]
    assert r["grade"] == ["A"] and r["repeat_code"] == ["NotCountedOther"]
    assert [(c.amount, c.unit, c.level) for c in spn.achievement.credit] == [(4.0, "semester_hours", "lower_division")]
    assert ("original_course_id", "SPAN 105") in [(i.scheme, i.value) for i in spn.achievement.identifiers]

    phl = course(records, "PHL 388C")
    assert results(phl)["grade"] == ["CR"] and results(phl)["grade_scale"] == ["501"]
    assert phl.achievement.credit[0].level == "graduate"
    his = course(records, "HIS 346K")
    assert results(his)["credit_basis"] == ["CreditByExam"]
    assert results(his)["override_school"] == ["AUSTIN COMMUNITY COLLEGE"]
    assert results(his)["override_school_atp"] == ["006759"]
    # F grades earn nothing: no credit is invented from the attempted value
    failed = course(records, "HIS 309K")
    assert results(failed)["grade"] == ["F"] and failed.achievement.credit == []
    assert results(failed)["credit_attempted"] == ["3"] and results(failed)["credit_earned"] == ["0"]
    # a 5-digit gYearMonth designator is kept as given; suffixes keep sessions apart
    assert results(course(records, "TLC 311"))["term"] == ["20010-01"]
    assert results(course(records, "E 316K"))["term_suffix"] == ["2"]
    assert all(r.status == "active" for r in records)


def _comparable(record):
    data = record.to_json_dict()
    data.pop("source")
    return data


def test_v140_utf16be_and_v160_utf16le_give_the_same_records():
    be, le = parse(UT_BE), parse(UT_LE)
    assert [_comparable(r) for r in be] == [_comparable(r) for r in le]
    assert [r.source.locator for r in be] == [r.source.locator for r in le]
    assert be[0].source.format == "PESC CollegeTranscript v1.4.0 XML"
    assert le[0].source.format == "PESC CollegeTranscript v1.6.0 XML"
    assert be[0].source.document_sha256 != le[0].source.document_sha256


def test_missing_transmission_data_reads_with_warnings():
    records = parse(UT_NO_TD)
    assert len(records) == 25
    for record in records:
        assert any("no TransmissionData" in w for w in record.warnings)
    spn = course(records, "SPN 406")
    assert spn.issuer.name == "Unknown institution"
    assert any("issuer unknown" in w for w in spn.warnings)
    # same credentials as the complete file, apart from the sender-derived issuer
    assert awards(records)[0].id == awards(parse(UT_LE))[0].id


def test_ontario_college_v130_ns0():
    records = parse(ONTARIO)
    assert len(courses(records)) == 58
    assert records[0].holder.name == "Test Learner"
    assert ("agency_id", "State:999999999") in [(i.scheme, i.value) for i in records[0].holder.identifiers]
    titles = [(a.achievement.title, a.achievement.kind, a.issued_on) for a in awards(records)]
    assert titles == [
        ("Diploma", "certificate", dt.date(2018, 4, 24)),
        ("Diploma", "certificate", dt.date(2017, 1, 16)),
        ("Ontario College Certificate", "certificate", dt.date(2013, 4, 26)),
    ]
    assert results(awards(records)[1])["program"] == ["Business - Marketing"]
    assert results(awards(records)[0])["award_level"] == ["2.2"]
    issuer = records[0].issuer
    assert issuer.name == "Demo College" and [(i.scheme, i.value) for i in issuer.identifiers] == [("csis", "555555")]
    ic = course(records, "LAWS 461")
    assert results(ic)["grade"] == ["IC"] and results(ic)["grade_scale"] == ["503"]
    ngr = course(records, "BSNS 412")
    assert results(ngr)["grade"] == ["NGR"] and results(ngr)["grade_scale"] == ["513"]
    # CourseCreditValue 0.0 everywhere: no credit invented
    assert all(c.achievement.credit == [] for c in courses(records))
    exemption = course(records, "NUTR 3001")
    assert exemption.source.locator == "Student/AcademicRecord[1]/Course[1]"
    assert results(exemption)["credit_basis"] == ["Exemption"] and "grade" not in results(exemption)
    assert results(exemption)["note"] == ["EC"]


def test_uottawa_in_progress_courses():
    records = parse(OTTAWA)
    assert len(records) == 40 and awards(records) == []
    holder = records[0].holder
    assert holder.name == "Hermione Granger" and holder.birth_date is None  # only a Birthday (--03-09)
    assert records[0].issuer.identifiers[0].value == "350711"
    in_progress = [r for r in records if r.status == "in_progress"]
    assert sorted(results(r)["term"][0] for r in in_progress) == ["2021-01"] * 5
    epi = course(records, "HSS 4501")
    assert epi.status == "in_progress" and epi.achievement.credit == [] and epi.issued_on is None
    assert results(epi)["grade_status"] == ["InProgress"]
    assert results(course(records, "HSS 4303"))["grade"] == ["A+"]


def test_msvu_no_namespace_bom():
    records = parse(MSVU)
    assert len(records) == 17
    (bed,) = awards(records)
    assert bed.achievement.title == "BED - Bachelor of Education" and bed.achievement.kind == "degree"
    assert bed.achievement.ctdl_type == "ceterms:BachelorDegree"
    assert results(bed)["award_level_label"] == ["Baccalaureate Degree"]
    issuer = bed.issuer
    assert issuer.name == "Mount Saint Vincent University"
    assert [(i.scheme, i.value) for i in issuer.identifiers] == [("geocode", "CA00075"), ("psis", "12006000")]
    assert records[0].holder.name == "Bradley James White"
    assert records[0].holder.birth_date == dt.date(1974, 1, 18)
    practicum = course(records, "EDUC 5390")
    assert results(practicum)["grade"] == ["P"] and results(practicum)["grade_status"] == ["PassFailPass"]
    # no CourseCreditUnits: the earned value stays in results, with a warning
    assert practicum.achievement.credit == [] and results(practicum)["credit_earned"] == ["1.00"]
    assert any("CourseCreditUnits" in w for w in practicum.warnings)
    # out-of-schema level "ED" is kept raw
    assert "ED" in {results(c)["credit_level"][0] for c in courses(records) if "credit_level" in results(c)}


def test_ventura_moxy_json_with_ccc_extension():
    records = parse(VENTURA)
    assert len(records) == 48 and len(courses(records)) == 47
    (aa,) = awards(records)
    assert aa.achievement.title == "Associate in Arts in GS:NATURAL SCIENCES"
    assert aa.achievement.kind == "degree" and aa.achievement.ctdl_type == "ceterms:AssociateDegree"
    assert results(aa)["award_level"] == ["2.3"]
    assert results(aa)["award_level_label"][0].startswith("Associate Degree")
    assert aa.issued_on == dt.date(2015, 11, 2)
    assert aa.issuer.name == "Ventura College"
    assert [(i.scheme, i.value) for i in aa.issuer.identifiers] == [("fice", "001334")]
    holder = aa.holder
    assert (holder.name, holder.birth_date) == ("Janet E Doe", dt.date(1989, 9, 6))
    assert [(i.scheme, i.value) for i in holder.identifiers] == [("student_id", "500307753")]
    assert any("no TransmissionData" in w for w in aa.warnings)
    # in progress shown only by the grade IP on scale 500
    ip = [r for r in records if r.status == "in_progress"]
    assert sorted(course_code(r) for r in ip) == ["HS V10", "MATH V01", "MICR V01"]
    # credit value 0 with earned 0.5: earned is what is kept, never derived from value
    gw = course(records, "GW 02X")
    assert [(c.amount, c.unit) for c in gw.achievement.credit] == [(0.5, "semester_hours")]
    r = results(gw)
    assert r["grade"] == ["CR"] and r["grade_scale"] == ["62"]
    assert r["ccc.GradeBracket"] == ["GradeIsBracketed"]
    assert r["ccc.AttemptedUnitsCalc"] == ["BracketedNotCounted"]
    withdrawn = course(records, "CJ 02A")
    assert results(withdrawn)["grade"] == ["W"] and results(withdrawn)["grade_scale"] == ["506"]
    assert results(course(records, "SPAN V01"))["repeat_code"] == ["RepeatNotCounted"]
    art = course(records, "ART R101")
    assert results(art)["override_school"] == ["Oxnard College"]
    assert results(art)["override_school_fice"] == ["016391"]


def course_code(record):
    return next(i.value for i in record.achievement.identifiers if i.scheme == "course_code")


def test_edexchange_json_plain_root():
    records = parse(EDEX)
    assert len(records) == 7 and awards(records) == []
    assert records[0].source.format == "PESC CollegeTranscript JSON (EdExchange)"
    holder = records[0].holder
    assert holder.name == "John Doe" and holder.birth_date == dt.date(1995, 1, 1)  # written 1995-01-01Z
    assert records[0].issuer.name == "Sacramento City College"
    assert results(records[0])["reported_by"] == ["zz Test Integration College"]
    algebra = course(records, "MATH 120")
    assert results(algebra)["grade"] == ["B"]
    assert [(c.amount, c.unit, c.level) for c in algebra.achievement.credit] == [(5.0, "semester_hours",
                                                                                  "lower_division")]
    assert ("cip", "27.0102") in [(i.scheme, i.value) for i in algebra.achievement.identifiers]
    assert course(records, "CISC 360").issued_on == dt.date(2015, 12, 1)


@pytest.mark.parametrize("name", [LD_MIN, LD_MAX])
def test_pesc_jsonld_drafts(name):
    records = parse(name)
    (award,) = awards(records)
    (only_course,) = courses(records)
    assert award.achievement.title == "Example Award" and award.issued_on == dt.date(1985, 5, 1)
    assert award.achievement.kind == "other"
    assert any("no level" in w for w in award.warnings)
    assert results(award)["program"] == ["Example Program"]
    assert award.holder.name == "Testy Test" and award.issuer.name == "Example Source"
    assert only_course.achievement.title == "Example Course"
    r = results(only_course)
    # CarnegieUnits has no record unit: kept raw, no Credit
    assert r["credit_unit"] == ["CarnegieUnits"] and r["credit_basis"] == ["Regular"]
    assert only_course.achievement.credit == []
    if name == LD_MAX:
        assert [(i.scheme, i.value) for i in award.holder.identifiers] == [("student_id", "123456789")]


def test_ids_are_deterministic_and_independent_of_the_document():
    first, second = parse(VENTURA), parse(VENTURA)
    assert [r.id for r in first] == [r.id for r in second]
    assert len({r.id for r in first}) == 48
