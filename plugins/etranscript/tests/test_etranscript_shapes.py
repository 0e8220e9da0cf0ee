"""How the one mapper reads each rendering: XML elements and JSON objects give the same records,
repeated and odd-shaped elements are read as they always were, and sniff shares parse's XML parse."""

from __future__ import annotations

import json

import pytest
from etranscript_helpers import load, results
from passport_hub_etranscript import jsonld
from passport_hub_etranscript.source import EtranscriptSource

import passport_hub.xmlsafe
from passport_hub.contract import Document
from passport_hub.errors import MalformedError

NS = "urn:org:pesc:message:CollegeTranscript:v1.6.0"

# a course with a repeated title and notes, an extension between the notes, and a grade
# element that has a child (so it is no grade)
COURSE_XML = """<CourseCreditBasis>Regular</CourseCreditBasis>
<CourseTitle>First title</CourseTitle><CourseTitle>Second title</CourseTitle>
<NoteMessage>note one</NoteMessage>
<UserDefinedExtensions><CourseCCCExtensions><GradeBracket>GradeIsBracketed</GradeBracket>
</CourseCCCExtensions></UserDefinedExtensions>
<NoteMessage>note two</NoteMessage>
<CourseAcademicGrade>A<Odd/></CourseAcademicGrade>
<CourseSubjectAbbreviation>MATH</CourseSubjectAbbreviation><CourseNumber>1</CourseNumber>"""

XML_DOC = f"""<ColTrn:CollegeTranscript xmlns:ColTrn="{NS}">
<TransmissionData><DocumentID>D1</DocumentID><Source><Organization><FICE>001334</FICE>
<OrganizationName>Ventura College</OrganizationName></Organization></Source></TransmissionData>
<Student><Person><Name><FirstName>Ann</FirstName><LastName>Lee</LastName></Name></Person>
<AcademicRecord><AcademicSession><AcademicSessionDetail><SessionDesignator>2020-08</SessionDesignator>
</AcademicSessionDetail><Course>{COURSE_XML}</Course></AcademicSession></AcademicRecord></Student>
</ColTrn:CollegeTranscript>""".encode()

MOXY_DOC = json.dumps({"ColTrn.CollegeTranscript": {
    "TransmissionData": {"DocumentID": "D1", "Source": {"Organization": {
        "FICE": "001334", "OrganizationName": "Ventura College"}}},
    "Student": {"Person": {"Name": {"FirstName": "Ann", "LastName": "Lee"}}, "AcademicRecord": [{
        "AcademicSession": [{"AcademicSessionDetail": {"SessionDesignator": "2020-08"}, "Course": [{
            "CourseCreditBasis": "Regular",
            "CourseTitle": ["First title", "Second title"],
            "NoteMessage": ["note one", "note two"],
            "UserDefinedExtensions": {"CCC.CourseCCCExtensions": {"GradeBracket": "GradeIsBracketed"}},
            "CourseAcademicGrade": {"Odd": ""},
            "CourseSubjectAbbreviation": "MATH", "CourseNumber": 1,
        }]}]}]}}}).encode()


def _only(data: bytes, name: str):
    (record,) = EtranscriptSource().parse(Document(data, name=name))
    return record


def test_repeated_elements_read_as_before():
    record = _only(XML_DOC, "repeats.xml")
    assert record.achievement.title == "First title"  # the first of a repeated element
    assert record.achievement.description == "MATH 1 First title"
    found = results(record)
    assert "grade" not in found  # an element with children is not a value
    assert found["note"] == ["note one", "note two"]
    names = [r.name for r in record.results]
    # notes (all, where the first one is) before the extension, then the document id
    assert names[-4:] == ["note", "note", "ccc.GradeBracket", "document_id"]
    assert names[:2] == ["credit_basis", "term"]


def test_xml_and_moxy_json_give_the_same_record():
    xml, moxy = _only(XML_DOC, "repeats.xml"), _only(MOXY_DOC, "repeats.json")
    assert moxy.source.format == "PESC CollegeTranscript JSON (EclipseLink MOXy)"
    assert xml.source.format == "PESC CollegeTranscript v1.6.0 XML"
    assert moxy.model_dump(exclude={"source"}) == xml.model_dump(exclude={"source"})
    assert moxy.source.locator == xml.source.locator == "Student/AcademicRecord[1]/AcademicSession[1]/Course[1]"


def test_jsonld_names_are_read_as_they_are():
    # only MOXy's ColTrn. / CCC. prefixes are dropped: a JSON-LD property with a dot stays whole
    data = json.loads(load("pesc-jsonld-transcript_minimal.json").data)
    source = next(node for node in data["@graph"] if node.get("@id") == "https://example.edu/Source#id")
    source["example.code"] = "X1"
    records = list(EtranscriptSource().parse(Document(json.dumps(data).encode(), name="ld.json")))
    schemes = [(i.scheme, i.value) for i in records[0].issuer.identifiers]
    assert ("example.code", "X1") in schemes and ("code", "X1") not in schemes


def test_sniff_reads_the_root_tag_and_parse_parses_once(monkeypatch):
    calls = []
    real = passport_hub.xmlsafe.parse_xml

    def counted(data: bytes, name: str):
        calls.append(name)
        return real(data, name=name)

    monkeypatch.setattr(passport_hub.xmlsafe, "parse_xml", counted)
    document = load("pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
    source = EtranscriptSource()
    assert source.sniff(document)
    assert calls == []  # sniff read the root's start tag ...
    assert len(list(source.parse(document))) == 25
    assert calls == [document.name]  # ... and parse parsed the document once
    # other XML is turned down without being parsed
    other = Document(load("canpesc-ontario-college_ColTrn-v1.3.0_ns0.xml").data.replace(
        b"CollegeTranscript", b"HighSchoolTranscript"), name="hs.xml")
    assert not source.sniff(other)
    assert calls == [document.name]
    # text that quotes a DOCTYPE-bearing transcript is not one (only XML is claimed to be refused as unsafe)
    quoted = b'HOSTILE = """<!DOCTYPE CollegeTranscript [<!ENTITY x SYSTEM "file:///etc/passwd">]>"""\n'
    assert not source.sniff(Document(quoted, name="fixtures.py"))
    assert source.sniff(Document(quoted.split(b'"""')[1] + b"<CollegeTranscript>&x;</CollegeTranscript>", name="x.xml"))


def test_a_jsonld_transcript_spelt_with_escapes_is_still_recognized(monkeypatch):
    plain = load("pesc-jsonld-transcript_minimal.json")
    escaped = Document(plain.data.replace(b"CollegeTranscript", b"\\u0043ollegeTranscript"), name="escaped.json")
    assert b"CollegeTranscript" not in escaped.data
    source = EtranscriptSource()
    assert source.sniff(escaped)
    assert [r.id for r in source.parse(escaped)] == [r.id for r in source.parse(plain)]
    # other JSON-LD with escapes (of accented letters, as encoders write them) is not walked at all
    walked = []
    monkeypatch.setattr(jsonld, "document_transcripts", walked.append)
    other = plain.data.replace(b"CollegeTranscript", b"Transcript")
    other = other.replace(b'"@graph"', b'"name": "Am\\u00e9lie", "@graph"')
    assert b"\\u00e9" in other and not source.sniff(Document(other, name="other.json")) and walked == []
    assert source.sniff(escaped) is False and len(walked) == 1  # the escaped letter is walked (here: by the stub)


def test_a_web_page_with_a_doctype_that_mentions_transcripts_is_not_claimed():
    page = (b"<!DOCTYPE html>\n<html><body><p>Send your CollegeTranscript to the registrar.</p>"
            b"<pre>&lt;CollegeTranscript&gt;</pre></body></html>")
    assert not EtranscriptSource().sniff(Document(page, name="howto.html"))


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_broken_transcript_is_still_claimed_and_malformed(cut):
    data = load("canpesc-ontario-college_ColTrn-v1.3.0_ns0.xml").data
    document = Document(data[: int(len(data) * cut)], name="cut.xml")
    source = EtranscriptSource()
    assert source.sniff(document)  # so the pipeline says "malformed", not "unrecognized"
    with pytest.raises(MalformedError):
        list(source.parse(document))
