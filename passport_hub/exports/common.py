"""Shared pieces of the exports: ids, dates, the passport-hub extension term."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from ..model import CredentialRecord

#: JSON-LD context the service serves for our extension term (``passportHub``)
CONTEXT_PATH = "/ns/passport-hub-v1.jsonld"
#: the extension context's canonical URL, used when no hub URL is known (the project's
#: namespace, like the term's own ``@id``); verifiers that know passport-hub resolve it offline
CONTEXT_URL = "https://w3id.org/passport-hub/v1"
EXTENSION = "passportHub"
_NS = uuid.UUID("6f1f3f1e-5b8e-4f55-9c43-3e8f7d0c2a11")

CONTEXT_DOCUMENT = {
    "@context": {
        "@version": 1.1,
        "passportHub": {"@id": "https://w3id.org/passport-hub#record", "@type": "@json"},
    }
}


def context_url(base_url: str = "") -> str:
    """Where the extension context is: the hub's copy if a public URL is known, else canonical."""
    return base_url.rstrip("/") + CONTEXT_PATH if base_url else CONTEXT_URL


def is_extension_context(url: str) -> bool:
    """Is ``url`` the passport-hub extension context (canonical or served by a hub)?"""
    return url == CONTEXT_URL or url.endswith(CONTEXT_PATH)


#: record kinds that are education (schooling, courses, tests) rather than certifications
EDUCATION = frozenset({"degree", "course", "military_course", "test_score"})


def urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, '|'.join(parts))}"


def ctid_url(ctid: str) -> str:
    return f"https://credentialengineregistry.org/resources/{ctid}"


def iso_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def iso_end(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def effective_status(record: CredentialRecord, today: date | None = None) -> str:
    """The record's status at export time (a passed expiry date makes an active credential expired)."""
    today = today or datetime.now(UTC).date()
    status = str(record.status)
    if status in ("active", "unknown") and record.expires_on and record.expires_on < today:
        return "expired"
    return status


def extension(record: CredentialRecord, link: str | None, today: date | None = None) -> dict:
    """Everything of the record the target format has no field for, under one namespaced term."""
    data = {
        "recordId": record.id,
        "kind": str(record.achievement.kind),
        "status": effective_status(record, today),
        "statusStated": str(record.status),
        "issuedOn": record.issued_on.isoformat() if record.issued_on else None,
        "validUntil": record.expires_on.isoformat() if record.expires_on else None,
        "credit": [c.model_dump(mode="json", exclude_none=True) for c in record.achievement.credit],
        "skills": [s.model_dump(mode="json", exclude_none=True) for s in record.achievement.skills],
        "occupations": [o.model_dump(mode="json", exclude_none=True) for o in record.achievement.occupations],
        "identifiers": [i.model_dump(mode="json", exclude_none=True) for i in record.achievement.identifiers],
        "description": record.achievement.description,
        "warnings": record.warnings,
        "results": [r.model_dump(mode="json") for r in record.results],
        "source": record.source.model_dump(mode="json", exclude_none=True),
    }
    if record.achievement.ctdl_type:
        data["ctdlType"] = record.achievement.ctdl_type
    if record.achievement.ctid:
        data["ctid"] = record.achievement.ctid
    if record.verification:
        data["verification"] = record.verification.model_dump(mode="json", exclude_none=True)
    if link:
        data["verificationUrl"] = link
    # identifiers and description are stated even when empty: an importer then knows the record
    # had none, rather than falling back to what the target format's own fields say
    return {k: v for k, v in data.items() if v not in (None, []) or k in ("identifiers", "description")}


def credit_text(record: CredentialRecord) -> str:
    parts = []
    for c in record.achievement.credit:
        text = f"{c.amount:g} {str(c.unit).replace('_', ' ')}"
        if c.level:
            text += f", {str(c.level).replace('_', ' ')}"
        if c.subject:
            text += f" ({c.subject})"
        parts.append(text)
    return "; ".join(parts)
