"""The ``credential_engine`` verifier: is the record's credential listed and active in the registry?"""

from __future__ import annotations

from typing import ClassVar

from passport_hub.contract import Verifier, VerifyContext
from passport_hub.model import CatalogEntry, Check, CheckStatus, CredentialRecord, RegistryStatus

from .jsonld import is_sandbox_iri, normalize_ctid

CHECK_NAME = "registry_listed"
_FAILED_STATUSES = {
    RegistryStatus.DEPRECATED.value: "deprecated",
    RegistryStatus.SUSPENDED.value: "suspended",
    RegistryStatus.CEASED.value: "ceased (no longer awarded)",
}


def _record_ctid(record: CredentialRecord) -> str | None:
    ctid = normalize_ctid(record.achievement.ctid) if record.achievement.ctid else None
    if ctid:
        return ctid
    for ident in record.achievement.identifiers:
        if ident.scheme.casefold() == "ctid":
            ctid = normalize_ctid(ident.value)
            if ctid:
                return ctid
    return None


def listed_check(entry: CatalogEntry, how: str) -> Check:
    """The ``registry_listed`` check for a matched catalog entry."""
    ctid = entry.achievement.ctid
    status = str(entry.status)
    label = f"{ctid} ({entry.achievement.title!r}, matched {how})"
    if is_sandbox_iri(entry.source.locator):
        return Check(name=CHECK_NAME, status=CheckStatus.FAILED,
                     detail=f"only a sandbox registry record matches: {label}; sandbox data is test data")
    if status in _FAILED_STATUSES:
        return Check(name=CHECK_NAME, status=CheckStatus.FAILED,
                     detail=f"listed in the registry as {label} but {_FAILED_STATUSES[status]}")
    if (entry.lifecycle_status or "").casefold() == "developing":
        return Check(name=CHECK_NAME, status=CheckStatus.FAILED,
                     detail=f"listed in the registry as {label} but still in development, not yet offered")
    if status == RegistryStatus.ACTIVE.value:
        return Check(name=CHECK_NAME, status=CheckStatus.PASSED, detail=f"listed and active in the registry: {label}")
    if status == RegistryStatus.PROBATIONARY.value:
        return Check(name=CHECK_NAME, status=CheckStatus.PASSED,
                     detail=f"listed in the registry: {label}; its status is probationary")
    return Check(name=CHECK_NAME, status=CheckStatus.NOT_CHECKED,
                 detail=f"listed in the registry as {label} but the registry states no status")


#: record kinds a registry entry can describe
REGISTRY_KINDS = frozenset({"degree", "certificate", "certification", "license", "badge", "apprenticeship"})


class CredentialEngineVerifier(Verifier):
    """Matches a record to the approved-credentials catalog: by CTID, else by issuer and title."""

    name: ClassVar[str] = "credential_engine"
    title: ClassVar[str] = "Listed and active in the Credential Engine Registry catalog"

    def supports(self, record: CredentialRecord) -> bool:
        # the registry lists credentials, not the courses, occupations or scores inside transcripts
        return bool(record.achievement.ctid) or record.achievement.kind in REGISTRY_KINDS

    async def verify(self, record: CredentialRecord, context: VerifyContext) -> list[Check]:
        return [self.check_record(record, context)]

    def check_record(self, record: CredentialRecord, context: VerifyContext) -> Check:
        catalog = context.catalog
        try:
            if catalog is None or catalog.is_empty():
                return Check(name=CHECK_NAME, status=CheckStatus.NOT_CHECKED,
                             detail="the approved-credentials catalog is empty; import registry data first")
            ctid = _record_ctid(record)
            if ctid:
                entry = catalog.by_ctid(ctid)
                if entry is not None:
                    return listed_check(entry, "by CTID")
            entry = catalog.by_issuer_title(record.issuer.name, record.achievement.title)
        except Exception as exc:  # the catalog is the core's; a failure there is "could not check"
            return Check(name=CHECK_NAME, status=CheckStatus.NOT_CHECKED,
                         detail=f"the catalog could not be read ({type(exc).__name__})")
        if entry is not None:
            return listed_check(entry, "by issuer and title" + (f"; the record's CTID {ctid} is not in the catalog"
                                                                  if ctid else ""))
        if ctid:
            detail = f"CTID {ctid} is not in the registry catalog, and no entry matches its issuer and title"
        else:
            detail = (f"no registry catalog entry for {record.achievement.title!r} "
                      f"from {record.issuer.name!r} (matched on issuer and title)")
        return Check(name=CHECK_NAME, status=CheckStatus.FAILED, detail=detail)
