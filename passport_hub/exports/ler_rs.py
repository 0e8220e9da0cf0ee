"""HR Open LER-RS (4.5 type URI; VC 1.1 wrapper as the provisional schema has it).

Degrees and courses → ``educationAndLearnings``; certificates, certifications, badges and
apprenticeships → ``certifications`` (status recomputed at export time, validity in
``effectiveTimePeriod``); licences → ``licenses``; military occupations →
``employmentHistories``; skills → ``skills[]`` with ``schemeReference``. Person data
defaults to the name only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..model import CredentialRecord
from .common import (
    EDUCATION,
    EXTENSION,
    credit_text,
    ctid_url,
    effective_status,
    extension,
    iso_end,
    iso_start,
    now_iso,
    urn,
)

LER_TYPE = "http://schema.hropenstandards.org/4.5/recruiting/json/LER-RSType.json"
WRAPPER_CONTEXT = "http://schema.hropenstandards.org/4.5/recruiting/json/VerifiableCredentialLER-RSType.json"
STATUS_WORD = {"active": "Active", "expired": "Expired", "revoked": "Revoked", "in_progress": "Pending",
               "unknown": "Unknown"}


def _verifications(record: CredentialRecord, link: str | None) -> list[dict]:
    out = []
    if link:
        out.append({"reference": link})
    if record.achievement.ctid:
        out.append({"reference": ctid_url(record.achievement.ctid), "scheme": "https://credentialengineregistry.org"})
    return out


def _certification(record: CredentialRecord, link: str | None, today) -> dict:
    item: dict = {
        "id": {"value": record.id},
        "name": record.achievement.title,
        "type": {"name": str(record.achievement.kind).replace("_", " ")},
        "status": STATUS_WORD.get(effective_status(record, today), "Unknown"),
        "issuingAuthority": {"name": record.issuer.name},
    }
    if record.issued_on:
        item["issued"] = record.issued_on.isoformat()
    period = {}
    if record.issued_on:
        period["validFrom"] = iso_start(record.issued_on)
    if record.expires_on:
        period["validTo"] = iso_end(record.expires_on)
    if period:
        item["effectiveTimePeriod"] = period
    descriptions = [d for d in (record.achievement.description, credit_text(record)) if d]
    if descriptions:
        item["descriptions"] = descriptions
    if verifications := _verifications(record, link):
        item["verifications"] = verifications
    return item


def _education(record: CredentialRecord) -> dict:
    item: dict = {"institution": {"name": record.issuer.name}}
    kind = str(record.achievement.kind)
    degree: dict = {"name": record.achievement.title}
    if record.issued_on:
        degree["date"] = record.issued_on.isoformat()
    if kind == "degree":
        degree["degreeGrantedStatus"] = "Granted" if str(record.status) != "in_progress" else "InProgress"
    item["educationDegrees"] = [degree]
    programs = [credit_text(record)] if record.achievement.credit else []
    if kind != "degree":
        programs.insert(0, f"{kind.replace('_', ' ')}: {record.achievement.title}")
    if programs:
        item["programs"] = programs
    if record.issued_on:
        item["end"] = record.issued_on.isoformat()
    return item


def _skills(records: list[CredentialRecord]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for r in records:
        for s in r.achievement.skills:
            key = (s.name, s.framework, s.code)
            if key in seen:
                continue
            item: dict = {"name": s.name}
            if s.url:
                item["schemeReference"] = {"reference": s.url}
            if s.framework or s.code:
                item["keywords"] = [{"name": s.framework or "code", "value": s.code or s.name}]
            item["comments"] = [f"from {r.achievement.title} ({r.issuer.name})"]
            seen[key] = item
        for o in r.achievement.occupations:
            key = (o.title or o.code, o.framework, o.code)
            if key not in seen:
                seen[key] = {"name": o.title or o.code, "keywords": [{"name": o.framework, "value": o.code}],
                             "comments": [f"occupation from {r.achievement.title} ({r.issuer.name})"]}
    return list(seen.values())


def credential(records: list[CredentialRecord], *, link: str | None = None, base_url: str = "",
               now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    today = now.date()
    subject: dict = {"type": LER_TYPE, "documentId": {"value": urn("ler-rs", *sorted(r.id for r in records))}}
    holders = [r.holder for r in records if r.holder]
    if holders:
        h = holders[0]
        name = {"formattedName": h.name}
        if h.given_name:
            name["given"] = h.given_name
        if h.family_name:
            name["family"] = h.family_name
        subject["person"] = {"name": name}
    education, certifications, licenses, employment = [], [], [], []
    for r in records:
        kind = str(r.achievement.kind)
        if kind in EDUCATION:
            education.append(_education(r))
        elif kind == "license":
            licenses.append(_certification(r, link, today))
        elif kind == "military_occupation":
            employment.append({"organization": {"name": r.issuer.name},
                               "positionHistories": [{"title": r.achievement.title}
                                                     | ({"start": r.issued_on.isoformat()} if r.issued_on else {})]})
        else:
            certifications.append(_certification(r, link, today))
    for key, value in (("educationAndLearnings", education), ("certifications", certifications),
                       ("licenses", licenses), ("employmentHistories", employment), ("skills", _skills(records))):
        if value:
            subject[key] = value
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1", WRAPPER_CONTEXT],
        "id": urn("ler-rs-vc", *sorted(r.id for r in records), now_iso(now)),
        "type": ["VerifiableCredential", "LER-RS VC"],
        "issuer": base_url or "urn:passport-hub",
        "issuanceDate": now_iso(now),
        "credentialSubject": subject,
        EXTENSION: [extension(r, link, today) for r in records],
    }
    return doc
