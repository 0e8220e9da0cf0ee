"""Document views shared by every source's sniff and parse: JSON and hardened XML, each parsed once."""

from __future__ import annotations

import pytest
from plugin_samples import plugin_sample

from passport_hub.contract import Document
from passport_hub.errors import MalformedError, UnsafeError
from passport_hub.xmlsafe import has_doctype

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


def test_a_cut_start_tag_is_placed_once():
    """libxml2 ends its message with the line lxml then adds: said once, with the column."""
    data = plugin_sample("etranscript", "canpesc-ontario-college_ColTrn-v1.3.0_ns0.xml").read_bytes()
    cut = data[: data.index(b"<AcademicSession") + 10]
    with pytest.raises(MalformedError) as info:
        Document(cut, name="cut.xml").xml()
    assert str(info.value) == ("cut.xml: not well-formed XML (Couldn't find end of Start Tag AcademicS, line 89, "
                               "column 14)")


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


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "utf-16"])
@pytest.mark.parametrize("comments", [0, 5, 300])  # 300: more "!" than windows are looked at one by one
def test_has_doctype_finds_a_declaration_behind_comments_in_every_encoding(encoding, comments):
    prolog = "<!-- x! -->" * comments
    assert has_doctype((prolog + '<!doctype r [<!ENTITY a "b">]><r>&a;</r>').encode(encoding))
    assert has_doctype((prolog + '<!ENTITY a "b"><r/>').encode(encoding))
    assert not has_doctype((prolog + "<r>hi! <![CDATA[<!x>]]></r>").encode(encoding))


@pytest.mark.parametrize("data, is_json", [
    (b'{"a": 1}', True), (b"\xef\xbb\xbf\n  [\n  {\"a\": 1}]", True), (b"[]", True), (b"[ -1.5, 2]", True),
    (b'["x"]', True), (b"[true]", True), (b"[[1]]", True),
    (b"[true, 1]", True), (b"[null]", True), (b"[false\n]", True),
    (b'[project]\nname = "x"\n', False), (b"[section]\nkey=value\n", False), (b"<a/>", False), (b"", False),
    (b"[tool.poetry]\n", False), (b"[testenv]\n", False), (b"[tox]\n", False), (b"[flake8]\n", False),
    (b"[network]\n", False), (b"[nosetests]\n", False), (b"[truename]\n", False),
])
def test_looks_like_json_only_where_a_json_value_starts(data, is_json):
    assert Document(data, name="x").looks_like_json() is is_json


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16"])
def test_a_transcript_after_a_long_run_of_whitespace_still_looks_like_xml(encoding):
    text = plugin_sample("etranscript", BOM_UTF8).read_bytes().decode("utf-8-sig")
    document = Document(("\n" * 300 + text).encode(encoding), name="padded.xml")
    assert document.looks_like_xml()
    assert not Document(("\n" * 300 + "x" + text).encode(encoding), name="notes.txt").looks_like_xml()
