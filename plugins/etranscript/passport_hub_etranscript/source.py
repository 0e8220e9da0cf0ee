"""The ``etranscript`` credential source: sniff and parse PESC College Transcripts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from passport_hub.contract import CredentialSource, Document
from passport_hub.model import CredentialRecord

_XML_ROOTS = frozenset({"CollegeTranscript", "AcademicRecordBatch"})
_TRANSCRIPT_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:CollegeTranscript|AcademicRecordBatch)[\s/>]")
#: ``\u0043`` and the like: only an escaped letter could spell "CollegeTranscript" in JSON
#: without the word being in the bytes (encoders escape non-ASCII, not letters)
_ESCAPED_LETTER = re.compile(rb"\\u00(?:4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9Aa])")


class EtranscriptSource(CredentialSource):
    """PESC CollegeTranscript v1.x (XML, any encoding; MOXy / EdExchange JSON; PESC JSON-LD draft)."""

    name = "etranscript"
    title = "PESC College Transcript (eTranscript California) — awards and courses"
    formats = (
        "application/xml; PESC CollegeTranscript v1.x (and AcademicRecordBatch)",
        "application/json; PESC CollegeTranscript (EclipseLink MOXy, EdExchange)",
        "application/ld+json; PESC JSON-LD transcript (draft)",
    )

    def sniff(self, document: Document) -> bool:
        try:
            if document.looks_like_json():
                data = document.try_json()
                if data is None:
                    return False
                from .parser import transcripts_in_json

                if transcripts_in_json(data) is not None:
                    return True
                # a JSON-LD transcript types a node CollegeTranscript: without that word in the
                # bytes (nor a \u escape that could spell it) there is no graph worth walking;
                # CTDL and Open Badges documents are JSON-LD too and are sniffed on every import
                raw = document.data
                if b"CollegeTranscript" not in raw and not _ESCAPED_LETTER.search(raw):
                    return False
                from .jsonld import document_transcripts

                return document_transcripts(document) is not None
            if not document.looks_like_xml():  # e.g. code or notes that quote a hostile transcript
                return False
            from passport_hub.xmlsafe import has_doctype, root_local_name

            data = document.data
            if has_doctype(data):
                # a transcript's start tag (not just the word: a web page about transcripts) is
                # claimed so that parse refuses it as unsafe instead of "unrecognized"
                return _TRANSCRIPT_TAG.search(data.replace(b"\x00", b"")) is not None
            # the root's start tag only: parse builds the tree, and other XML (lookup pages,
            # other issuers' documents) is not parsed whole just to be turned down; a broken
            # transcript is still ours, so that parse reports it malformed
            return root_local_name(data) in _XML_ROOTS
        except Exception:  # sniff never raises
            return False

    def parse(self, document: Document) -> Iterator[CredentialRecord]:
        from .parser import parse_document

        return parse_document(document, self.plugin_version)  # a generator: records are read as they are iterated
