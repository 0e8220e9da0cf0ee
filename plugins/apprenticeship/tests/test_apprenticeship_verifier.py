"""The apprenticeship verifier: honest consistency checks, issuer confirmation never claimed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from apprenticeship_testdata import CERT_PDF, ROSTER_CSV, csv_bytes, csv_text_rows, doc, write_rows
from passport_hub_apprenticeship.source import ApprenticeshipSource
from passport_hub_apprenticeship.verifier import ApprenticeshipVerifier

from passport_hub.contract import Document, VerifyContext


def verify(record) -> dict[str, tuple[str, str]]:
    context = VerifyContext(http=None, catalog=None, now=datetime(2026, 1, 15, tzinfo=UTC))
    checks = asyncio.run(ApprenticeshipVerifier().verify(record, context))
    return {c.name: (c.status, c.detail) for c in checks}


def roster_records(data: bytes | None = None):
    document = doc(ROSTER_CSV) if data is None else Document(data=data, name="edited.csv")
    return {r.holder.name: r for r in ApprenticeshipSource().parse(document)}


# (occupation_code, agency_type_consistent, hours_consistent_with_type) per accepted roster row
EXPECTED_STATUSES = {
    "Alex Sample": ("passed", "passed", "passed"),  # 47-2111.00 is in the shipped list
    "Jordan Example": ("not_checked", "passed", "passed"),  # 47-2181.00 well formed, not in the partial list
    "Casey Placeholder": ("not_checked", "passed", "passed"),
    "Riley Testcase": ("passed", "passed", "passed"),
    "Taylor Fictional": ("not_checked", "passed", "passed"),  # 99-9999: no O*NET code at all
    "Morgan Demo": ("passed", "passed", "passed"),  # CA is listed with both OA and SAA
    "Drew Specimen": ("passed", "passed", "passed"),  # competency-based: no term hours needed
    "Jamie Mockup": ("passed", "passed", "passed"),  # hybrid range 4500-5000, 4750 OJL hours
}


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUSES))
def test_roster_records(name):
    checks = verify(roster_records()[name])
    assert list(checks) == ["issuer_confirms", "occupation_code", "agency_type_consistent",
                            "hours_consistent_with_type"]
    assert checks["issuer_confirms"][0] == "not_checked"
    assert "no public registry of apprenticeship completions" in checks["issuer_confirms"][1]
    statuses = (checks["occupation_code"][0], checks["agency_type_consistent"][0],
                checks["hours_consistent_with_type"][0])
    assert statuses == EXPECTED_STATUSES[name]


def test_details_name_the_facts():
    records = roster_records()
    assert verify(records["Drew Specimen"])["occupation_code"][1] == (
        "13-2011.00 (Accountants & Auditors) is a valid O*NET-SOC code in the shipped reference list")
    assert "99-9999" in verify(records["Taylor Fictional"])["occupation_code"][1]
    assert "not in the shipped reference list" in verify(records["Jordan Example"])["occupation_code"][1]
    assert verify(records["Jamie Mockup"])["hours_consistent_with_type"][1] == (
        "4750 on-the-job hours completed against a Hybrid term of 4500 hours")
    assert verify(records["Alex Sample"])["agency_type_consistent"][1] == (
        "Texas is listed with registration agency type OA; the record says OA")


def edited(row: int, **changes: str) -> bytes:
    rows = csv_text_rows(csv_bytes())
    columns = rows[0]
    for column, value in changes.items():
        rows[row][columns.index(column)] = value
    return write_rows(rows)


def test_agency_type_inconsistent_with_state_fails():
    record = roster_records(edited(1, registration_agency="State Apprenticeship Agency"))["Alex Sample"]
    status, detail = verify(record)["agency_type_consistent"]
    assert status == "failed"
    assert detail == "Texas is listed with registration agency type OA, but the record says SAA"


def test_ojl_hours_below_the_term_fail():
    record = roster_records(edited(1, ojl_hours="6500"))["Alex Sample"]
    assert verify(record)["hours_consistent_with_type"] == (
        "failed", "6500 on-the-job hours completed, below the Time-Based program's 8000-hour term")


def test_time_based_term_below_2000_hours_fails():
    record = roster_records(edited(1, term_hours="1500", ojl_hours="1500"))["Alex Sample"]
    status, detail = verify(record)["hours_consistent_with_type"]
    assert status == "failed" and "2000-hour minimum" in detail


def test_time_based_without_hours_is_not_checked():
    record = roster_records(edited(1, term_hours=""))["Alex Sample"]
    assert verify(record)["hours_consistent_with_type"][0] == "not_checked"


def test_code_outside_the_soc_major_groups_fails():
    record = roster_records(edited(1, onet_soc_code="12-3456.00"))["Alex Sample"]
    assert verify(record)["occupation_code"][0] == "failed"


def test_certificate_record():
    [record] = ApprenticeshipSource().parse(doc(CERT_PDF))
    checks = verify(record)
    assert checks["occupation_code"][0] == "not_checked"
    assert checks["agency_type_consistent"][0] == "passed"
    assert checks["hours_consistent_with_type"] == ("not_checked", "apprenticeship type not stated")


def test_supports_and_issuer_key():
    verifier = ApprenticeshipVerifier()
    record = roster_records()["Morgan Demo"]
    assert verifier.supports(record)
    assert verifier.issuer_key(record) == "apprenticeship:CA"
    other = record.model_copy(update={"source": record.source.model_copy(update={"plugin": "red_cross"})})
    assert not verifier.supports(other)


def test_no_career_url_for_all_other_codes():
    record = roster_records(edited(1, onet_soc_code="11-9199.00"))["Alex Sample"]
    results = {r.name for r in record.results}
    assert "onet_career_url" not in results
    assert record.warnings == ["onet_all_other_code"]
    assert [o.code for o in record.achievement.occupations if o.framework == "onet_soc"] == ["11-9199.00"]
