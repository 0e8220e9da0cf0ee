"""JSON Resume 1.2.1: ``certificates``, ``education``, ``skills`` and ``x-passport-*`` extras.

JSON Resume has no expiry, status or id on certificates and carries no proof: those go in
``x-passport-validUntil`` / ``x-passport-status`` / ``x-passport-credentialId`` and the
verification link in ``url`` (never an empty string for a URI field).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..model import CredentialRecord
from .common import EDUCATION, credit_text, effective_status, now_iso

SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"


def _extras(record: CredentialRecord, today) -> dict:
    extras = {"x-passport-credentialId": record.id, "x-passport-status": effective_status(record, today),
              "x-passport-kind": str(record.achievement.kind)}
    if record.expires_on:
        extras["x-passport-validUntil"] = record.expires_on.isoformat()
    if record.achievement.credit:
        extras["x-passport-credit"] = [c.model_dump(mode="json", exclude_none=True) for c in record.achievement.credit]
    if record.achievement.ctid:
        extras["x-passport-ctid"] = record.achievement.ctid
    if record.verification:
        extras["x-passport-verification"] = str(record.verification.status)
    return extras


def resume(records: list[CredentialRecord], *, link: str | None = None, base_url: str = "",
           now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    today = now.date()
    doc: dict = {"$schema": SCHEMA_URL}
    holders = [r.holder for r in records if r.holder]
    basics: dict = {}
    if holders:
        basics["name"] = holders[0].name
    if link:
        basics["profiles"] = [{"network": "Career Passport", "url": link}]
    if basics:
        doc["basics"] = basics
    education, certificates, skills = [], [], {}
    for r in records:
        kind = str(r.achievement.kind)
        if kind in EDUCATION:
            item = {"institution": r.issuer.name, "studyType": kind.replace("_", " "), "area": r.achievement.title}
            if r.issued_on:
                item["endDate"] = r.issued_on.isoformat()
            grades = [res.value for res in r.results if res.name.casefold() in ("grade", "gpa", "score")]
            if grades:
                item["score"] = grades[0]
            if r.achievement.credit:
                item["courses"] = [f"{r.achievement.title} ({credit_text(r)})"]
            if link:
                item["url"] = link
            education.append(item | _extras(r, today))
        else:
            item = {"name": r.achievement.title, "issuer": r.issuer.name}
            if r.issued_on:
                item["date"] = r.issued_on.isoformat()
            if link:
                item["url"] = link
            certificates.append(item | _extras(r, today))
        for s in r.achievement.skills:
            entry = skills.setdefault(s.name, {"name": s.name, "keywords": []})
            for word in (s.framework, s.code):
                if word and word not in entry["keywords"]:
                    entry["keywords"].append(word)
            if s.url:
                entry["x-passport-url"] = s.url
    if education:
        doc["education"] = education
    if certificates:
        doc["certificates"] = certificates
    if skills:
        doc["skills"] = list(skills.values())
    meta: dict = {"version": "v1.2.1", "lastModified": now_iso(now).removesuffix("Z")}
    if link:
        meta["canonical"] = link
    doc["meta"] = meta
    return doc
