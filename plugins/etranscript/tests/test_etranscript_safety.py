"""Hostile and broken input: unsafe (DOCTYPE, XXE, billion laughs), malformed, unrecognized."""

from __future__ import annotations

import time

import pytest
from etranscript_helpers import load
from passport_hub_etranscript.source import EtranscriptSource

from passport_hub.contract import Document
from passport_hub.errors import MalformedError, UnrecognizedError, UnsafeError

NS = "urn:org:pesc:message:CollegeTranscript:v1.6.0"

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE CollegeTranscript [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ColTrn:CollegeTranscript xmlns:ColTrn="{NS}"><Student><Person><Name><FirstName>&xxe;</FirstName>
</Name></Person></Student></ColTrn:CollegeTranscript>""".encode()

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CollegeTranscript><Student><Person><Name><FirstName>&lol9;</FirstName></Name></Person></Student></CollegeTranscript>"""


def _real_transcript_with_doctype() -> bytes:
    text = load("pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml").data.decode("utf-16")
    head, _, rest = text.partition("?>")
    return (head + '?>\n<!DOCTYPE ColTrn:CollegeTranscript SYSTEM "CollegeTranscript.dtd">' + rest).encode("utf-16")


CASES = {
    "xxe": XXE,
    "billion_laughs": LAUGHS,
    "billion_laughs_utf16le": LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    .encode("utf-16-le"),
    "doctype_real_transcript_utf16": _real_transcript_with_doctype(),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unsafe_input_is_refused_quickly(case):
    source = EtranscriptSource()
    document = Document(CASES[case], name=f"{case}.xml")
    assert source.sniff(document)  # claimed, so the pipeline reports "unsafe", not "unrecognized"
    start = time.perf_counter()
    records = []
    with pytest.raises(UnsafeError) as info:
        for record in source.parse(document):
            records.append(record)
    assert time.perf_counter() - start < 1.0
    assert records == []  # nothing yielded, so nothing can be stored
    assert info.value.kind == "unsafe"
    assert "/etc/passwd" not in str(info.value)


def test_truncated_xml_is_malformed():
    data = load("canpesc-ontario-college_ColTrn-v1.3.0_ns0.xml").data
    document = Document(data[: len(data) // 2], name="truncated.xml")
    with pytest.raises(MalformedError) as info:
        list(EtranscriptSource().parse(document))
    assert info.value.kind == "malformed" and "truncated.xml" in str(info.value)


def test_truncated_utf16_is_malformed():
    data = load("ccctc-utaustin_ColTrn-v1.6.0_utf16le.xml").data
    with pytest.raises(MalformedError):
        list(EtranscriptSource().parse(Document(data[:20001], name="cut.xml")))


def test_transcript_without_student_is_malformed():
    data = f'<CollegeTranscript xmlns="{NS}"><TransmissionData/></CollegeTranscript>'.encode()
    with pytest.raises(MalformedError, match="no Student"):
        list(EtranscriptSource().parse(Document(data, name="empty.xml")))


def test_other_xml_is_not_claimed_and_is_unrecognized():
    document = Document(b"<TranscriptRequest><x/></TranscriptRequest>", name="request.xml")
    assert not EtranscriptSource().sniff(document)
    with pytest.raises(UnrecognizedError):
        list(EtranscriptSource().parse(document))


def test_other_json_is_not_claimed():
    assert not EtranscriptSource().sniff(Document(b'{"name": "x"}', name="x.json"))
    assert not EtranscriptSource().sniff(Document(b"%PDF-1.4 ...", name="x.pdf"))
    with pytest.raises(UnrecognizedError):
        list(EtranscriptSource().parse(Document(b'{"name": "x"}', name="x.json")))


def test_broken_json_is_malformed():
    with pytest.raises(MalformedError):
        list(EtranscriptSource().parse(Document(b'{"CollegeTranscript": {', name="x.json")))


def test_odd_shapes_get_their_own_answers_not_the_catch_all():
    def read(body: bytes):
        return list(EtranscriptSource().parse(Document(body, name="odd.json")))

    # courses that are not objects are skipped: no records, no crash
    assert read(b'{"CollegeTranscript": {"Student": {"AcademicRecord": [{"Course": [1, "x", null]}]}}}') == []
    with pytest.raises(MalformedError, match="the transcript has no Student") as caught:
        read(b'{"CollegeTranscript": {"Student": 5}}')
    # a specific answer, not the "could not be read (TypeError)" safety net
    assert "could not be read" not in caught.value.user_message
    with pytest.raises(UnrecognizedError, match="not a PESC CollegeTranscript"):
        read(b'{"CollegeTranscript": []}')
