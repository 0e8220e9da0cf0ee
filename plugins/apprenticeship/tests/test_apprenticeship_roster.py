"""Completion rosters (CSV and JSON export) against the samples' .expected.json, row by row."""

from __future__ import annotations

import csv
import json
from datetime import date
from importlib.metadata import version

import pytest
from apprenticeship_testdata import (
    ROSTER_CSV,
    ROSTER_JSON,
    csv_bytes,
    csv_text_rows,
    doc,
    load_expected,
    redelimit,
    with_bom,
    with_crlf,
    write_rows,
)
from passport_hub_apprenticeship.roster import read_csv, read_json
from passport_hub_apprenticeship.source import ApprenticeshipSource

from passport_hub.contract import Document
from passport_hub.errors import MalformedError

CSV_EXPECTED = load_expected("completion_roster.expected.json")
JSON_EXPECTED = load_expected("completion_roster_export.expected.json")


def parse(document: Document):
    return list(ApprenticeshipSource().parse(document))


# --- the .expected.json facts, row by row -------------------------------------------------


@pytest.mark.parametrize("expected", CSV_EXPECTED["records"], ids=lambda e: f"row{e['row']}")
def test_csv_row_matches_expected(expected):
    outcome = read_csv(doc(ROSTER_CSV))[expected["row"] - 1]
    assert outcome.row == expected["row"]
    assert outcome.line == expected["line"]
    assert outcome.outcome == expected["outcome"]
    assert outcome.flags == expected["flags"]
    assert outcome.reject_reasons == expected["reject_reasons"]
    assert outcome.record == expected["record"]


@pytest.mark.parametrize("expected", JSON_EXPECTED["records"], ids=lambda e: f"index{e['index']}")
def test_json_record_matches_expected(expected):
    outcome = read_json(doc(ROSTER_JSON))[expected["index"]]
    assert outcome.index == expected["index"]
    assert outcome.outcome == expected["outcome"]
    assert outcome.flags == expected["flags"]
    assert outcome.reject_reasons == expected["reject_reasons"]
    assert outcome.record == expected["record"]


@pytest.mark.parametrize(("reader", "path", "expected"), [
    (read_csv, ROSTER_CSV, CSV_EXPECTED), (read_json, ROSTER_JSON, JSON_EXPECTED)])
def test_summary_counts(reader, path, expected):
    outcomes = reader(doc(path))
    counts = {k: sum(o.outcome == k for o in outcomes) for k in ("accepted", "accepted_with_flags", "rejected")}
    assert {"data_rows": len(outcomes), **counts} == expected["summary"] == {
        "data_rows": 9, "accepted": 3, "accepted_with_flags": 5, "rejected": 1}


def test_expected_files_describe_the_same_rows():
    assert [r["record"] for r in CSV_EXPECTED["records"]] == [r["record"] for r in JSON_EXPECTED["records"]]


# --- records ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ROSTER_CSV, ROSTER_JSON], ids=["csv", "json"])
def test_records_carry_the_normalized_rows(path):
    document = doc(path)
    records = parse(document)
    accepted = [e for e in CSV_EXPECTED["records"] if e["record"] is not None]
    assert len(records) == len(accepted) == 8
    for record, expected in zip(records, accepted, strict=True):
        row = expected["record"]
        assert record.holder.name == row["apprentice_name"]
        assert record.achievement.kind == "apprenticeship"
        assert record.achievement.title == row["occupation_title"]
        assert record.issuer.name == row["registration_agency_name"]
        issuer_ids = {(i.scheme, i.value) for i in record.issuer.identifiers}
        assert issuer_ids == {("registration_agency_type", row["registration_agency_type"]),
                              ("registration_state", row["registration_state"])}
        assert record.issued_on == date.fromisoformat(row["completion_date"])
        assert record.expires_on is None
        assert record.status == "active"
        ids = {(i.scheme, i.value) for i in record.achievement.identifiers}
        assert ("program_registration", row["program_registration_number"]) in ids
        assert ("rapids", row["rapids_code"]) in ids
        occupations = {(o.framework, o.code) for o in record.achievement.occupations}
        assert ("rapids", row["rapids_code"]) in occupations
        onet = [o.code for o in record.achievement.occupations if o.framework == "onet_soc"]
        assert onet == ([row["onet_soc_code"]] if row["onet_soc_code"] else [])
        results = {r.name: r.value for r in record.results}
        assert results["sponsor_name"] == row["sponsor_name"]
        assert results.get("apprenticeship_type") == row["apprenticeship_type"]
        for hours in ("term_hours", "term_hours_min", "term_hours_max", "ojl_hours", "rti_hours"):
            assert results.get(hours) == (None if row[hours] is None else str(row[hours]))
        credit = {c.subject: (c.amount, c.unit) for c in record.achievement.credit}
        assert credit == {"on-the-job learning": (row["ojl_hours"], "clock_hours"),
                          "related technical instruction": (row["rti_hours"], "clock_hours")}
        assert record.warnings == expected["flags"]
        assert record.source.plugin == "apprenticeship"
        assert record.source.plugin_version == version("passport-hub-apprenticeship") == "0.1.0"
        assert record.source.document_sha256 == document.sha256
    assert document.rejected == [
        {"row": 9, "reason": "missing_required:completion_date",
         **({"line": 10} if path == ROSTER_CSV else {"index": 8})}]


def test_specific_values_from_the_roster():
    by_name = {r.holder.name: r for r in parse(doc(ROSTER_CSV))}
    assert "Quinn Placeholder" not in by_name  # row 9, rejected
    taylor = by_name["Taylor Fictional"]
    assert [o.framework for o in taylor.achievement.occupations] == ["rapids"]  # 99-9999 dropped
    assert taylor.warnings == ["onet_no_match_sentinel"]
    jamie = {r.name: r.value for r in by_name["Jamie Mockup"].results}
    assert (jamie["term_hours_min"], jamie["term_hours_max"], jamie["term_hours_text"]) == ("4500", "5000",
                                                                                            "4500 - 5000")
    assert "term_hours" not in jamie
    morgan = by_name["Morgan Demo"]
    assert morgan.issuer.name == "California Division of Apprenticeship Standards"
    assert morgan.source.locator == "row 6 (line 7)"
    alex = {r.name: r.value for r in by_name["Alex Sample"].results}
    assert alex["onet_career_url"] == "https://www.mynextmove.org/profile/summary/47-2111.00"
    assert alex["soc_code"] == "47-2111"


# --- ids: same completion, same id, whatever the document ---------------------------------------


def test_csv_and_json_give_the_same_record_ids():
    csv_records = parse(doc(ROSTER_CSV))
    json_records = parse(doc(ROSTER_JSON))
    assert [r.id for r in csv_records] == [r.id for r in json_records]
    assert len({r.id for r in csv_records}) == 8
    assert {r.source.document_sha256 for r in csv_records} != {r.source.document_sha256 for r in json_records}
    assert [r.source.format for r in (csv_records[0], json_records[0])] == [
        "Apprenticeship completion roster (CSV)", "Apprenticeship completion roster (JSON)"]


# --- CSV variants built from the real sample bytes ------------------------------------------


VARIANTS = {
    "bom": lambda b: with_bom(b),
    "crlf": lambda b: with_crlf(b),
    "semicolon": lambda b: redelimit(b, ";"),
    "semicolon_quote_all": lambda b: redelimit(b, ";", csv.QUOTE_ALL),
    "comma_quote_all": lambda b: redelimit(b, ",", csv.QUOTE_ALL),
    "bom_crlf_semicolon": lambda b: with_bom(with_crlf(redelimit(b, ";"))),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_csv_variant_reads_like_the_original(variant):
    data = VARIANTS[variant](csv_bytes())
    assert data != csv_bytes()
    document = Document(data=data, name=f"roster-{variant}.csv")
    assert ApprenticeshipSource().sniff(document)
    outcomes = read_csv(document)
    for outcome, expected in zip(outcomes, CSV_EXPECTED["records"], strict=True):
        assert (outcome.row, outcome.line, outcome.outcome) == (expected["row"], expected["line"], expected["outcome"])
        assert outcome.flags == expected["flags"]
        assert outcome.reject_reasons == expected["reject_reasons"]
        assert outcome.record == expected["record"]
    assert [r.id for r in parse(document)] == [r.id for r in parse(doc(ROSTER_CSV))]


def test_semicolon_variant_really_uses_semicolons():
    data = redelimit(csv_bytes(), ";")
    assert data.splitlines()[0].count(b";") == 12 and b"," not in data.splitlines()[0]


def test_header_variants_are_recognized():
    rows = csv_text_rows(csv_bytes())
    rows[0] = ["Apprentice Name", "Occupation", "RAPIDS Code", "O*NET-SOC Code", "Sponsor", "Program Number",
               "Registration Agency", "State", "apprenticeshipType", "Term Hours", "OJT Hours", "RTI Hours",
               "Date of Completion"]
    outcomes = read_csv(Document(data=write_rows(rows), name="variant-headers.csv"))
    assert [o.record for o in outcomes] == [e["record"] for e in CSV_EXPECTED["records"]]


def test_full_state_names_are_mapped():
    rows = csv_text_rows(csv_bytes())
    rows[1][7] = "Texas"
    rows[6][7] = " california "
    outcomes = read_csv(Document(data=write_rows(rows), name="states.csv"))
    assert outcomes[0].record["registration_state"] == "TX"
    assert outcomes[5].record["registration_state"] == "CA"
    assert outcomes[5].record == CSV_EXPECTED["records"][5]["record"]


# --- rejected rows, duplicates ----------------------------------------------------------------


def test_duplicate_row_with_same_date_is_rejected_and_conflicting_date_flagged():
    rows = csv_text_rows(csv_bytes())
    same = list(rows[1])
    same[0] = "  alex   SAMPLE "  # case / whitespace-insensitive
    conflicting = list(rows[2])
    conflicting[12] = "06/01/2025"
    rows += [same, conflicting]
    document = Document(data=write_rows(rows), name="dupes.csv")
    outcomes = read_csv(document)
    assert (outcomes[9].outcome, outcomes[9].reject_reasons, outcomes[9].line) == (
        "rejected", ["duplicate_of_row:1"], 11)
    assert outcomes[1].flags == ["whitespace_trimmed", "duplicate_conflicting_completion_date"]
    assert outcomes[10].flags == ["whitespace_trimmed", "duplicate_conflicting_completion_date"]
    assert outcomes[10].record["completion_date"] == "2025-06-01"

    records = parse(document)
    original = parse(doc(ROSTER_CSV))
    assert len(records) == 9
    jordans = [r for r in records if r.holder.name == "Jordan Example"]
    assert [r.issued_on.isoformat() for r in jordans] == ["2025-05-15", "2025-06-01"]
    assert jordans[0].id == original[1].id  # the first keeps the plain id
    assert jordans[1].id != jordans[0].id  # the conflicting row is stored as well
    assert document.rejected == [
        {"row": 9, "reason": "missing_required:completion_date", "line": 10},
        {"row": 10, "reason": "duplicate_of_row:1", "line": 11},
    ]


def test_row_with_wrong_field_count_is_rejected_others_import():
    data = csv_bytes().replace(b"Sample Fabrication Inc,", b"Sample Fabrication, Inc,")
    document = Document(data=data, name="fields.csv")
    records = parse(document)
    assert "Riley Testcase" not in [r.holder.name for r in records]
    assert len(records) == 7
    assert document.rejected[0] == {"row": 4, "reason": "malformed_row:field_count", "line": 5}


def test_every_missing_required_field_is_named():
    rows = csv_text_rows(csv_bytes())
    rows[1][0] = "   "
    rows[1][4] = ""
    rows[2][7] = "Atlantis"
    rows[3][12] = "31.07.2025"  # not a format the rosters use
    outcomes = read_csv(Document(data=write_rows(rows), name="missing.csv"))
    assert outcomes[0].reject_reasons == ["missing_required:apprentice_name", "missing_required:sponsor_name"]
    assert outcomes[1].reject_reasons == ["invalid_value:registration_state"]
    assert outcomes[2].reject_reasons == ["missing_required:completion_date"]
    assert [o.record for o in outcomes[:3]] == [None, None, None]


def test_blank_lines_are_not_data_rows():
    data = csv_bytes().replace(b"\nJordan", b"\n\n,,,,,,,,,,,,\nJordan")
    outcomes = read_csv(Document(data=data, name="blank.csv"))
    assert [o.row for o in outcomes] == list(range(1, 10))
    assert outcomes[1].line == 5 and outcomes[1].record["apprentice_name"] == "Jordan Example"


# --- document-level failures -------------------------------------------------------------------


def test_broken_quoting_mid_document_fails_the_whole_document():
    data = csv_bytes().replace(b"Sample Fabrication Inc", b'"Sample" Fabrication Inc')
    document = Document(data=data, name="broken.csv")
    with pytest.raises(MalformedError, match=r"broken\.csv: line 5: the roster is not valid CSV"):
        parse(document)
    assert document.rejected == []


def test_unterminated_quote_fails_the_whole_document():
    document = Document(data=csv_bytes() + b'Late Row,"Electrician,9010\n', name="eof.csv")
    with pytest.raises(MalformedError, match="not valid CSV"):
        parse(document)


def test_not_utf8_is_malformed():
    data = csv_bytes().replace(b"Alex Sample", "Álex Sample".encode("cp1252"))
    with pytest.raises(MalformedError, match="not UTF-8"):
        parse(Document(data=data, name="latin.csv"))


def test_header_without_a_required_column_is_malformed():
    rows = [r[:4] + r[5:] for r in csv_text_rows(csv_bytes())]  # drop sponsor_name
    with pytest.raises(MalformedError, match="lacks the required column.*sponsor_name"):
        parse(Document(data=write_rows(rows), name="nosponsor.csv"))


def test_json_record_count_mismatch_is_malformed():
    export = json.loads(ROSTER_JSON.read_text())
    export["records"].pop()
    with pytest.raises(MalformedError, match="recordCount says 9 but the export holds 8"):
        parse(Document(data=json.dumps(export).encode(), name="short.json"))


def test_json_entry_that_is_not_an_object_is_rejected():
    export = json.loads(ROSTER_JSON.read_text())
    export["records"][3] = "Riley Testcase"
    export["records"][4]["termHours"] = {"min": 1}
    document = Document(data=json.dumps(export).encode(), name="odd.json")
    records = parse(document)
    assert len(records) == 6
    assert document.rejected == [
        {"row": 4, "reason": "malformed_row:not_an_object", "index": 3},
        {"row": 5, "reason": "malformed_row:term_hours", "index": 4},
        {"row": 9, "reason": "missing_required:completion_date", "index": 8},
    ]


# --- sniff -----------------------------------------------------------------------------------------


def test_sniff():
    source = ApprenticeshipSource()
    assert source.sniff(doc(ROSTER_CSV))
    assert source.sniff(doc(ROSTER_JSON))
    assert not source.sniff(Document(data=b"state_name,type\nAlaska,OA\n", name="agencies.csv"))
    assert not source.sniff(Document(data=b'{"records": [{"title": "CPR"}]}', name="other.json"))
    assert not source.sniff(Document(data=b"\xff\xfe\x00garbage", name="x.bin"))
    assert not source.sniff(Document(data=b"%PDF-1.4 broken", name="broken.pdf"))
