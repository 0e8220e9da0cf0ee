"""Hardened XML parsing for every plugin: no DTDs, no entities, no network.

A document carrying a DOCTYPE is refused as ``unsafe`` before lxml sees it, so
XXE and billion-laughs payloads never expand. lxml detects the encoding from the
bytes (BOM, XML declaration), which UTF-16 transcripts need.
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import MalformedError, UnsafeError

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _ascii_view(data: bytes) -> bytes:
    """The bytes with UTF-16 NULs removed, so a DOCTYPE scan works for any encoding."""
    head = data[:4]
    if head[:2] in (b"\xfe\xff", b"\xff\xfe") or (len(head) == 4 and (head[0] == 0 or head[1] == 0)):
        # translate() deletes in one pass: ~15x faster than replace() on a 70 KB UTF-16 file
        return data.translate(None, b"\x00")
    return data


def has_doctype(data: bytes) -> bool:
    return _DOCTYPE.search(_ascii_view(data)) is not None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, name: str = "document") -> etree._Element:
    """Parse untrusted XML bytes into an element tree root.

    :raises UnsafeError: the document declares a DOCTYPE or entities.
    :raises MalformedError: the bytes are not well-formed XML.
    """
    if has_doctype(data):
        raise UnsafeError(f"{name}: XML with a DOCTYPE or entity declarations is refused (unsafe)")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedError(f"{name}: not well-formed XML ({exc.msg})") from None
    if root is None:
        raise MalformedError(f"{name}: empty XML document")
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace (``{ns}CollegeTranscript`` → ``CollegeTranscript``)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def root_local_name(data: bytes) -> str | None:
    """The root element's local name without building the tree (for ``sniff``); never raises."""
    if has_doctype(data):
        # still report the root so the owning source claims it and refuses it as unsafe
        view = _ascii_view(data)
        match = re.search(rb"<!DOCTYPE\s+([\w:.-]+)", view, re.IGNORECASE)
        return match.group(1).decode("ascii", "replace").rpartition(":")[2] if match else None
    try:
        for _event, element in etree.iterparse(
            _BytesReader(data), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
        ):
            return local_name(element)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return None


class _BytesReader:
    def __init__(self, data: bytes):
        self._data = data
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = len(self._data)
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk
