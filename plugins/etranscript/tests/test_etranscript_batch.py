"""Batch envelopes and namespace variants."""

from __future__ import annotations

from etranscript_helpers import load, results
from passport_hub_etranscript.source import EtranscriptSource

from passport_hub.contract import Document


def _inner(name: str) -> str:
    text = load(name).data.decode("utf-16")
    return text.partition("?>")[2] if text.lstrip().startswith("<?xml") else text.lstrip("\ufeff")


def test_batch_envelope_yields_every_transcript():
    inner_a = _inner("pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
    inner_b = load("canpesc-ontario-college_ColTrn-v1.3.0_ns0.xml").data.decode("utf-8")
    # the same prefix rebound to another version on the inner transcripts
    batch = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<ARB:AcademicRecordBatch xmlns:ARB="urn:org:pesc:message:AcademicRecordBatch:v2.0.0">'
             + inner_a + inner_b + "</ARB:AcademicRecordBatch>")
    document = Document(batch.encode("utf-8"), name="batch.xml")
    source = EtranscriptSource()
    assert source.sniff(document)
    records = list(source.parse(document))
    assert len(records) == 25 + 61
    assert {r.holder.name for r in records} == {"Test Record Test Speede IV", "Test Learner"}
    assert records[0].source.locator.startswith("AcademicRecordBatch/CollegeTranscript[1]/")
    assert records[-1].source.locator.startswith("AcademicRecordBatch/CollegeTranscript[2]/")
    assert records[0].source.format == "PESC CollegeTranscript v1.4.0 XML"
    assert records[-1].source.format == "PESC CollegeTranscript v1.3.0 XML"


def test_default_namespace_qualifying_every_child_reads_the_same():
    plain = load("canpesc-novascotia-msvu_no-namespace_bom.xml").data
    qualified = plain.replace(b"<CollegeTranscript>",
                              b'<CollegeTranscript xmlns="urn:org:pesc:message:CollegeTranscript:v1.6.0">', 1)
    assert qualified != plain
    a = list(EtranscriptSource().parse(Document(plain, name="a.xml")))
    b = list(EtranscriptSource().parse(Document(qualified, name="b.xml")))
    assert [r.id for r in a] == [r.id for r in b]
    assert [results(r) for r in a] == [results(r) for r in b]


def test_trailing_space_units_are_stripped():
    xml = ('<CollegeTranscript><Student><Person><Name><FirstName>A</FirstName><LastName>B</LastName></Name>'
           "</Person><AcademicRecord><School><OrganizationName>X College</OrganizationName><FICE>001334</FICE>"
           "</School><Course><CourseCreditBasis>Regular</CourseCreditBasis>"
           "<CourseCreditUnits>Semester  </CourseCreditUnits><CourseCreditEarned>3.0</CourseCreditEarned>"
           "<CourseCreditLevel>UpperDivision</CourseCreditLevel><CourseSubjectAbbreviation>HIS</CourseSubjectAbbreviation>"
           "<CourseNumber>1</CourseNumber></Course><Course><CourseCreditBasis>Regular</CourseCreditBasis>"
           "<CourseCreditUnits>Quarter </CourseCreditUnits><CourseCreditEarned>4</CourseCreditEarned>"
           "<CourseTitle>Q</CourseTitle></Course><AcademicAward><AcademicHonors><HonorsTitle>Cum Laude"
           "</HonorsTitle></AcademicHonors></AcademicAward></AcademicRecord></Student></CollegeTranscript>")
    records = list(EtranscriptSource().parse(Document(xml.encode(), name="units.xml")))
    award, semester, quarter = records
    assert [(c.amount, c.unit, c.level) for c in semester.achievement.credit] == [(3.0, "semester_hours",
                                                                                   "upper_division")]
    assert [(c.amount, c.unit) for c in quarter.achievement.credit] == [(4.0, "quarter_units")]
    # an award with no level, title or date still yields a record that says so
    assert award.achievement.kind == "other"
    assert any("no level, no title, no date" in w for w in award.warnings)
    assert results(award)["honors"] == ["Cum Laude"]
    assert any("no TransmissionData" in w for w in award.warnings)
