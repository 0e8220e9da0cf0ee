"""The California DAS "Certificate of Completion of Apprenticeship" PDF, read by its labels.

Text comes from the core's time-bounded extractor (``document.pdf_pages()``). Each value
is found next to its printed label, never by position, so a layout shift does not move
a value into the wrong field.
"""

from __future__ import annotations

import re

from passport_hub.contract import Document
from passport_hub.errors import MalformedError

from .normalize import RowOutcome, normalize_row
from .reference import state_code

TITLE = "Certificate of Completion of Apprenticeship"

#: a value printed on the line after its label
_NEXT_LINE_LABELS = {
    "apprentice_name": re.compile(r"^this is to certify that$", re.I),
    "occupation_title": re.compile(r"^has completed an apprenticeship in the occupation of$", re.I),
    "sponsor_name": re.compile(r"^as attested by the apprenticeship program sponsor$", re.I),
}
#: a value printed after its label on the same line
_INLINE_LABELS = {
    "program_registration_number": re.compile(
        r"^(?:program|registration|program registration)\s+(?:no\.?|number|#)\s*:?\s*(\S.*)$", re.I),
    "completion_date": re.compile(r"^date of completion\s*:?\s*(\S.*)$", re.I),
}
_STATE_OF = re.compile(r"^state of ([a-z .]+)$", re.I)
_AGENCY = re.compile(r"^(division of apprenticeship standards|office of apprenticeship)$", re.I)


def sniff_certificate(document: Document) -> bool:
    if not document.looks_like_pdf():
        return False
    return TITLE.casefold() in " ".join(document.try_pdf_text().split()).casefold()


def _lines(document: Document) -> list[str]:
    lines: list[str] = []
    for page in document.pdf_pages():
        lines.extend(" ".join(line.split()) for line in page.splitlines())
    return [line for line in lines if line]


def read_certificate(document: Document) -> tuple[RowOutcome, list[str]]:
    """The certificate as a normalized row (row 1), plus certificate-level warnings.

    :raises MalformedError: not a completion certificate, or a required label is missing.
    """
    lines = _lines(document)
    if not any(TITLE.casefold() == line.casefold() for line in lines):
        raise MalformedError(f"{document.name}: no '{TITLE}' title in the PDF")
    values: dict[str, str | None] = {}
    for i, line in enumerate(lines):
        for column, label in _NEXT_LINE_LABELS.items():
            if column not in values and label.match(line) and i + 1 < len(lines):
                values[column] = lines[i + 1]
        for column, label in _INLINE_LABELS.items():
            if column not in values and (m := label.match(line)):
                values[column] = m[1]
        if "registration_state" not in values and (m := _STATE_OF.match(line)) and state_code(m[1]):
            values["registration_state"] = m[1]
        if "registration_agency" not in values and (m := _AGENCY.match(line)):
            values["registration_agency"] = m[1]

    state = state_code(values.get("registration_state") or "")
    agency = values.get("registration_agency")
    if agency:
        # the header prints "STATE OF CALIFORNIA" / "DIVISION OF APPRENTICESHIP STANDARDS"
        agency = agency.title().replace(" Of ", " of ")
        if agency.casefold() == "division of apprenticeship standards" and state == "CA":
            agency = "California Division of Apprenticeship Standards"
        values["registration_agency"] = agency

    outcome = normalize_row(values, 1)
    if outcome.record is None:
        missing = ", ".join(r.split(":", 1)[-1] for r in outcome.reject_reasons)
        raise MalformedError(f"{document.name}: the certificate does not show: {missing}")

    warnings: list[str] = []
    text = " ".join(lines).casefold()
    if "not a real certificate" in text or "synthetic test fixture" in text:
        warnings.append("document_marked_not_a_real_certificate")
    return outcome, warnings
