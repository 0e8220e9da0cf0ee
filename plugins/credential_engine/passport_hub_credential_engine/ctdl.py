"""CTDL JSON-LD → catalog entries.

Four document forms carry the same record (format note §2): a flat *resource*, a *graph*
(``@graph`` with blank nodes), a registry *envelope* whose ``decoded_resource`` holds the
graph, and a *search* result (a JSON array of flat nodes, or the search API's response
object with a ``data`` array). Every node of the document goes into one index so that
references (owners, QA organizations, occupations, competencies) resolve inside the
document when the node is there; only credential nodes with a CTID become entries.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from passport_hub.contract import parse_json
from passport_hub.dates import parse_date_or_none
from passport_hub.errors import MalformedError, UnrecognizedError
from passport_hub.model import (
    CatalogEntry,
    RegistryStatus,
    stable_id,
)

from .detect import FORMAT_ENVELOPE, FORMAT_GRAPH, FORMAT_SEARCH, detect_form, node_types
from .jsonld import (
    as_list,
    clean_text,
    is_sandbox_iri,
    iter_dicts,
    lang_list,
    lang_text,
    normalize_ctid,
    ref_id,
)
from .vocab import ClassInfo, classify_type, local_name

PLUGIN = "credential_engine"


def _envelope_payload(envelope: dict, name: str) -> Any:
    payload = envelope.get("decoded_resource")
    if isinstance(payload, str):
        try:
            payload = parse_json(payload, name=name)
        except MalformedError:
            raise MalformedError(f"{name}: the envelope's decoded_resource is not JSON") from None
    if payload is None and isinstance(envelope.get("resource"), str):
        # the payload as a signed JWT: read its claims (the signature is not ours to check)
        parts = envelope["resource"].split(".")
        if len(parts) == 3:
            try:
                payload = parse_json(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)), name=name)
            except (ValueError, binascii.Error, MalformedError):
                payload = None
    if not isinstance(payload, (dict, list)):
        raise MalformedError(f"{name}: registry envelope without a readable CTDL payload")
    return payload


# ---------------------------------------------------------------------------------------
# the node index


_UNSEEN = object()


class NodeIndex:
    """Every node of a document, reachable by ``@id`` (as written or canonical) and by CTID.

    It also remembers what each IRI of this document normalizes to: a record names the same
    owner and registry IRIs in several properties, and each is normalized once.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, dict] = {}
        self._ctids: dict[str, str | None] = {}

    def ctid(self, value: Any) -> str | None:
        """:func:`normalize_ctid` of ``value``."""
        if not isinstance(value, str):
            return None
        found = self._ctids.get(value, _UNSEEN)
        if found is _UNSEEN:
            found = self._ctids[value] = normalize_ctid(value)
        return found

    def key(self, iri: str) -> str:
        """A join key for a reference: ``ctid:<lower ctid>`` for registry IRIs, else the IRI."""
        if iri.startswith("_:"):
            return iri
        ctid = self.ctid(iri)
        return f"ctid:{ctid}" if ctid else iri

    def add(self, node: dict) -> None:
        ident = node.get("@id")
        if isinstance(ident, str) and ident:
            self._by_key.setdefault(ident, node)
            self._by_key.setdefault(self.key(ident), node)
        ctid = self.ctid(node.get("ceterms:ctid"))
        if ctid:
            self._by_key.setdefault(f"ctid:{ctid}", node)

    def get(self, ref: Any) -> dict | None:
        if isinstance(ref, dict) and "@id" not in ref:
            return ref  # an embedded node (legacy data)
        ident = ref_id(ref)
        if not ident:
            return None
        return self._by_key.get(ident) or self._by_key.get(self.key(ident))


# ---------------------------------------------------------------------------------------
# alignment objects: occupations, industries, programs

_ONET = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
_SOC = re.compile(r"^\d{2}-\d{4}$")
_CIP = re.compile(r"^\d{2}(?:\.\d{2}(?:\d{2})?)?$")
_NAICS = re.compile(r"^\d{2,6}$")
_CIP_IN_TEXT = re.compile(r"\bCIP(?:\s*Code)?\s*[:#]?\s*(\d{2}\.\d{4}|\d{2}\.\d{2})\b", re.IGNORECASE)


@dataclass
class Alignment:
    framework: str | None  # onet_soc, soc, naics, cip, or None (unknown)
    code: str | None
    title: str | None
    framework_url: str | None = None
    framework_name: str | None = None


def _code_from_target(target: str | None) -> str | None:
    if not target:
        return None
    if "://" not in target:
        return target.strip() or None
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    for key in ("cip", "code", "input", "id"):
        if query.get(key):
            return query[key][0].strip() or None
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return tail or None


def _framework_of(url: str, code: str | None, context: str) -> str | None:
    text = url.lower()
    if "onetcenter.org" in text or "onetonline.org" in text or "onetcodeconnector" in text:
        if code and _SOC.match(code):
            return "soc"
        return "onet_soc"
    if "bls.gov/soc" in text:
        return "onet_soc" if code and _ONET.match(code) else "soc"
    if "census.gov/naics" in text or "naics" in text:
        return "naics"
    if "nces.ed.gov" in text and "cip" in text:
        return "cip"
    if code:
        if _ONET.match(code):
            return "onet_soc"
        if _SOC.match(code):
            return "soc"
        if context == "program" and _CIP.match(code):
            return "cip"
        if context == "industry" and _NAICS.match(code):
            return "naics"
    return None


def read_alignment(value: Any, context: str) -> Alignment | None:
    """One CredentialAlignmentObject (or a bare code string) as framework + code + title.

    ``frameworkName`` is not trusted (WGU labels O*NET "Standard Occupational
    Classification"): the framework comes from the ``framework`` URL, then the
    ``targetNode`` URL, then the code's shape.
    """
    if isinstance(value, str):
        code = value.strip()
        return Alignment(_framework_of("", code, context), code or None, None) if code else None
    if not isinstance(value, dict):
        return None
    framework_url = value.get("ceterms:framework") if isinstance(value.get("ceterms:framework"), str) else None
    target = value.get("ceterms:targetNode") if isinstance(value.get("ceterms:targetNode"), str) else None
    notation = value.get("ceterms:codedNotation")
    code = (notation.strip() if isinstance(notation, str) else None) or _code_from_target(target)
    title = clean_text(lang_text(value.get("ceterms:targetNodeName")))
    framework = _framework_of(framework_url or "", code, context)
    if framework is None and target:
        framework = _framework_of(target, code, context)
    if framework is None and code:
        framework = _framework_of("", code, context)
    return Alignment(framework, code, title, framework_url, lang_text(value.get("ceterms:frameworkName")))


# ---------------------------------------------------------------------------------------
# status

_CREDENTIAL_STATUS = {
    "active": RegistryStatus.ACTIVE,
    "deprecated": RegistryStatus.DEPRECATED,
    "superseded": RegistryStatus.DEPRECATED,
    "probationary": RegistryStatus.PROBATIONARY,
    "suspended": RegistryStatus.SUSPENDED,
    "eliminated": RegistryStatus.CEASED,
    "ceased": RegistryStatus.CEASED,
}
_LIFECYCLE_STATUS = {
    "active": RegistryStatus.ACTIVE,
    "suspended": RegistryStatus.SUSPENDED,
    "ceased": RegistryStatus.CEASED,
    "developing": RegistryStatus.UNKNOWN,
}


def _status_term(value: Any) -> str | None:
    """The local name of a status CAO's ``targetNode`` (or a bare term), lower-cased."""
    for item in as_list(value):
        if isinstance(item, str) and item.strip():
            return local_name(item).casefold()
        if isinstance(item, dict):
            target = item.get("ceterms:targetNode")
            if isinstance(target, str) and target.strip():
                return local_name(target).casefold()
            name = lang_text(item.get("ceterms:targetNodeName"))
            if name:
                return name.replace(" ", "").casefold()
    return None


def read_status(node: dict, warnings: list[str]) -> tuple[RegistryStatus, str | None]:
    """(registry status, life-cycle status term) from either status property.

    A missing status is ``unknown``, never active. When both properties are present
    and the life cycle says suspended or ceased, the stricter one wins (with a warning).
    """
    cred_term = _status_term(node.get("ceterms:credentialStatusType"))
    life_term = _status_term(node.get("ceterms:lifeCycleStatusType"))
    status = RegistryStatus.UNKNOWN
    if cred_term:
        status = _CREDENTIAL_STATUS.get(cred_term, RegistryStatus.UNKNOWN)
        if cred_term not in _CREDENTIAL_STATUS:
            warnings.append(f"credential status {cred_term!r} is not a known CTDL status; kept as unknown")
        elif cred_term in ("superseded", "eliminated"):
            warnings.append(f"credential status {cred_term!r} recorded as {status.value}")
        elif cred_term == "probationary":
            warnings.append("the registry lists this credential as probationary")
    if life_term:
        life_status = _LIFECYCLE_STATUS.get(life_term)
        if life_status is None:
            warnings.append(f"life-cycle status {life_term!r} is not a known CTDL status")
        elif status is RegistryStatus.UNKNOWN and not cred_term:
            status = life_status
        elif life_status in (RegistryStatus.SUSPENDED, RegistryStatus.CEASED) and status in (
            RegistryStatus.ACTIVE,
            RegistryStatus.PROBATIONARY,
        ):
            warnings.append(f"credential status says {status.value} but life cycle says {life_term}; using {life_term}")
            status = life_status
    return status, life_term


# ---------------------------------------------------------------------------------------
# building one entry

_QA_PROPERTIES = (("ceterms:accreditedBy", "accredited_by"), ("ceterms:recognizedBy", "recognized_by"),
                  ("ceterms:approvedBy", "approved_by"), ("ceterms:regulatedBy", "regulated_by"))
_CONDITION_PROPERTIES = ("ceterms:requires", "ceterms:recommends", "ceterms:renewal", "ceterms:corequisite")
_OCCUPATION_CONDITIONS = ("ceterms:isPreparationFor", *_CONDITION_PROPERTIES)
_CREDIT_UNITS = {"semesterhour": "semester_hours", "quarterhour": "quarter_units", "clockhour": "clock_hours"}


@dataclass
class _Ctx:
    index: NodeIndex
    form: str
    name: str
    sha256: str
    plugin_version: str
    wrapper_id: str | None = None
    dangling: dict[str, int] = field(default_factory=dict)
    #: organization labels by reference IRI: owners are usually offerers too
    orgs: dict[str, tuple[str, str | None, str | None, bool]] = field(default_factory=dict)


# The parts of an entry below are plain dicts, validated once as a whole by
# CatalogEntry.model_validate: one validation of the nested entry costs a third less than a
# model per part.


def _org_label(ref: Any, ctx: _Ctx) -> tuple[str, str | None, str | None, bool]:
    """(name, ctid, url, resolved) for an organization reference."""
    if isinstance(ref, str):
        label = ctx.orgs.get(ref)
        if label is None:
            label = ctx.orgs[ref] = _read_org_label(ref, ctx)
        return label
    return _read_org_label(ref, ctx)


def _read_org_label(ref: Any, ctx: _Ctx) -> tuple[str, str | None, str | None, bool]:
    index = ctx.index
    node = index.get(ref)
    ident = ref_id(ref)
    if node is not None:
        ctid = index.ctid(node.get("ceterms:ctid")) or index.ctid(node.get("@id")) or (
            index.ctid(ident) if ident else None
        )
        name = clean_text(lang_text(node.get("ceterms:name")))
        url = node.get("ceterms:subjectWebpage")
        if name:
            return name, ctid, url if isinstance(url, str) else None, True
    if not ident:
        return "unknown", None, None, False
    ctid = index.ctid(ident)
    if ctid and "://" in ident:  # the canonical registry IRI: /graph/ as /resources/, the CTID lower-cased
        parts = urlsplit(ident)
        iri = f"{parts.scheme}://{parts.netloc}/resources/{ctid}"
    else:
        iri = ident
    return iri, ctid, iri if "://" in iri else None, False


def _issuer(node: dict, ctx: _Ctx, warnings: list[str]) -> tuple[dict, list[dict]]:
    owners = as_list(node.get("ceterms:ownedBy"))
    offerers = as_list(node.get("ceterms:offeredBy"))
    extra: list[dict] = []
    chosen = owners[0] if owners else (offerers[0] if offerers else None)
    if chosen is None:
        warnings.append("no ceterms:ownedBy or ceterms:offeredBy: the owning organization is unknown")
        issuer: dict = {"name": "unknown"}
    else:
        name, ctid, url, resolved = _org_label(chosen, ctx)
        if not owners:
            warnings.append("no ceterms:ownedBy: the issuer is the first offering organization")
        if not resolved:
            ident = ref_id(chosen) or ""
            if ident.startswith("_:"):
                warnings.append(f"owner {ident} is a blank node not present in this document")
            else:
                warnings.append("owner organization is not in this document: issuer name is its registry URI")
        issuer = {"name": name, "identifiers": [{"scheme": "ctid", "value": ctid}] if ctid else [], "url": url}
        for other in owners[1:]:
            other_name, other_ctid, _, _ = _org_label(other, ctx)
            extra.append({"scheme": "co_owned_by", "value": other_ctid or other_name})
    seen: set[str] = set()
    for offerer in offerers:
        off_name, off_ctid, _, _ = _org_label(offerer, ctx)
        value = off_ctid or off_name
        if value not in seen:
            seen.add(value)
            extra.append({"scheme": "offered_by", "value": value})
    for prop, scheme in _QA_PROPERTIES:
        refs = node.get(prop)
        if refs is None:
            continue
        for ref in as_list(refs):
            qa_name, qa_ctid, _, resolved = _org_label(ref, ctx)
            ident = ref_id(ref) or ""
            if not resolved and ident.startswith("_:"):
                ctx.dangling[local_name(prop)] = ctx.dangling.get(local_name(prop), 0) + 1
                continue
            extra.append({"scheme": scheme, "value": qa_ctid or qa_name})
    return issuer, extra


def _occupation_from(al: Alignment, warnings: list[str]) -> dict | None:
    if not al.code:
        warnings.append(f"occupation {al.title or '(unnamed)'!r} has no code; left out")
        return None
    if al.framework not in ("onet_soc", "soc"):
        framework = al.framework or "other"
        warnings.append(f"occupation code {al.code!r} is in an unrecognized framework ({al.framework_url or '?'})")
        return {"framework": framework, "code": al.code, "title": al.title}
    return {"framework": al.framework, "code": al.code, "title": al.title}


def _occupations(node: dict, ctx: _Ctx, warnings: list[str]) -> list[dict]:
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(values: Any) -> None:
        for value in as_list(values):
            al = read_alignment(value, "occupation")
            occ = _occupation_from(al, warnings) if al else None
            if occ and (occ["framework"], occ["code"]) not in seen:
                seen.add((occ["framework"], occ["code"]))
                out.append(occ)

    add(node.get("ceterms:occupationType"))
    dangling = 0
    for prop in _OCCUPATION_CONDITIONS:
        conditions = node.get(prop)
        if conditions is None:
            continue
        for condition in iter_dicts(as_list(conditions)):
            for ref in as_list(condition.get("ceterms:targetOccupation")):
                target = ctx.index.get(ref)
                if target is None:
                    dangling += 1
                    continue
                add(target.get("ceterms:occupationType"))
    if dangling:
        warnings.append(
            f"{dangling} target occupation reference(s) are not in this document"
            " (the registry's /graph/ form carries them)"
        )
    return out


def _classifications(node: dict, props: tuple[str, ...], context: str, framework: str,
                     warnings: list[str]) -> list[dict]:
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for prop in props:
        values = node.get(prop)
        if values is None:
            continue
        for value in as_list(values):
            al = read_alignment(value, context)
            if al is None or not al.code:
                continue
            fw = al.framework or framework
            if fw != framework:
                warnings.append(f"{local_name(prop)} code {al.code!r} looks like {fw}, not {framework}; kept")
            if (fw, al.code) not in seen:
                seen.add((fw, al.code))
                out.append({"framework": fw, "code": al.code, "title": al.title})
    return out


def _programs(node: dict, warnings: list[str]) -> list[dict]:
    out = _classifications(node, ("ceterms:instructionalProgramType", "ceterms:cip"), "program", "cip", warnings)
    codes = {c["code"] for c in out}
    for subject in as_list(node.get("ceterms:subject")):
        text = lang_text(subject.get("ceterms:targetNodeName")) if isinstance(subject, dict) else lang_text(subject)
        match = _CIP_IN_TEXT.search(text or "")
        if match and match.group(1) not in codes:
            codes.add(match.group(1))
            out.append({"framework": "cip", "code": match.group(1)})
            warnings.append(f"CIP code {match.group(1)} read from subject text {text!r}")
    return out


def _competency_skill(ref: Any, ctx: _Ctx) -> dict | None:
    """A skill from a competency node in the document, or from the alignment object itself."""
    if isinstance(ref, dict) and any(local_name(t) == "Competency" for t in node_types(ref)):
        node: dict | None = ref  # an embedded competency
    elif isinstance(ref, dict) and ("ceterms:targetNode" in ref or "ceterms:targetNodeName" in ref):
        node = ctx.index.get(ref.get("ceterms:targetNode")) if ref.get("ceterms:targetNode") else None
    else:
        node = ctx.index.get(ref)
        if node is ref:
            node = None
    if node is not None:
        name = clean_text(lang_text(node.get("ceasn:competencyText")) or lang_text(node.get("ceasn:competencyLabel"))
                          or lang_text(node.get("ceterms:name")))
        if not name:
            return None
        framework = None
        for part in as_list(node.get("ceasn:isPartOf")):
            fw_node = ctx.index.get(part)
            framework = clean_text(lang_text(fw_node.get("ceasn:name"))) if fw_node else ref_id(part)
            if framework:
                break
        code = node.get("ceasn:codedNotation") if isinstance(node.get("ceasn:codedNotation"), str) else None
        ident = node.get("@id") if isinstance(node.get("@id"), str) else None
        ctid = ctx.index.ctid(node.get("ceterms:ctid"))
        return {"name": name, "framework": framework, "code": code or ctid,
                "url": ident if ident and "://" in ident else None}
    if isinstance(ref, dict):
        name = clean_text(lang_text(ref.get("ceterms:targetNodeName")))
        if not name:
            return None
        target = ref.get("ceterms:targetNode") if isinstance(ref.get("ceterms:targetNode"), str) else None
        notation = ref.get("ceterms:codedNotation")
        framework = lang_text(ref.get("ceterms:frameworkName")) or (
            ref.get("ceterms:framework") if isinstance(ref.get("ceterms:framework"), str) else None)
        return {"name": name, "framework": framework, "code": notation if isinstance(notation, str) else None,
                "url": target if target and "://" in target else None}
    return None


def _skills(node: dict, ctx: _Ctx, warnings: list[str]) -> list[dict]:
    out: list[dict] = []
    seen: set[tuple[str, str | None]] = set()
    missing = 0
    sources = [node.get("ceterms:targetCompetency")]
    for prop in _CONDITION_PROPERTIES:
        conditions = node.get(prop)
        if conditions is not None:
            sources.extend(c.get("ceterms:targetCompetency") for c in iter_dicts(as_list(conditions)))
    for refs in sources:
        for ref in as_list(refs):
            skill = _competency_skill(ref, ctx)
            if skill is None:
                missing += 1
                continue
            key = (skill["name"].casefold(), skill["code"])
            if key not in seen:
                seen.add(key)
                out.append(skill)
    if missing:
        warnings.append(f"{missing} competency reference(s) are not in this document; not listed as skills")
    return out


def _credits(node: dict, warnings: list[str]) -> list[dict]:
    out: list[dict] = []
    for condition in iter_dicts(as_list(node.get("ceterms:requires"))):
        amount = condition.get("ceterms:creditUnitValue")
        if not isinstance(amount, (int, float)) or isinstance(amount, bool):
            continue
        term = _status_term(condition.get("ceterms:creditUnitType")) or ""
        described = (lang_text(condition.get("ceterms:creditUnitTypeDescription")) or "").casefold()
        unit = _CREDIT_UNITS.get(term)
        if unit is None:
            if "quarter" in described:
                unit = "quarter_units"
            elif "semester" in described:
                unit = "semester_hours"
            elif "clock" in described:
                unit = "clock_hours"
        if unit is None:
            warnings.append(f"credit {amount:g} in unit {term or described or '?'!r} not recorded: unit unknown")
            continue
        out.append({"amount": float(amount), "unit": unit})
    return out


def _first_type(node: dict) -> ClassInfo | None:
    infos = [classify_type(t) for t in node_types(node)]
    for info in infos:
        if info.is_credential and info.known:
            return info
    for info in infos:
        if info.is_credential:
            return info
    return None


def build_entry(node: dict, info: ClassInfo, ctid: str, ctx: _Ctx, locator: str | None) -> CatalogEntry:
    warnings: list[str] = []
    if not info.known:
        warnings.append(f"CTDL class {info.ctdl_type} is not in the known class tree; kind recorded as other")
    raw_ctid = node.get("ceterms:ctid")
    if isinstance(raw_ctid, str) and raw_ctid.strip() != ctid:
        warnings.append(f"CTID {raw_ctid.strip()!r} normalized to {ctid}")
    ident = node.get("@id") if isinstance(node.get("@id"), str) else None
    sandbox = is_sandbox_iri(ident) or (ident is None and is_sandbox_iri(ctx.wrapper_id))
    if sandbox:
        warnings.append("sandbox registry record (test data): never counts as listed in production")

    title = clean_text(lang_text(node.get("ceterms:name")))
    if not title:
        alternates = lang_list(node.get("ceterms:alternateName"))
        title = alternates[0] if alternates else ctid
        origin = "alternateName" if alternates else "CTID"
        warnings.append(f"credential has no ceterms:name; title taken from {origin}")
    description = clean_text(lang_text(node.get("ceterms:description")))

    ctx.dangling.clear()
    issuer, org_identifiers = _issuer(node, ctx, warnings)
    for prop, count in sorted(ctx.dangling.items()):
        warnings.append(f"{prop}: {count} blank-node reference(s) not present in this document")

    identifiers = [{"scheme": "ctid", "value": ctid}, *org_identifiers]
    credential_id = node.get("ceterms:credentialId")
    if isinstance(credential_id, str) and credential_id.strip():
        identifiers.append({"scheme": "credential_id", "value": credential_id.strip()})
    identifiers += [{"scheme": "alternate_name", "value": a} for a in lang_list(node.get("ceterms:alternateName"))]

    status, lifecycle = read_status(node, warnings)
    effective = None
    raw_date = node.get("ceterms:dateEffective")
    if isinstance(raw_date, str) and raw_date.strip():
        effective = parse_date_or_none(raw_date)
        if effective is None:
            warnings.append(f"dateEffective {raw_date!r} is not a date; left out")

    url = node.get("ceterms:subjectWebpage")
    url = url.strip() if isinstance(url, str) and url.strip() else None

    achievement = {
        "kind": info.kind,
        "title": title,
        "description": description,
        "ctdl_type": info.ctdl_type,
        "ctid": ctid,
        "identifiers": identifiers,
        "skills": _skills(node, ctx, warnings),
        "occupations": _occupations(node, ctx, warnings),
        "credit": _credits(node, warnings),
    }
    industries = _classifications(node, ("ceterms:industryType", "ceterms:naics"), "industry", "naics", warnings)
    programs = _programs(node, warnings)
    return CatalogEntry.model_validate({
        "id": stable_id("ctid", ctid, *(("sandbox",) if sandbox else ()), prefix="cat"),
        "issuer": issuer,
        "achievement": achievement,
        "status": status,
        "lifecycle_status": lifecycle,
        "date_effective": effective,
        "url": url,
        "industries": industries,
        "instructional_programs": programs,
        "source": {
            "plugin": PLUGIN,
            "plugin_version": ctx.plugin_version,
            "format": ctx.form,
            "document_sha256": ctx.sha256,
            "locator": locator,
        },
        "warnings": warnings,
    })


# ---------------------------------------------------------------------------------------
# the document


_EMBEDDING_PROPERTIES = ("ceterms:ownedBy", "ceterms:offeredBy", "ceterms:accreditedBy", "ceterms:recognizedBy")


def _nodes_of(data: Any, form: str, name: str, index: NodeIndex) -> tuple[list[dict], str | None, str]:
    """(nodes in order, wrapper @id, effective form) for a document of a known form."""
    if form == FORMAT_ENVELOPE:
        payload = _envelope_payload(data, name)
        inner = detect_form(payload)
        if inner is None or inner == FORMAT_ENVELOPE:
            raise MalformedError(f"{name}: the envelope's payload is not CTDL JSON-LD")
        nodes, wrapper, _ = _nodes_of(payload, inner, name, index)
        return nodes, wrapper, FORMAT_ENVELOPE
    if form == FORMAT_GRAPH:
        nodes = [n for n in data["@graph"] if isinstance(n, dict)]
        wrapper = data.get("@id") if isinstance(data.get("@id"), str) else None
        main_ctid = index.ctid(wrapper) if wrapper else None
        if main_ctid:  # the node the wrapper names goes first; never assume position 0
            nodes.sort(key=lambda n: index.ctid(n.get("ceterms:ctid")) != main_ctid)
        return nodes, wrapper, form
    if form == FORMAT_SEARCH:
        items = data["data"] if isinstance(data, dict) else data
        return [n for n in items if isinstance(n, dict)], None, form
    return [data], None, form


def parse_ctdl(data: Any, *, name: str, sha256: str, plugin_version: str) -> Iterator[CatalogEntry]:
    """Yield a catalog entry for every credential node with a CTID in a CTDL document.

    Organizations, learning opportunities, competencies and other non-credential nodes
    yield nothing (they only resolve references). A credential node that is not a blank
    node must carry a valid CTID, or the document is malformed.
    """
    form = detect_form(data)
    if form is None:
        raise UnrecognizedError(f"{name}: not CTDL JSON-LD (no ceterms: or ceasn: typed node)")
    index = NodeIndex()
    nodes, wrapper, form = _nodes_of(data, form, name, index)
    for node in nodes:
        index.add(node)
        # embedded nodes in the legacy shapes resolve too
        for key in _EMBEDDING_PROPERTIES:
            refs = node.get(key)
            if refs is not None:
                for ref in iter_dicts(as_list(refs)):
                    if "@id" in ref and len(ref) > 1:
                        index.add(ref)
    ctx = _Ctx(index=index, form=form, name=name, sha256=sha256, plugin_version=plugin_version, wrapper_id=wrapper)
    seen: set[str] = set()
    for position, node in enumerate(nodes):
        info = _first_type(node)
        if info is None:
            continue
        ident = node.get("@id") if isinstance(node.get("@id"), str) else None
        ctid = index.ctid(node.get("ceterms:ctid"))
        if ctid is None:
            if ident and ident.startswith("_:"):
                continue  # a credential described inline, not a registry record
            if ident is None and form == FORMAT_GRAPH and position > 0:
                continue
            raw = node.get("ceterms:ctid")
            what = f"CTID {raw!r} is not valid" if raw else "no ceterms:ctid"
            raise MalformedError(f"{name}: credential node {position} ({info.ctdl_type}) has {what}")
        if ctid in seen:
            continue
        seen.add(ctid)
        locator = ident if ident else (f"[{position}]" if form == FORMAT_SEARCH else None)
        yield build_entry(node, info, ctid, ctx, locator)
