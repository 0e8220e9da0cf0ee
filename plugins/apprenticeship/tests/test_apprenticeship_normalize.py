"""The normalization contract, field by field (values from the roster's dirty rows and the research)."""

from __future__ import annotations

import pytest
from apprenticeship_testdata import csv_bytes, csv_text_rows
from passport_hub_apprenticeship.normalize import (
    COLUMNS,
    header_key,
    normalize_onet,
    normalize_row,
    normalize_type,
    parse_completion_date,
    parse_hours,
)
from passport_hub_apprenticeship.reference import agency_types, state_code


def row_1(**overrides) -> dict[str, str]:
    """Roster row 1 (Alex Sample, Electrician, TX) with some values replaced."""
    values = dict(zip(COLUMNS, csv_text_rows(csv_bytes())[1], strict=True))
    values.update(overrides)
    return values


@pytest.mark.parametrize(("raw", "code", "flags"), [
    ("47-2111.00", "47-2111.00", []),
    ("     47-2181.00   ", "47-2181.00", ["whitespace_trimmed"]),  # real scraped value
    ("47 - 2181.00", "47-2181.00", ["whitespace_trimmed"]),
    ("17.2011.00", "17-2011.00", ["onet_dot_form_repaired"]),  # real scraped value
    ("51-4121", "51-4121.00", ["onet_suffix_added"]),
    (" 51-4121 ", "51-4121.00", ["whitespace_trimmed", "onet_suffix_added"]),
    ("99-9999", None, ["onet_no_match_sentinel"]),
    ("99-9999.00", None, ["onet_no_match_sentinel"]),
    ("11-9199.00", "11-9199.00", ["onet_all_other_code"]),  # "All Other": no My Next Move page
    ("17.2011", None, ["onet_invalid"]),  # a decimal number: not certain
    ("4721.11", None, ["onet_invalid"]),
    ("47-21110.00", None, ["onet_invalid"]),
    ("", None, []),
    (None, None, []),
])
def test_onet_repairs_only_what_is_certain(raw, code, flags):
    assert normalize_onet(raw) == (code, flags)


@pytest.mark.parametrize(("raw", "expected"), [
    ("TX", "TX"), ("tx", "TX"), ("Texas", "TX"), (" california ", "CA"), ("District of Columbia", "DC"),
    ("Guam", "GU"), ("U.S. Virgin Islands", "VI"), ("Northern Mariana Islands", "MP"), ("Calif", None),
    ("XX", None),
])
def test_state_codes(raw, expected):
    assert state_code(raw) == expected


def test_agency_table_has_every_state_of_the_csv_and_california_twice():
    table = agency_types()
    assert len(table) == 56  # 57 rows, California listed twice
    assert table["CA"] == {"OA", "SAA"}
    assert table["TX"] == {"OA"} and table["ME"] == {"SAA"} and table["MP"] == {"OA"}


@pytest.mark.parametrize(("state", "agency", "expected_type", "flags"), [
    ("TX", "", "OA", []),  # blank: Texas has one type in the table
    ("ME", "", "SAA", []),
    ("CA", "", None, ["registration_agency_ambiguous"]),  # California is listed as both
    ("CA", "California Division of Apprenticeship Standards", "SAA", []),
    ("TX", "USDOL Office of Apprenticeship", "OA", []),
    ("OH", "State Apprenticeship Agency", "SAA", []),
    ("CA", "Some Board", None, ["registration_agency_ambiguous"]),
    ("TX", "OA", "OA", []),
])
def test_agency_type(state, agency, expected_type, flags):
    out = normalize_row(row_1(registration_state=state, registration_agency=agency), 1)
    assert out.record["registration_agency_type"] == expected_type
    assert out.record["registration_agency_name"] == (agency or None)
    assert out.flags == flags


@pytest.mark.parametrize(("raw", "expected"), [
    ("Time-Based", ("Time-Based", [])), ("time based", ("Time-Based", [])), ("TIMEBASED", ("Time-Based", [])),
    ("competency_based", ("Competency-Based", [])), (" Hybrid ", ("Hybrid", [])), ("", (None, [])),
    ("Apprentice", (None, ["apprenticeship_type_unrecognized"])),
])
def test_apprenticeship_type(raw, expected):
    assert normalize_type(raw) == expected


@pytest.mark.parametrize(("raw", "allow_range", "expected"), [
    ("8000", False, (8000, None, None)), ("8,000", False, (8000, None, None)), ("6000.0", False, (6000, None, None)),
    ("4500 - 5000", True, (None, 4500, 5000)), ("4000 - 6000", True, (None, 4000, 6000)),  # AGC Maine values
    ("", False, (None, None, None)),
])
def test_hours(raw, allow_range, expected):
    assert parse_hours(raw, allow_range=allow_range) == expected


def test_unreadable_hours_are_flagged_not_guessed():
    out = normalize_row(row_1(term_hours="5000 - 4500", rti_hours="about 500"), 1)
    assert out.record["term_hours"] is None and out.record["rti_hours"] is None
    assert out.flags == ["hours_invalid:term_hours", "hours_invalid:rti_hours", "time_based_missing_term_hours"]


def test_ranges_only_for_term_hours():
    out = normalize_row(row_1(ojl_hours="4000 - 4500"), 1)
    assert out.record["ojl_hours"] is None and out.flags == ["hours_invalid:ojl_hours"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("04/30/2025", ("2025-04-30", False)), ("2025-06-30", ("2025-06-30", False)),
    ("September 19, 2025", ("2025-09-19", False)), ("9/19/25", ("2025-09-19", True)),
    ("03/11/16", ("2016-03-11", True)), ("12/31/79", ("2079-12-31", True)),  # read as 20YY
    ("02/30/2025", (None, False)), ("31.07.2025", (None, False)), ("2025-06", (None, False)), ("", (None, False)),
])
def test_completion_dates(raw, expected):
    assert parse_completion_date(raw) == expected


def test_two_digit_year_is_flagged():
    out = normalize_row(row_1(completion_date="04/30/25"), 1)
    assert out.record["completion_date"] == "2025-04-30" and out.flags == ["two_digit_year"]


def test_time_based_without_term_hours_is_flagged():
    out = normalize_row(row_1(term_hours=""), 1)
    assert out.flags == ["time_based_missing_term_hours"]


def test_state_not_in_rapids_is_flagged():
    out = normalize_row(row_1(registration_state="Minnesota", registration_agency=""), 1)
    assert out.record["registration_state"] == "MN" and out.record["registration_agency_type"] == "SAA"
    assert out.flags == ["state_not_in_rapids"]


def test_missing_program_registration_number_is_flagged():
    out = normalize_row(row_1(program_registration_number=" "), 1)
    assert out.record["program_registration_number"] is None
    assert out.flags == ["missing_program_registration_number"]


def test_rapids_codes_are_opaque():
    for raw in ("  9002  ", "0595", "90380", "1039HY"):
        out = normalize_row(row_1(rapids_code=raw), 1)
        assert out.record["rapids_code"] == raw.strip()
    assert normalize_row(row_1(rapids_code="0595"), 1).flags == []


def test_names_are_trimmed_and_collapsed():
    out = normalize_row(row_1(apprentice_name="  Alex \t Sample ", sponsor_name=" Example  Trust "), 1)
    assert (out.record["apprentice_name"], out.record["sponsor_name"]) == ("Alex Sample", "Example Trust")


@pytest.mark.parametrize(("header", "column"), [
    ("apprentice_name", "apprentice_name"), ("\ufeffapprentice_name", "apprentice_name"),
    ("apprenticeName", "apprentice_name"), ("O*NET-SOC Code", "onet_soc_code"), ("onetSocCode", "onet_soc_code"),
    ("Program Registration Number", "program_registration_number"), ("RAPIDS Code", "rapids_code"),
    ("OJT Hours", "ojl_hours"),
])
def test_header_keys(header, column):
    assert header_key(header) == column
