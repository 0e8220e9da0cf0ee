"""Document views shared by every source's sniff and parse: JSON and hardened XML, each parsed once."""

from __future__ import annotations

import pytest
from plugin_samples import plugin_sample

from passport_hub.contract import Document
from passport_hub.errors import MalformedError, UnsafeError

UTF16_BE = "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml"
UTF16_LE = "ccctc-utaustin_ColTrn-v1.6.0_utf16le.xml"
BOM_UTF8 = "canpesc-novascotia-msvu_no-namespace_bom.xml"


@pytest.mark.parametrize("name, tag", [
    (UTF16_BE, "{urn:org:pesc:message:CollegeTranscript:v1.4.0}CollegeTranscript"),
    (UTF16_LE, "{urn:org:pesc:message:CollegeTranscript:v1.6.0}CollegeTranscript"),
    (BOM_UTF8, "CollegeTranscript"),
])
def test_xml_is_parsed_once_whatever_the_encoding(name, tag):
    document = Document(plugin_sample("etranscript", name).read_bytes(), name=name)
    assert document.looks_like_xml() and not document.looks_like_json()
    root = document.xml()
    assert root.tag == tag
    assert document.try_xml() is root  # the same tree for every sniff and for parse


def test_xml_refuses_a_doctype_every_time_it_is_asked():
    data = plugin_sample("etranscript", BOM_UTF8).read_bytes().replace(
        b"?>", b'?>\n<!DOCTYPE CollegeTranscript [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1)
    document = Document(data, name="xxe.xml")
    for _ in range(2):
        with pytest.raises(UnsafeError, match="DOCTYPE"):
            document.xml()
    assert document.try_xml() is None


def test_truncated_xml_is_malformed_and_json_is_not_xml():
    data = plugin_sample("etranscript", BOM_UTF8).read_bytes()
    with pytest.raises(MalformedError, match="not well-formed"):
        Document(data[: len(data) // 2], name="cut.xml").xml()
    badge = Document(plugin_sample("open_badges", "ob3/ob30-simple.json").read_bytes(), name="ob30-simple.json")
    assert not badge.looks_like_xml() and badge.try_xml() is None


def test_memo_computes_once_per_document_and_does_not_remember_a_failure():
    document = Document(plugin_sample("open_badges", "ob3/ob30-simple.json").read_bytes(), name="ob30-simple.json")
    calls = []

    def find():
        calls.append(1)
        return document.json()["id"]

    assert document.memo("test.id", find) == document.memo("test.id", find) == "http://example.com/credentials/3527"
    assert len(calls) == 1

    def broken():
        calls.append(1)
        raise ValueError("not yet")

    for _ in range(2):
        with pytest.raises(ValueError):
            document.memo("test.broken", broken)
    assert len(calls) == 3
