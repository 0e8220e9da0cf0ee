"""OB 3.0 / CLR 2.0 / W3C VC credentials -> ``CredentialRecord``.

- An OpenBadgeCredential / AchievementCredential (VC 1.1 or 2.0, JSON or VC-JWT) is one
  record: the achievement with its alignments (skills, occupations, a CTDL CTID), the
  issuer profile, the holder (subject name / unhashed identifiers), validity dates,
  results (with their ResultDescription names), evidence and credits as results.
- A ClrCredential yields one record per credential it holds
  (``credentialSubject.verifiableCredential[]``); the CLR and its associations are kept
  in each record's results, achievements listed without a credential in its warnings.
- Any other VC becomes one record of kind ``other`` (with a warning).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import ValidationError

from passport_hub.contract import Document
from passport_hub.dates import parse_datetime
from passport_hub.errors import MalformedError, UnrecognizedError
from passport_hub.exports.common import EXTENSION
from passport_hub.model import (
    CredentialRecord,
    Credit,
    Identifier,
    Kind,
    Occupation,
    RecordStatus,
    Result,
    Skill,
    stable_id,
)

OB_TYPES = ("OpenBadgeCredential", "AchievementCredential")
CLR_TYPE = "ClrCredential"
#: HR Open's wrapper of a resume (its samples' and passport-hub's LER-RS export's type)
LER_RS_TYPE = "LER-RS VC"
_CREDENTIAL_TYPES = (*OB_TYPES, CLR_TYPE)
VC_BASES = ("https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2")

_KIND_BY_TYPE = {
    "degree": Kind.DEGREE,
    "associatedegree": Kind.DEGREE,
    "bachelordegree": Kind.DEGREE,
    "masterdegree": Kind.DEGREE,
    "doctoraldegree": Kind.DEGREE,
    "professionaldoctorate": Kind.DEGREE,
    "researchdoctorate": Kind.DEGREE,
    "certificate": Kind.CERTIFICATE,
    "diploma": Kind.CERTIFICATE,
    "generaleducationdevelopment": Kind.CERTIFICATE,
    "journeymancertificate": Kind.CERTIFICATE,
    "mastercertificate": Kind.CERTIFICATE,
    "certificateofcompletion": Kind.CERTIFICATE,
    "secondaryschooldiploma": Kind.CERTIFICATE,
    "certification": Kind.CERTIFICATION,
    "license": Kind.LICENSE,
    "apprenticeshipcertificate": Kind.APPRENTICESHIP,
    "course": Kind.COURSE,
    "assessmentresult": Kind.TEST_SCORE,
    "assessment": Kind.TEST_SCORE,
    "badge": Kind.BADGE,
    "competency": Kind.BADGE,
    "microcredential": Kind.BADGE,
    "achievement": Kind.BADGE,
    "award": Kind.BADGE,
    "co-curricular": Kind.BADGE,
    "extracurricular": Kind.BADGE,
}
_SOC = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")
_CTID = re.compile(r"(ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.I)


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        if len(value) > 80 and value.isprintable() and "  " not in value and value[0] != " " and value[-1] != " ":
            # no whitespace but single inner spaces (every other whitespace character is unprintable):
            # nothing to collapse, and a long description is not split into words for nothing
            return value
        return " ".join(value.split()) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_datetime(value).date()
    except ValueError:
        return None


def types_of(cred: dict) -> list[str]:
    return [t for t in as_list(cred.get("type")) if isinstance(t, str)]


def is_credential(value: Any) -> bool:
    """A W3C VC (VC base context first, type VerifiableCredential), or an object typed as an
    OB 3.0 / CLR 2.0 credential even with broken contexts (imported; the verifier flags it)."""
    if not isinstance(value, dict):
        return False
    types = types_of(value)
    ctx = as_list(value.get("@context"))
    if ctx and ctx[0] in VC_BASES and "VerifiableCredential" in types:
        return True
    return "credentialSubject" in value and any(t in types for t in _CREDENTIAL_TYPES)


def _scheme_for(uri: str) -> str:
    if uri.startswith("did:"):
        return "did"
    if uri.startswith("urn:"):
        return "urn"
    return "url"


# The parts below are plain dicts, validated once as a whole by CredentialRecord.model_validate:
# one validation of the nested record costs a third less than a model per part.


def _other_identifiers(values: Any, idents: list[dict]) -> None:
    for other in as_list(values):
        if isinstance(other, dict):
            value = _str(other.get("identifier"))
            if value:
                # "ext:" only marks a type OB does not define; the scheme is what follows
                scheme = (_str(other.get("identifierType")) or "other").removeprefix("ext:") or "other"
                idents.append({"scheme": scheme, "value": value})


def _issuer(cred: dict) -> dict | None:
    """The issuer Profile; ``None`` when the credential names none (no id, no name)."""
    raw = cred.get("issuer")
    profile = raw if isinstance(raw, dict) else {"id": raw}
    ident = _str(profile.get("id"))
    idents = [{"scheme": _scheme_for(ident), "value": ident}] if ident else []
    _other_identifiers(profile.get("otherIdentifier"), idents)
    name = _str(profile.get("name")) or ident
    if name is None:
        return None
    return {"name": name, "identifiers": idents, "url": _str(profile.get("url"))}


def _holder(subject: dict, warnings: list[str]) -> tuple[dict | None, str]:
    """The recipient, and the key record ids are made from: the first identifier, else the name
    (as before a name given only as an identity was read: ids stay what they were)."""
    idents: list[dict] = []
    email = None
    sid = _str(subject.get("id"))
    if sid:
        idents.append({"scheme": _scheme_for(sid), "value": sid})
    hashed = 0
    named = None
    for ident in as_list(subject.get("identifier")):
        if not isinstance(ident, dict):
            continue
        flag = ident.get("hashed")
        if flag is True or str(flag).lower() == "true":
            hashed += 1
            continue
        value = _str(ident.get("identityHash"))
        kind = _str(ident.get("identityType")) or "identifier"
        if not value:
            continue
        if kind in ("name", "ext:name"):  # the recipient's name, in the clear (as passport-hub exports it)
            named = named or value
        elif kind == "emailAddress" and email is None:
            email = value
        idents.append({"scheme": kind, "value": value})
    if hashed:
        warnings.append(f"{hashed} hashed recipient identifier(s) kept out of the record (identityHash)")
    name = _str(subject.get("name")) or email or sid
    key = (idents[0]["value"] if idents else name) if name else ""
    name = name or named
    if not name:
        return None, ""
    return {"name": name, "email": email,
            "identifiers": [i for i in idents if i["scheme"] not in ("name", "ext:name")]}, key


def _alignments(achievement: dict) -> tuple[list[dict], list[dict], str | None]:
    skills: list[dict] = []
    occupations: list[dict] = []
    ctid = None
    for al in as_list(achievement.get("alignment")):
        if not isinstance(al, dict):
            continue
        name = _str(al.get("targetName"))
        code = _str(al.get("targetCode"))
        url = _str(al.get("targetUrl"))
        framework = _str(al.get("targetFramework"))
        ttype = _str(al.get("targetType")) or ""
        if ttype in ("CTDL", "ceterms:Credential") and url:
            found = _CTID.search(url)
            if found:
                ctid = ctid or found.group(1).lower()
                continue
        if code and _SOC.match(code):
            blob = " ".join(filter(None, [framework, url])).lower()
            if "o*net" in blob or "onet" in blob or "soc" in blob:
                framework_name = "onet_soc" if "." in code or "onet" in blob or "o*net" in blob else "soc"
                occupations.append({"framework": framework_name, "code": code, "title": name})
                continue
        if name or code:
            skills.append({"name": name or code, "framework": framework, "code": code, "url": url})
    return skills, occupations, ctid


def _achievement(cred_types: list[str], cred: dict, achievement: dict, warnings: list[str]) -> dict:
    atype = _str(achievement.get("achievementType")) or ""
    kind = _KIND_BY_TYPE.get(atype.lower().removeprefix("ext:"))
    if kind is None:
        kind = Kind.BADGE if any(t in cred_types for t in OB_TYPES) else Kind.OTHER
        if atype:
            warnings.append(f"achievementType {atype!r} mapped to kind {kind.value}")
    skills, occupations, ctid = _alignments(achievement)
    idents: list[dict] = []
    aid = _str(achievement.get("id"))
    if aid:
        idents.append({"scheme": _scheme_for(aid), "value": aid})
    human_code = _str(achievement.get("humanCode"))
    if human_code:
        idents.append({"scheme": "human_code", "value": human_code})
    _other_identifiers(achievement.get("otherIdentifier"), idents)
    if ctid:
        idents.append({"scheme": "ctid", "value": ctid})
    title = _str(achievement.get("name")) or _str(cred.get("name"))  # one of them: credential_records checks
    return {
        "kind": kind,
        "title": title,
        "description": _str(achievement.get("description")),
        "ctid": ctid,
        "identifiers": idents,
        "skills": skills,
        "occupations": occupations,
    }


#: what a passport-hub export's extension keeps of the achievement, and the model each item is
_EXPORTED_LISTS = (("credit", Credit), ("occupations", Occupation), ("skills", Skill), ("identifiers", Identifier))


def _restore_exported(ach: dict, exported: dict, warnings: list[str]) -> tuple[str | None, list[dict]]:
    """Put back what a passport-hub export keeps in its ``passportHub`` extension because Open
    Badges has no field for it (the kind, credit with its unit, occupations, identifiers with
    their schemes and versions, the results as named, the record's own warnings): a record moved
    to another holder or hub keeps what credit for prior learning reads. The export leaves out
    empty lists; identifiers and description it always states (an export from before it did
    keeps what the Open Badges fields say). Returns the record's stated status and its results;
    what cannot be read is left out with a warning, and every list is capped (the document is
    the holder's, not the hub's)."""
    ach["kind"] = exported["kind"]
    ach["ctdl_type"] = _capped_text(exported.get("ctdlType"))
    if "description" in exported:
        ach["description"] = _capped_text(exported["description"], 5000)
    for key, model in _EXPORTED_LISTS:
        if key in exported or key != "identifiers":
            ach[key] = _readable(exported.get(key), model, f"passportHub {key}", warnings)
    stated = exported.get("statusStated")
    results = _readable(exported.get("results"), Result, "passportHub results", warnings)
    original = [w[:1000] for w in as_list(exported.get("warnings")) if isinstance(w, str)]
    warnings += original[:_MOST]
    return (stated if _text_in(stated, _STATUSES) else None), results


#: at most this many items of any list an export's extension carries
_MOST = 500


def _readable(items: Any, model: type, what: str, warnings: list[str]) -> list[dict]:
    items = as_list(items)
    out, unreadable = [], 0
    for item in items[:_MOST]:
        try:
            out.append(model.model_validate(item).model_dump(exclude_none=True))
        except ValidationError:
            unreadable += 1
    if unreadable:
        warnings.append(f"{what}: {unreadable} unreadable item(s) left out")
    if len(items) > _MOST:
        warnings.append(f"{what}: only the first {_MOST} of {len(items)} kept")
    return out


def _capped_text(value: Any, most: int = 500) -> str | None:
    return value.strip()[:most] or None if isinstance(value, str) else None


def _text_in(value: Any, allowed: frozenset[str]) -> bool:
    return isinstance(value, str) and value in allowed


_KINDS = frozenset(k.value for k in Kind)
_STATUSES = frozenset(s.value for s in RecordStatus)

_SUBJECT_RESULTS = (
    ("creditsEarned", "credits_earned"),
    ("term", "term"),
    ("role", "role"),
    ("licenseNumber", "license_number"),
    ("activityStartDate", "activity_start"),
    ("activityEndDate", "activity_end"),
)


def _results(cred: dict, subject: dict, achievement: dict) -> list[dict]:
    out: list[dict] = []
    descriptions = {rd.get("id"): rd for rd in as_list(achievement.get("resultDescription")) if isinstance(rd, dict)}
    levels = {}
    for rd in descriptions.values():
        for lvl in as_list(rd.get("rubricCriterionLevel")):
            if isinstance(lvl, dict) and lvl.get("id"):
                levels[lvl["id"]] = lvl
    for res in as_list(subject.get("result")):
        if not isinstance(res, dict):
            continue
        rd = descriptions.get(res.get("resultDescription")) or {}
        aligned = next((a for a in as_list(res.get("alignment")) if isinstance(a, dict)), {})
        name = _str(rd.get("name")) or _str(aligned.get("targetName")) or "result"
        value = _str(res.get("value"))
        if value is None and res.get("achievedLevel"):
            lvl = levels.get(res["achievedLevel"]) or {}
            value = _str(lvl.get("name")) or _str(res["achievedLevel"])
        if value is None:
            value = _str(res.get("status"))
        if value is not None:
            out.append({"name": name, "value": value})
    for key, label in _SUBJECT_RESULTS:
        if key in subject:
            value = _str(subject[key])
            if value:
                out.append({"name": label, "value": value})
    for key, label in (("creditsAvailable", "credits_available"), ("fieldOfStudy", "field_of_study")):
        if key in achievement:
            value = _str(achievement[key])
            if value:
                out.append({"name": label, "value": value})
    # evidence may sit on the credential (OB 3.0) or the subject
    for ev in as_list(cred.get("evidence")) + as_list(subject.get("evidence")):
        if isinstance(ev, dict):
            label = _str(ev.get("name")) or _str(ev.get("description")) or _str(ev.get("narrative")) or "evidence"
            link = _str(ev.get("id"))
            out.append({"name": "evidence", "value": f"{label} <{link}>" if link else label})
        else:
            value = _str(ev)
            if value:
                out.append({"name": "evidence", "value": value})
    return out


def _subjects(cred: dict) -> list[dict]:
    return [s for s in as_list(cred.get("credentialSubject")) if isinstance(s, dict)]


def credential_records(
    cred: dict,
    *,
    document: Document,
    plugin_version: str,
    form: str,
    today: date,
    locator: str | None = None,
    extra_results: list[dict] | None = None,
    extra_warnings: list[str] | None = None,
) -> Iterator[CredentialRecord]:
    """One record per AchievementSubject (normally exactly one); ``today`` tells a passed expiry."""
    types = types_of(cred)
    contexts = as_list(cred.get("@context"))
    version = "VC 2.0" if VC_BASES[1] in contexts else "VC 1.1" if VC_BASES[0] in contexts else "no VC context"
    ob = next((t for t in types if t in OB_TYPES), None)
    label = (
        f"OB 3.0 {ob}" if ob else f"W3C VC {'/'.join(t for t in types if t != 'VerifiableCredential') or 'credential'}"
    )
    record_format = f"{label} ({version}, {form})"
    where = f"{document.name}: the credential" + (f" at {locator}" if locator else "")
    issuer = _issuer(cred)
    if issuer is None:
        raise MalformedError(f"{where} names no issuer (a verifiable credential must)")
    cname = _str(cred.get("name"))
    subjects = _subjects(cred) or [{}]
    if not cname and not all(isinstance(s.get("achievement"), dict) and _str(s["achievement"].get("name"))
                             for s in subjects):
        # nothing earned to record (for one subject at least): an OB credential that lost its
        # achievement, or another kind of VC (a status list, an identity document)
        if ob:
            raise MalformedError(f"{where} names no achievement (neither credentialSubject.achievement.name "
                                 "nor a credential name)")
        if LER_RS_TYPE in types:
            raise UnrecognizedError(f"{where} is an LER-RS resume, which passport-hub writes (export --format "
                                    "ler-rs) but does not import: import the documents its credentials were read "
                                    "from, or an ob3 or clr export")
        raise UnrecognizedError(f"{where} is a {label.removeprefix('W3C VC ')} that names nothing earned "
                                "(no name, no achievement); only achievement credentials are imported")
    issuer_key = issuer["identifiers"][0]["value"] if issuer["identifiers"] else issuer["name"]
    exported = cred.get(EXTENSION)
    if not (isinstance(exported, dict) and _text_in(exported.get("kind"), _KINDS)):
        exported = None  # not a passport-hub export (or one too garbled to be read as one)
    if exported is None:
        issued = _date(cred.get("validFrom") or cred.get("issuanceDate") or cred.get("awardedDate"))
        expires = _date(cred.get("validUntil") or cred.get("expirationDate"))
    else:  # the record's own dates: a VC needs an issuance date, an undated course has none
        issued, expires = _date(exported.get("issuedOn")), _date(exported.get("validUntil"))
        # signed, the hub is the credential's issuer and the one who awarded it the creator
        creator = next((s["achievement"].get("creator") for s in subjects if isinstance(s.get("achievement"), dict)
                        and isinstance(s["achievement"].get("creator"), dict)), None)
        issuer = (_issuer({"issuer": creator}) if creator else None) or issuer
    # a passed expiry is what the credential itself says; revocation needs its status list (verify)
    status = RecordStatus.EXPIRED if expires is not None and expires < today else RecordStatus.UNKNOWN
    cid = _str(cred.get("id")) or "open_badges"
    copy_of = _str(exported.get("recordId")) if exported is not None else None
    if copy_of and len(copy_of) > 100:  # no record id is that long
        copy_of = None
    several = len(subjects) > 1
    for n, subject in enumerate(subjects):
        warnings = list(extra_warnings or [])
        achievement = subject.get("achievement")
        if not isinstance(achievement, dict):
            if ob:
                warnings.append("credentialSubject has no achievement; the credential name is used")
            else:
                warnings.append("not an Open Badges credential: imported as kind 'other' from its name")
            achievement = {"name": cred.get("name"), "description": cred.get("description")}
        holder, holder_key = _holder(subject, warnings)
        mapping_warnings: list[str] = []
        ach = _achievement(types, cred, achievement, mapping_warnings)
        record_status = status
        if exported is not None:
            # the record as it was: how Open Badges fields map back does not matter then, nor
            # which of the hub's own packagings (a list, a CLR) it came in
            stated, results = _restore_exported(ach, exported, warnings)
            # a passed expiry outranks only "active" / "unknown": a revoked credential stays revoked
            if stated is not None and not (status == RecordStatus.EXPIRED and stated in ("active", "unknown")):
                record_status = stated
        else:
            results = list(extra_results or [])
            warnings += mapping_warnings
            if cname and cname != ach["title"]:
                results.insert(0, {"name": "credential_name", "value": cname})
            results += _results(cred, subject, achievement)
        if cred.get("endorsement") or achievement.get("endorsement"):
            count = len(as_list(cred.get("endorsement"))) + len(as_list(achievement.get("endorsement")))
            warnings.append(f"{count} embedded EndorsementCredential(s) not imported as records")
        if exported is not None and copy_of:
            # a copy of a hub's record is that record wherever it was packed: in a list, in a CLR,
            # signed by the hub (its issuer then) or not
            record_id = stable_id("passport-hub export", copy_of, holder_key, n if several else "")
        else:
            record_id = stable_id(issuer_key, _str(achievement.get("id")) or ach["title"], holder_key, cid,
                                  n if several else "")
        loc = locator or ""
        if several:
            loc = f"{loc}credentialSubject[{n}]" if not loc else f"{loc}.credentialSubject[{n}]"
        yield CredentialRecord.model_validate({
            "id": record_id,
            "holder": holder,
            "issuer": issuer,
            "achievement": ach,
            "issued_on": issued,
            "expires_on": expires,
            "status": record_status,
            "results": results,
            "source": {
                "plugin": "open_badges",
                "plugin_version": plugin_version,
                "format": record_format,
                "document_sha256": document.sha256,
                "locator": loc or None,
                "copy_of": copy_of,
            },
            "warnings": warnings,
        })


def clr_records(clr: dict, *, document: Document, plugin_version: str, form: str,
                today: date) -> Iterator[CredentialRecord]:
    """One record per credential a ClrCredential holds; associations kept in results."""
    subject = next(iter(_subjects(clr)), None)
    if subject is None:
        raise MalformedError(f"{document.name}: the ClrCredential has no credentialSubject")
    held = as_list(subject.get("verifiableCredential"))
    if not held:
        raise MalformedError(f"{document.name}: the ClrCredential holds no verifiableCredential")
    achievements = {a.get("id"): a for a in as_list(subject.get("achievement")) if isinstance(a, dict)}
    associations = [a for a in as_list(subject.get("association")) if isinstance(a, dict)]
    clr_label = (f"{_str(clr.get('name')) or 'CLR'} <{_str(clr.get('id')) or 'no id'}> from "
                 f"{(_issuer(clr) or {'name': 'an unnamed issuer'})['name']}")
    covered: set[str] = set()
    parsed: list[tuple[int, dict, str]] = []
    for i, item in enumerate(held):
        if isinstance(item, str):
            from .vcjwt import JwtError, credential_of, decode  # crypto loads only for a VC-JWT

            try:
                parsed.append((i, credential_of(decode(item)), "VC-JWT in CLR"))
            except JwtError as exc:
                raise MalformedError(f"{document.name}: held credential [{i}] is not a valid VC-JWT ({exc})") from exc
        elif is_credential(item):
            parsed.append((i, item, "JSON in CLR"))
        else:
            raise MalformedError(f"{document.name}: held credential [{i}] is not a verifiable credential")
    for _i, cred, _f in parsed:
        for s in _subjects(cred):
            if isinstance(s.get("achievement"), dict) and s["achievement"].get("id"):
                covered.add(s["achievement"]["id"])
    orphan = [a for aid, a in achievements.items() if aid not in covered]
    links = [(a.get("sourceId"), a.get("targetId"), a.get("associationType")) for a in associations]
    for pos, (i, cred, sub_form) in enumerate(parsed):
        aids = {s["achievement"].get("id") for s in _subjects(cred) if isinstance(s.get("achievement"), dict)}
        extra = [{"name": "clr", "value": clr_label}]
        for src, tgt, association_type in links:
            if src in aids:
                other, direction = tgt, ""
            elif tgt in aids:
                other, direction = src, "inverse "
            else:
                continue
            other_name = _str((achievements.get(other) or {}).get("name"))
            extra.append({
                "name": "association",
                "value": f"{direction}{association_type} {other}" + (f" ({other_name})" if other_name else ""),
            })
        warnings = []
        if pos == 0 and orphan:
            names = ", ".join(f"{_str(a.get('name')) or '?'} <{a.get('id')}>" for a in orphan)
            warnings.append(f"the CLR lists achievement(s) without a held credential, not imported: {names}")
        yield from credential_records(
            cred,
            document=document,
            plugin_version=plugin_version,
            form=f"{sub_form}, {form}",
            today=today,
            locator=f"credentialSubject.verifiableCredential[{i}]",
            extra_results=extra,
            extra_warnings=warnings,
        )
