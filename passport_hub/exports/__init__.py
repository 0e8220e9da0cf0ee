"""Exports of a holder's records: Open Badges 3.0, CLR 2.0, HR Open LER-RS, JSON Resume.

``export_records(records, format)`` returns the JSON document; ``validate.errors(doc,
format)`` checks it against the published JSON Schemas shipped in ``schemas/``. Open Badges
3.0 and CLR 2.0 exports are signed as VC-JWT when a signing key is configured
(``PASSPORT_HUB_SIGNING_KEY_FILE``); otherwise they carry no proof: pair them with a share
link for verification.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..model import CredentialRecord
from .signing import Signer

FORMATS = ("ob3", "clr", "ler-rs", "json-resume")


def export_records(records: list[CredentialRecord], fmt: str, *, link: str | None = None, issuer_url: str = "",
                   now: datetime | None = None, signer: Signer | None = None) -> Any:
    """One export document. ``ob3`` gives a list (one AchievementCredential per record).

    With a ``signer``, ``ob3`` gives a list of VC-JWT strings and ``clr`` one VC-JWT string;
    the other formats are unchanged (their standards define no signature here).
    """
    if fmt == "ob3":
        from .ob3 import credential

        issuer = signer.profile() if signer else None
        docs = [credential(r, link=link, base_url=issuer_url, now=now, issuer=issuer) for r in records]
        return [signer.sign(d) for d in docs] if signer else docs
    if fmt == "clr":
        from .clr import credential

        doc = credential(records, link=link, base_url=issuer_url, now=now,
                         issuer=signer.profile() if signer else None)
        return signer.sign(doc) if signer else doc
    if fmt == "ler-rs":
        from .ler_rs import credential

        return credential(records, link=link, base_url=issuer_url, now=now)
    if fmt == "json-resume":
        from .json_resume import resume

        return resume(records, link=link, base_url=issuer_url, now=now)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


__all__ = ["FORMATS", "export_records"]
