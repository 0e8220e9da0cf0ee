"""CLR 2.0 ``ClrCredential``: the holder's records as embedded AchievementCredentials.

A transcript's award and the courses read from the same document are linked with
``isParentOf`` associations. Unsigned unless the hub has a signing key (then a VC-JWT).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..model import CredentialRecord
from . import ob3
from .common import context_url, now_iso, urn

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context.json"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
PARENT_KINDS = {"degree", "certificate"}


def credential(records: list[CredentialRecord], *, link: str | None = None, base_url: str = "",
               now: datetime | None = None, holder_name: str | None = None, issuer: dict | None = None) -> dict:
    """``issuer``: the hub's Profile when the hub signs the export (the embedded records keep theirs)."""
    now = now or datetime.now(UTC)
    embedded = [ob3.credential(r, link=link, base_url=base_url, now=now) for r in records]
    associations = []
    by_doc: dict[str, list[CredentialRecord]] = {}
    for r in records:
        by_doc.setdefault(r.source.document_sha256, []).append(r)
    for group in by_doc.values():
        parents = [r for r in group if str(r.achievement.kind) in PARENT_KINDS]
        children = [r for r in group if str(r.achievement.kind) == "course"]
        for parent in parents:
            for child in children:
                associations.append({
                    "type": "Association", "associationType": "isParentOf",
                    "sourceId": ob3.achievement(parent)["id"], "targetId": ob3.achievement(child)["id"],
                })
    names = {r.holder.name for r in records if r.holder}
    who = holder_name or (next(iter(names)) if len(names) == 1 else None)
    subject: dict = {"type": ["ClrSubject"], "verifiableCredential": embedded}
    if associations:
        subject["association"] = associations
    hub = base_url or "urn:passport-hub"
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1", CLR_CONTEXT, OB_CONTEXT, context_url(base_url)],
        "id": urn("clr", *sorted(r.id for r in records), now_iso(now)),
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"Career Passport record of {who}" if who else "Career Passport record",
        "description": f"{len(records)} credential(s) gathered in passport-hub; each keeps its issuer. "
                       + ("Signed by passport-hub (VC-JWT); verify each record through the holder's share link "
                          "or its issuer." if issuer else
                          "Unsigned: verify through the holder's share link or each issuer."),
        "issuer": issuer or {"id": hub, "type": ["Profile"], "name": "passport-hub"},
        "issuanceDate": now_iso(now),
        "credentialSubject": subject,
    }
