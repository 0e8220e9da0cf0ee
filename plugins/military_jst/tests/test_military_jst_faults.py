"""Fault kinds from real JST consumers, on PDFs built with reportlab in the researched layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from military_jst_faults import MARINE_LEVELS, two_transcripts_pdf
from military_jst_pdfs import plain_pdf
from passport_hub_military_jst.parser import parse_pages
from passport_hub_military_jst.source import JointServicesTranscript

from passport_hub import Document
from passport_hub.errors import ErrorKind, MalformedError, PassportHubError, UnrecognizedError, UnsafeError

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "passport_hub_military_jst" / "samples"
SOURCE = JointServicesTranscript()


def _result(record, name):
    return next((r.value for r in record.results if r.name == name), None)


@pytest.fixture(scope="module")
def two():
    doc = Document(two_transcripts_pdf(), name="two.pdf")
    return doc, list(SOURCE.parse(doc))


def _course(records, ace, version="any"):
    found = [r for r in records if r.achievement.kind == "military_course"
             and r.achievement.identifiers[0].value == ace
             and (version == "any" or r.achievement.identifiers[0].version == version)]
    assert len(found) == 1, (ace, version, len(found))
    return found[0]


def test_two_transcripts_each_with_own_holder_and_pages(two):
    doc, records = two
    assert SOURCE.sniff(doc)
    transcripts = parse_pages(doc.pdf_pages())
    assert [t["page_range"] for t in transcripts] == [[1, 3], [4, 5]]
    assert [t["holder"]["name"] for t in transcripts] == ["DOE, CASEY M", "ROE, RILEY ANN"]
    assert [t["service_branch"] for t in transcripts] == ["Army", "Marine Corps"]
    assert [t["official"] for t in transcripts] == [True, False]
    holders = {(r.holder.family_name, r.holder.given_name, r.holder.birth_date.isoformat()) for r in records}
    assert holders == {("DOE", "CASEY", "1990-02-01"), ("ROE", "RILEY", "1993-09-09")}
    doe = [r for r in records if r.holder.family_name == "DOE"]
    roe = [r for r in records if r.holder.family_name == "ROE"]
    assert len(doe) == 3 + 1 + 1 + 1 and len(roe) == 2 + 1 + 1
    assert {_result(r, "transcript_pages") for r in doe} == {"1-3"}
    assert {_result(r, "transcript_pages") for r in roe} == {"4-5"}
    assert {_result(r, "rank") for r in roe} == {"Staff Sergeant E-6"}
    assert {_result(r, "transcript_copy") for r in roe} == {"unofficial"}
    assert _result(doe[0], "recipient_institution") == "FICTIONAL RIVER COLLEGE"
    assert all(r.source.locator.startswith("page 4") or r.source.locator.startswith("page 5") for r in roe)


def test_title_split_across_runs_and_nbsp(two):
    _, records = two
    bct = _course(records, "AR-2201-0399", "V01")
    assert bct.achievement.title == "BASIC COMBAT TRAINING"
    assert [(c.subject, c.amount, c.level) for c in bct.achievement.credit] == [
        ("Physical Fitness", 2.0, "lower_division"),  # subject drawn as two touching text objects
        ("Military Science", 1.0, "lower_division"),  # NBSP between the words and before SH
    ]
    assert bct.holder.name == "DOE, CASEY M"  # NBSP inside the Name: line
    assert _result(bct, "rank") == "Sergeant E-5" and _result(bct, "pay_grade") == "E-5"
    assert "\u00a0" not in bct.model_dump_json()


def test_wrapped_title(two):
    _, records = two
    bncoc = _course(records, "AR-1406-0090")
    assert bncoc.achievement.title == "BASIC NONCOMMISSIONED OFFICER COURSE (BNCOC) COMMON CORE PHASE 1"
    assert [c.subject for c in bncoc.achievement.credit] == ["Principles of Supervision", "Human Resource Management"]
    assert [c.level for c in bncoc.achievement.credit] == ["lower_division", "upper_division"]


def test_ace_id_without_version_and_two_digit_year(two):
    _, records = two
    airborne = _course(records, "AR-2201-0455")
    ace = airborne.achievement.identifiers[0]
    assert (ace.value, ace.version) == ("AR-2201-0455", None)
    assert airborne.achievement.identifiers[1].value == "2E-F101"
    assert airborne.achievement.title == "BASIC AIRBORNE"
    assert (_result(airborne, "start_date"), _result(airborne, "end_date")) == ("2003-10-06", "2003-10-24")
    assert airborne.issued_on.isoformat() == "2003-10-24"
    assert [(c.subject, c.amount) for c in airborne.achievement.credit] == [("Physical Fitness", 1.0)]
    text = " | ".join(airborne.warnings)
    assert "AR-2201-0455 printed without a version" in text
    assert "two-digit year in '06-OCT-03' read as 2003-10-06" in text
    assert "two-digit year in '24-OCT-03' read as 2003-10-24" in text
    # the summary (ID without version, 4-digit date) reconciles with it: no extra credit, no mismatch
    assert "SUMMARY" not in text


def test_summary_reconciles_without_adding_credit(two):
    _, records = two
    doe_courses = [r for r in records if r.holder.family_name == "DOE" and r.achievement.kind == "military_course"]
    total = sum(c.amount for r in doe_courses for c in r.achievement.credit)
    assert total == 2 + 1 + 1 + 3 + 2  # the summary repeats 9 SH; none is added
    assert len(doe_courses) == 3


def test_marine_corps_repeated_skill_level_recommendations(two):
    _, records = two
    occ = next(r for r in records if r.achievement.kind == "military_occupation" and r.holder.family_name == "ROE")
    assert occ.achievement.identifiers[0].value == "MCE-0311-002"
    assert occ.issuer.name == "U.S. Marine Corps"
    assert [(o.framework, o.code, o.pay_grade) for o in occ.achievement.occupations] == [
        ("usmc_mos", "0311", "E-4"), ("usmc_mos", "0311", "E-5"), ("usmc_mos", "0311", "E-6")]
    # deduplicated per subject and level, keeping the highest hours
    assert [(c.subject, c.amount, c.level) for c in occ.achievement.credit] == [
        ("Leadership", 2.0, "lower_division"),
        ("Physical Fitness", 1.0, "lower_division"),
        ("Supervision", 2.0, "lower_division"),
        ("Personnel Management", 3.0, "upper_division"),
    ]
    assert sum(len(credits) for _, credits in MARINE_LEVELS) == 9  # printed lines
    assert _result(occ, "credit_at Sergeant (E-5)") == "Leadership 1 SH L; Physical Fitness 1 SH L; Supervision 2 SH L"


def test_credit_is_not_recommended_is_no_credit(two):
    _, records = two
    fmst = _course(records, "NV-0702-0013", "V03")
    assert fmst.achievement.credit == []
    assert _result(fmst, "no_credit") == "Credit Is Not Recommended"
    assert fmst.issuer.name == "U.S. Navy"  # a Navy school on a Marine Corps transcript


def test_glued_dates_are_split():
    pages = ["TRANSCRIPT\nName: ROE, RILEY\nMilitary Courses\n"
             "MC-1405-0056 V02 M03ABC1 SMALL UNIT LEADERS COURSE 02-MAR-201527-MAR-2015\n"
             "Leadership 2 SH L\nEND OF TRANSCRIPT"]
    c = parse_pages(pages)[0]["military_courses"][0]
    assert (c["title"], c["start_date"], c["end_date"]) == ("SMALL UNIT LEADERS COURSE", "2015-03-02", "2015-03-27")


def test_bad_level_and_missing_level_are_flagged_not_mapped():
    pages = ["TRANSCRIPT\nName: ROE, RILEY\nMilitary Courses\n"
             "MC-1405-0056 V02 M03ABC1 SMALL UNIT LEADERS COURSE 02-MAR-2015 27-MAR-2015\n"
             "Leadership 2 SH Q\nSupervision 1 SH\nEND OF TRANSCRIPT"]
    t = parse_pages(pages)[0]
    assert [(c["subject"], c["level"]) for c in t["military_courses"][0]["credit_recommendations"]] == [
        ("Leadership", None), ("Supervision", None)]
    assert any("'Q' is not one of L/U/V/G" in w for w in t["warnings"])
    assert any("without a level" in w for w in t["warnings"])


def test_truncated_pdf_is_malformed():
    data = (SAMPLES / "jst_army_official.pdf").read_bytes()
    for cut in (len(data) // 2, len(data) - 200):
        doc = Document(data[:cut], name="cut.pdf")
        with pytest.raises(MalformedError) as err:
            list(SOURCE.parse(doc))
        assert err.value.kind == ErrorKind.MALFORMED
        assert "cut.pdf" in str(err.value)


def test_corrupt_pdf_is_malformed():
    doc = Document(b"%PDF-1.4\n" + b"\x00garbage" * 200, name="corrupt.pdf")
    assert not SOURCE.sniff(doc)
    with pytest.raises(MalformedError, match="corrupt.pdf"):
        list(SOURCE.parse(doc))


def test_pdf_missing_its_last_pages_is_malformed():
    """A readable PDF whose transcript stops before END OF TRANSCRIPT (pages lost)."""
    from military_jst_faults import army_transcript
    from military_jst_pdfs import build

    t = army_transcript()
    cut = next(i for i, item in enumerate(t["body"]) if item[0] == "pagebreak")
    t["body"] = t["body"][:cut]
    t["summary"] = None
    doc = Document(build([t]), name="short.pdf")
    assert SOURCE.sniff(doc)
    with pytest.raises(MalformedError, match="no END OF TRANSCRIPT"):
        list(SOURCE.parse(doc))


def test_non_jst_pdf_mentioning_an_ace_id_is_unrecognized():
    doc = Document(plain_pdf([
        "Fictional Valley Community College - Veterans Resource Center",
        "Articulation memo: Transcript evaluation for military credit",
        "ACE course AR-2201-0399 V02 (Basic Combat Training) articulates to KIN 1, 1 unit.",
        "Military Courses reviewed by the faculty team on 12/1/2016.",
        "Name: Registrar's Office",
    ]), name="memo.pdf")
    assert doc.try_pdf_text()  # readable text ...
    assert not SOURCE.sniff(doc)  # ... but not a JST
    with pytest.raises(UnrecognizedError, match="not a Joint Services Transcript"):
        list(SOURCE.parse(doc))


@pytest.mark.parametrize("lines", [
    ["American Red Cross", "Certificate of Completion", "JANE Q PUBLIC",
     "has successfully completed requirements for", "Adult First Aid/CPR/AED", "Date Completed: 01/15/2024",
     "Valid For: 2 Years", "Certificate ID: ABC123XYZ", "Scan code or visit redcross.org/confirm"],
    ["U.S. Department of Labor", "Office of Apprenticeship", "Certificate of Completion of Apprenticeship",
     "This is to certify that JOHN Q PUBLIC", "has completed an apprenticeship for the occupation of",
     "ELECTRICIAN (O*NET 47-2111.00)", "Registration Number: 2020-XX-12345", "Program Sponsor: FICTIONAL JATC"],
])
def test_sniff_does_not_claim_certificates(lines):
    assert not SOURCE.sniff(Document(plain_pdf(lines), name="cert.pdf"))


def test_not_a_pdf():
    doc = Document(b'{"hello": "world"}', name="x.json")
    assert not SOURCE.sniff(doc)
    with pytest.raises(UnrecognizedError, match="not a PDF"):
        list(SOURCE.parse(doc))


def test_encrypted_pdf_gives_a_clear_message():
    from military_jst_faults import army_transcript
    from military_jst_pdfs import build

    doc = Document(build([army_transcript()], encrypt="secret"), name="locked.pdf")
    assert not SOURCE.sniff(doc)
    with pytest.raises(UnsafeError, match="encrypted .password-protected.; download or export an unprotected"):
        list(SOURCE.parse(doc))


def test_image_only_pdf_gives_a_clear_message():
    doc = Document(plain_pdf([], image_only=True), name="scan.pdf")
    assert not SOURCE.sniff(doc)
    with pytest.raises(UnrecognizedError, match="no text layer"):
        list(SOURCE.parse(doc))


def test_errors_are_hub_errors_never_bare():
    for data in (b"%PDF-1.7\n%%EOF", b"%PDF-", (SAMPLES / "jst_navy_unofficial.pdf").read_bytes()[:3000]):
        with pytest.raises(PassportHubError):
            list(SOURCE.parse(Document(data, name="bad.pdf")))
