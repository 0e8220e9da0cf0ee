"""Open Badges 3.0 ``AchievementCredential`` (VC data model 1.1, as the 1EdTech JSON Schema requires).

Unsigned unless the hub has a signing key (then a VC-JWT, see ``signing``): no proof is
ever faked. Skills, occupations and
the registry CTID become ``alignment[]``; credit becomes ``creditsEarned`` /
``creditsAvailable`` with the unit in the description (OB has no unit field); expiry is
``expirationDate``; the rest of the record rides in the ``passportHub`` extension term.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..model import CredentialRecord
from .common import EXTENSION, context_url, credit_text, ctid_url, extension, iso_end, iso_start, now_iso, urn

VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

ACHIEVEMENT_TYPE = {
    "degree": "Degree", "certificate": "Certificate", "certification": "Certification", "license": "License",
    "badge": "Badge", "apprenticeship": "ApprenticeshipCertificate", "military_course": "Course",
    "military_occupation": "ext:MilitaryOccupation", "course": "Course", "test_score": "Assessment",
    "other": "Achievement",
}
#: CTDL classes that name an OB achievement type more precisely than our kind
CTDL_TYPE = {
    "ceterms:AssociateDegree": "AssociateDegree", "ceterms:BachelorDegree": "BachelorDegree",
    "ceterms:MasterDegree": "MasterDegree", "ceterms:DoctoralDegree": "DoctoralDegree",
    "ceterms:Diploma": "Diploma", "ceterms:Certification": "Certification", "ceterms:License": "License",
    "ceterms:ApprenticeshipCertificate": "ApprenticeshipCertificate", "ceterms:Badge": "Badge",
    "ceterms:OpenBadge": "Badge", "ceterms:MicroCredential": "MicroCredential",
    "ceterms:CertificateOfCompletion": "CertificateOfCompletion", "ceterms:JourneymanCertificate":
    "JourneymanCertificate", "ceterms:MasterCertificate": "MasterCertificate",
}
ONET_URL = "https://www.onetonline.org/link/summary/{code}"


def achievement_type(record: CredentialRecord) -> str:
    return CTDL_TYPE.get(record.achievement.ctdl_type or "", ACHIEVEMENT_TYPE.get(str(record.achievement.kind),
                                                                                    "Achievement"))


def _alignments(record: CredentialRecord) -> list[dict]:
    out = []
    for s in record.achievement.skills:
        url = s.url or urn("skill", s.framework or "", s.code or "", s.name)
        item = {"type": ["Alignment"], "targetName": s.name, "targetUrl": url, "targetType": "ceasn:Competency"}
        if s.framework:
            item["targetFramework"] = s.framework
        if s.code:
            item["targetCode"] = s.code
        out.append(item)
    for o in record.achievement.occupations:
        url = ONET_URL.format(code=o.code) if o.framework == "onet_soc" else urn("occupation", o.framework, o.code)
        out.append({"type": ["Alignment"], "targetName": o.title or o.code, "targetUrl": url,
                    "targetFramework": o.framework, "targetCode": o.code, "targetType": "ext:Occupation"})
    if record.achievement.ctid:
        out.append({"type": ["Alignment"], "targetName": record.achievement.title,
                    "targetUrl": ctid_url(record.achievement.ctid), "targetCode": record.achievement.ctid,
                    "targetFramework": "Credential Engine Registry", "targetType": "CTDL"})
    return out


def _identifiers(identifiers) -> list[dict]:
    return [{"type": "IdentifierEntry", "identifier": i.value + (f" (version {i.version})" if i.version else ""),
             "identifierType": f"ext:{i.scheme}"} for i in identifiers]


def issuer_profile(record: CredentialRecord) -> dict:
    issuer = record.issuer
    profile = {"id": issuer.url or urn("issuer", issuer.name, *(f"{i.scheme}:{i.value}" for i in issuer.identifiers)),
               "type": ["Profile"], "name": issuer.name}
    if issuer.url:
        profile["url"] = issuer.url
    if issuer.identifiers:
        profile["otherIdentifier"] = _identifiers(issuer.identifiers)
    return profile


def achievement(record: CredentialRecord) -> dict:
    a = record.achievement
    description = a.description or f"{a.title}, awarded by {record.issuer.name}."
    if a.credit:
        description += f" Credit: {credit_text(record)}."
    data = {
        "id": ctid_url(a.ctid) if a.ctid else urn("achievement", record.issuer.name, a.title, str(a.kind)),
        "type": ["Achievement"],
        "achievementType": achievement_type(record),
        "name": a.title,
        "description": description,
        "criteria": {"narrative": f"Awarded by {record.issuer.name}."},
    }
    if alignment := _alignments(record):
        data["alignment"] = alignment
    if a.credit:
        data["creditsAvailable"] = sum(c.amount for c in a.credit)
    if a.identifiers:
        data["otherIdentifier"] = _identifiers(a.identifiers)
    if a.ctid:
        data["humanCode"] = a.ctid
    if record.results:
        data["resultDescription"] = [
            {"id": urn("result", record.id, r.name), "type": ["ResultDescription"], "name": r.name,
             "resultType": "ext:" + "".join(w.capitalize() for w in r.name.split()) or "ext:Result"}
            for r in record.results
        ]
    return data


def credential(record: CredentialRecord, *, link: str | None = None, base_url: str = "",
               now: datetime | None = None, issuer: dict | None = None) -> dict:
    """``issuer``: the hub's Profile when the hub signs the export; the record's own issuer then
    becomes the achievement's ``creator`` (the hub vouches for the record, it did not award it)."""
    now = now or datetime.now(UTC)
    subject: dict = {"type": ["AchievementSubject"], "achievement": achievement(record)}
    if issuer is not None:
        subject["achievement"]["creator"] = issuer_profile(record)
    if record.achievement.credit:
        subject["creditsEarned"] = sum(c.amount for c in record.achievement.credit)
    if record.results:
        subject["result"] = [{"type": ["Result"], "resultDescription": urn("result", record.id, r.name),
                              "value": r.value} for r in record.results]
    if record.issued_on:
        subject["activityEndDate"] = iso_start(record.issued_on)
    doc = {
        "@context": [VC_CONTEXT, OB_CONTEXT, context_url(base_url)],
        "id": urn("credential", record.id),
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": record.achievement.title,
        "issuer": issuer or issuer_profile(record),
        "issuanceDate": iso_start(record.issued_on) if record.issued_on else now_iso(now),
        "credentialSubject": subject,
    }
    if record.holder:
        subject["identifier"] = [{"type": "IdentityObject", "hashed": False, "identityHash": record.holder.name,
                                  "identityType": "ext:name"}]
    if record.expires_on:
        doc["expirationDate"] = iso_end(record.expires_on)
    if link:
        doc["evidence"] = [{"id": link, "type": ["Evidence"], "name": "Career Passport verification link"}]
    doc[EXTENSION] = extension(record, link, now.date())
    return doc
