"""The DAS "Certificate of Completion of Apprenticeship" PDF, read by its labels."""

from __future__ import annotations

import io
from datetime import date

import pytest
from apprenticeship_testdata import CERT_PDF, ROSTER_CSV, ROSTER_JSON, doc, load_expected
from passport_hub_apprenticeship.certificate import read_certificate
from passport_hub_apprenticeship.source import ApprenticeshipSource

from passport_hub.contract import Document
from passport_hub.errors import MalformedError

EXPECTED = load_expected("das_certificate_of_completion_morgan_demo.expected.json")["expected"]


def parse(document):
    return list(ApprenticeshipSource().parse(document))


def make_pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter)
    y = 720
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 22
    pdf.save()
    return buffer.getvalue()


CERT_LINES = [
    "STATE OF CALIFORNIA", "DEPARTMENT OF INDUSTRIAL RELATIONS", "DIVISION OF APPRENTICESHIP STANDARDS",
    "Certificate of Completion of Apprenticeship", "This is to certify that", "Pat Example",
    "has completed an apprenticeship in the occupation of", "Plumber",
    "as attested by the apprenticeship program sponsor", "Example Plumbing JATC",
    "Program No. SYN-CA-2019-0100", "Date of Completion: March 3, 2024",
]


def test_sniff_reads_the_certificate_title():
    source = ApprenticeshipSource()
    assert source.sniff(doc(CERT_PDF))
    assert not source.sniff(Document(data=make_pdf(["Certificate of Completion", "CPR/AED"]), name="cpr.pdf"))


def test_certificate_gives_the_expected_facts():
    outcome, warnings = read_certificate(doc(CERT_PDF))
    facts = EXPECTED["record"]
    assert {k: outcome.record[k] for k in facts} == facts
    assert outcome.flags == []
    assert warnings == ["document_marked_not_a_real_certificate"]  # the fixture says so on its face


def test_certificate_record():
    document = doc(CERT_PDF)
    [record] = parse(document)
    facts = EXPECTED["record"]
    assert record.holder.name == facts["apprentice_name"] == "Morgan Demo"
    assert record.achievement.kind == "apprenticeship"
    assert record.achievement.title == "Electrician"
    assert record.achievement.description == EXPECTED["document_title"]
    assert record.issuer.name == "California Division of Apprenticeship Standards"
    assert {(i.scheme, i.value) for i in record.issuer.identifiers} == {
        ("registration_agency_type", "SAA"), ("registration_state", "CA")}
    assert [(i.scheme, i.value) for i in record.achievement.identifiers] == [
        ("program_registration", "SYN-CA-2020-0006")]
    assert record.achievement.occupations == []  # no codes printed on the certificate
    assert record.issued_on == date(2025, 9, 19)
    assert record.expires_on is None
    results = {r.name: r.value for r in record.results}
    assert results["sponsor_name"] == "Example Valley Electrical JATC"
    assert record.source.format == "California DAS Certificate of Completion of Apprenticeship (PDF)"
    assert record.source.document_sha256 == document.sha256
    assert document.rejected == []


@pytest.mark.parametrize("roster", [ROSTER_CSV, ROSTER_JSON], ids=["csv", "json"])
def test_certificate_matches_its_roster_row(roster):
    assert EXPECTED["matches_roster_record"] == "completion_roster.csv row 6"
    [certificate] = parse(doc(CERT_PDF))
    roster_records = parse(doc(roster))
    matching = [r for r in roster_records if r.id == certificate.id]
    assert [r.holder.name for r in matching] == ["Morgan Demo"]
    assert roster_records.index(matching[0]) == 5  # row 6 (no rejected row before it)
    assert matching[0].issued_on == certificate.issued_on


def test_another_certificate_layout_reads_by_label():
    [record] = parse(Document(data=make_pdf(CERT_LINES), name="pat.pdf"))
    assert (record.holder.name, record.achievement.title, record.issued_on) == (
        "Pat Example", "Plumber", date(2024, 3, 3))
    assert record.issuer.name == "California Division of Apprenticeship Standards"
    assert record.warnings == []


def test_certificate_without_a_completion_date_is_malformed():
    lines = [line for line in CERT_LINES if not line.startswith("Date of Completion")]
    with pytest.raises(MalformedError, match="does not show: completion_date"):
        parse(Document(data=make_pdf(lines), name="nodate.pdf"))


def test_truncated_pdf_is_malformed():
    data = CERT_PDF.read_bytes()[:600]
    document = Document(data=data, name="truncated.pdf")
    assert not ApprenticeshipSource().sniff(document)
    with pytest.raises(MalformedError):
        parse(document)
