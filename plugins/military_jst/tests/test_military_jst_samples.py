"""The two synthetic JSTs give exactly the facts of their .expected.json files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from passport_hub_military_jst.parser import parse_pages
from passport_hub_military_jst.source import JointServicesTranscript

from passport_hub import Document

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "passport_hub_military_jst" / "samples"
SAMPLE_NAMES = ["jst_army_official", "jst_navy_unofficial"]
LEVEL = {"L": "lower_division", "U": "upper_division", "V": "vocational", "G": "graduate"}


def _strip(o):
    if isinstance(o, dict):
        return {k: _strip(v) for k, v in o.items() if not k.startswith("_")}
    if isinstance(o, list):
        return [_strip(x) for x in o]
    return o


def _load(name: str):
    doc = Document((SAMPLES / f"{name}.pdf").read_bytes(), name=f"{name}.pdf", media_type="application/pdf")
    expected = json.loads((DATA / f"{name}.expected.json").read_text())
    return doc, expected


def _result(record, name):
    return next((r.value for r in record.results if r.name == name), None)


def _credit(items):
    return [(c["subject"], float(c["semester_hours"]), LEVEL[c["level"]]) for c in items]


def _rec_credit(record):
    return [(c.subject, c.amount, c.level) for c in record.achievement.credit]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_parsed_structure_equals_expected(name):
    doc, expected = _load(name)
    pages = doc.pdf_pages()
    assert len(pages) == expected["page_count"]
    transcripts = parse_pages(pages)
    assert len(transcripts) == expected["transcript_count"] == 1
    got = _strip(transcripts[0])
    for key, value in expected["transcripts"][0].items():
        assert got[key] == value, key
    assert got["warnings"] == []


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_records_carry_every_expected_fact(name):
    doc, expected = _load(name)
    source = JointServicesTranscript()
    assert source.sniff(doc)
    records = list(source.parse(doc))
    t = expected["transcripts"][0]
    by_kind: dict[str, list] = {}
    for r in records:
        by_kind.setdefault(r.achievement.kind, []).append(r)
    academic = t["academic_institution_courses"] or []
    assert len(records) == (len(t["military_courses"]) + len(t["military_experience"])
                            + len(t["college_level_test_scores"]) + len(t["other_learning_experiences"])
                            + len(academic))
    assert len({r.id for r in records}) == len(records)

    h = t["holder"]
    for r in records:
        assert r.holder.name == h["name"]
        assert r.holder.family_name == h["last_name"] and r.holder.given_name == h["first_name"]
        assert r.holder.birth_date.isoformat() == h["birth_date"]
        assert r.holder.identifiers == []  # the masked SSN is never stored
        assert h["ssn_masked"] not in r.model_dump_json()
        assert _result(r, "rank") == h["rank"] and _result(r, "pay_grade") == h["pay_grade"]
        assert _result(r, "service_status") == h["status"]
        assert _result(r, "service_branch") == t["service_branch"]
        assert _result(r, "transcript_copy") == ("official" if t["official"] else "unofficial")
        assert _result(r, "time_in_service") == h["time_in_service"]
        assert _result(r, "recipient_institution") == (t["recipient_institution"] or {}).get("name")
        assert r.source.plugin == "military_jst" and r.source.document_sha256 == doc.sha256
        assert r.source.locator.startswith("page ") and ", line " in r.source.locator

    courses = by_kind["military_course"]
    assert len(courses) == len(t["military_courses"])
    for exp, rec in zip(t["military_courses"], courses, strict=True):
        ace = rec.achievement.identifiers[0]
        assert (ace.scheme, ace.value, ace.version) == ("ace", exp["ace_id"], exp["version"])
        assert rec.achievement.identifiers[1].value == exp["military_course_number"]
        assert rec.achievement.title == exp["title"]
        assert _result(rec, "start_date") == exp["start_date"] and _result(rec, "end_date") == exp["end_date"]
        assert _rec_credit(rec) == _credit(exp["credit_recommendations"])
        assert all(c.unit == "semester_hours" for c in rec.achievement.credit)
        assert _result(rec, "total_semester_hours") == str(exp["total_semester_hours"])
        assert _result(rec, "review_dates") == " ".join(f"({x})" for x in exp["review_dates"])
        assert _result(rec, "no_credit") == exp["no_credit_text"]
        assert rec.warnings == []

    occs = by_kind["military_occupation"]
    assert len(occs) == len(t["military_experience"])
    for exp, rec in zip(t["military_experience"], occs, strict=True):
        ids = [(i.value, i.version) for i in rec.achievement.identifiers if i.scheme == "ace"]
        assert ids == ([(exp["ace_id"], exp["version"])] if exp["ace_id"] else [])
        assert rec.achievement.title == exp["title"]
        assert rec.achievement.description == exp["description"]
        assert _rec_credit(rec) == _credit(exp["credit_recommendations_deduplicated"])
        assert {o.code for o in rec.achievement.occupations} == {exp["code"]}
        got_levels = [(o.skill_level, o.pay_grade) for o in rec.achievement.occupations]
        want_levels = [(lv["skill_level"], lv["pay_grade"]) for lv in exp["levels"]] or [(None, None)]
        assert got_levels == want_levels
        assert (_result(rec, "no_credit") is not None) == exp["no_credit"]

    tests = by_kind["test_score"]
    assert [(r.achievement.title, r.issued_on.isoformat(), _result(r, "score")) for r in tests] == [
        (f"{x['test_type']} {x['title']}", x["date"], x["score"]) for x in t["college_level_test_scores"]]
    assert all(r.achievement.credit == [] for r in tests)

    others = by_kind["other"]
    assert [(r.achievement.title, r.achievement.identifiers[0].value, _result(r, "start_date"),
             _result(r, "end_date")) for r in others] == [
        (x["title"], x["military_course_number"], x["start_date"], x["end_date"])
        for x in t["other_learning_experiences"]]
    assert all(r.achievement.credit == [] for r in others)

    # every no-credit item is a record without credit and with the reason
    for item in t["no_credit_items"]:
        rec = next(r for r in records if r.achievement.title == item["title"])
        assert rec.achievement.credit == []
        assert _result(rec, "no_credit") == item["reason"] or (
            item["section"] == "Other Learning Experiences" and "not evaluated by ACE" in _result(rec, "no_credit"))

    # the SUMMARY reconciles without adding credit: course credit totals are the expected ones
    totals = {"L": 0.0, "U": 0.0, "V": 0.0, "G": 0.0}
    inverse = {v: k for k, v in LEVEL.items()}
    for r in courses:
        for c in r.achievement.credit:
            totals[inverse[c.level]] += c.amount
    assert totals == {k: float(v) for k, v in t["course_credit_totals_by_level"].items()}
    assert totals == {k: float(v) for k, v in t["summary"]["totals_by_level"].items()}

    assert [(r.achievement.title, _result(r, "grade")) for r in by_kind.get("course", [])] == [
        (x["title"], x["grade"]) for x in academic]


def test_name_split_without_positions_uses_summary_header():
    """Text-only pages (no word positions): the SUMMARY header still separates name and college."""
    doc, expected = _load("jst_army_official")
    plain = [str(p) for p in doc.pdf_pages()]
    t = parse_pages(plain)[0]
    assert t["holder"]["name"] == "SAMPLE, ALEX J"
    assert t["recipient_institution"]["name"] == "FICTIONAL VALLEY COMMUNITY COLLEGE"
    assert _strip(t["military_courses"]) == expected["transcripts"][0]["military_courses"]


def test_locators_point_at_the_lines():
    doc, _ = _load("jst_army_official")
    records = list(JointServicesTranscript().parse(doc))
    pages = doc.pdf_pages()
    for r in records:
        page, line = (int(x.split()[-1]) for x in r.source.locator.split(", "))
        text = pages[page - 1].split("\n")[line - 1]
        ids = [i.value for i in r.achievement.identifiers]
        assert any(i in text for i in ids) or r.achievement.title.split()[0] in text
    mos = next(r for r in records if r.achievement.kind == "military_occupation")
    assert mos.source.locator == "page 1, line 42"
