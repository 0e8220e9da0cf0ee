"""What one certificate says, whichever document it came from, and how it becomes a record."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from passport_hub.dates import parse_date_ex
from passport_hub.model import CredentialRecord, Kind, RecordStatus, stable_id

from .ids import ISSUER_NAME, ISSUER_URL, verify_url

#: courses the Red Cross certifies for two years (formats/red_cross.md §5)
_TWO_YEAR_TITLES = re.compile(r"first aid|\bcpr\b|\baed\b|lifeguard", re.IGNORECASE)
_VALIDITY = re.compile(r"^\s*(\d{1,2})\s*(?:years?|yrs?)\s*$", re.IGNORECASE)

STATUS_TEXT = {"valid": RecordStatus.ACTIVE, "active": RecordStatus.ACTIVE, "expired": RecordStatus.EXPIRED}


@dataclass
class CertificateFacts:
    cert_id: str
    course_title: str
    holder_name: str | None = None
    completion_date: date | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    #: "issuer" when the expiry was read, "computed: …" when derived from the issue date
    expiry_basis: str | None = None
    status: RecordStatus = RecordStatus.UNKNOWN
    status_text: str | None = None
    pipe_status: str | None = None
    provider: str | None = None
    aas_number: str | None = None
    instructor: str | None = None
    validity_text: str | None = None
    course_code: str | None = None
    delivery_format: str | None = None
    verify_url_as_printed: str | None = None
    #: "lookup", "full" or "wallet"
    certificate_format: str = "lookup"
    warnings: list[str] = field(default_factory=list)

    @property
    def verify_url(self) -> str:
        return verify_url(self.cert_id)


def read_date(text: str | None, what: str, warnings: list[str], where: str) -> date | None:
    """A date in any format :mod:`passport_hub.dates` reads; a bad one is a warning, never a crash."""
    if text is None or not text.strip():
        return None
    try:
        parsed = parse_date_ex(text)
    except ValueError as exc:
        warnings.append(f"{where}: {what} {text.strip()!r} is not a valid date ({exc}); left empty")
        return None
    if parsed.two_digit_year:
        warnings.append(f"{where}: {what} {text.strip()!r} has a two-digit year; read as {parsed.value}")
    return parsed.value


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 → February 28
        return day.replace(year=day.year + years, day=28)


def fill_expiry(facts: CertificateFacts, where: str) -> None:
    """Keep the issuer's expiry; otherwise compute issue + validity as a labelled fallback."""
    if facts.expiry_date is not None:
        facts.expiry_basis = facts.expiry_basis or "issuer"
        return
    start = facts.issue_date or facts.completion_date
    if start is None:
        return
    years = None
    if facts.validity_text and (m := _VALIDITY.match(facts.validity_text)):
        years = int(m[1])
    elif _TWO_YEAR_TITLES.search(facts.course_title):
        years = 2
    if years is None:
        return
    facts.expiry_date = _add_years(start, years)
    facts.expiry_basis = f"computed: issue date + {years} years"
    facts.warnings.append(
        f"{where}: no expiry date given; {facts.expiry_date} is computed as issue date + {years} years"
    )


def settle_status(facts: CertificateFacts, today: date, where: str) -> None:
    """Status from the issuer's text, then recomputed against the expiry date and today."""
    if facts.expiry_date is not None and facts.expiry_date < today and facts.status != RecordStatus.EXPIRED:
        if facts.status == RecordStatus.ACTIVE:
            facts.warnings.append(
                f"{where}: listed as {facts.status_text or 'valid'!s} but its expiry date "
                f"{facts.expiry_date} has passed; status set to expired"
            )
        facts.status = RecordStatus.EXPIRED


def _split_name(name: str) -> tuple[str | None, str | None]:
    parts = name.split()
    if len(parts) == 2 and all(p[:1].isalpha() for p in parts):
        return parts[0], parts[1]
    return None, None


def to_record(facts: CertificateFacts, *, plugin_version: str, document_sha256: str, fmt: str) -> CredentialRecord:
    # plain dicts, validated in one pass (not one model per identifier and result)
    holder = None
    if facts.holder_name:
        given, family = _split_name(facts.holder_name)
        holder = {"name": facts.holder_name, "given_name": given, "family_name": family}
    identifiers = [{"scheme": "certificate_number", "value": facts.cert_id}]
    if facts.course_code:
        identifiers.append({"scheme": "red_cross_course_code", "value": facts.course_code})
    verify = facts.verify_url
    results: list[dict[str, str]] = []
    for name, value in (
        ("delivery_format", facts.delivery_format),
        ("completion_date", facts.completion_date.isoformat() if facts.completion_date else None),
        ("instructor", facts.instructor),
        ("training_provider", facts.provider),
        ("aas_number", facts.aas_number),
        ("validity", facts.validity_text),
        ("expiry_basis", facts.expiry_basis),
        ("status_text", facts.status_text),
        ("download_status", facts.pipe_status),
        ("certificate_format", facts.certificate_format),
        ("verify_url", verify),
        ("verify_url_as_printed", facts.verify_url_as_printed),
    ):
        if value is not None and str(value).strip():
            results.append({"name": name, "value": str(value)})
    return CredentialRecord.model_validate({
        # keyed on the issuer and the certificate number only: a certificate PDF and the
        # lookup of the same certificate give the same id
        "id": stable_id(ISSUER_NAME, "certificate_number", facts.cert_id),
        "holder": holder,
        "issuer": {"name": ISSUER_NAME, "url": ISSUER_URL},
        "achievement": {"kind": Kind.CERTIFICATION, "title": facts.course_title, "identifiers": identifiers},
        "issued_on": facts.issue_date or facts.completion_date,
        "expires_on": facts.expiry_date,
        "status": facts.status,
        "results": results,
        "source": {
            "plugin": "red_cross",
            "plugin_version": plugin_version,
            "format": fmt,
            "document_sha256": document_sha256,
            "locator": verify,
        },
        "warnings": list(facts.warnings),
    })


def result_value(record: CredentialRecord, name: str) -> str | None:
    for result in record.results:
        if result.name == name:
            return result.value
    return None
