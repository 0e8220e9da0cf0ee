"""The ``etranscript`` verifier: what can honestly be checked for a transcript file.

A PESC transcript that arrives as a file carries no signature, and eTranscript California
has no public per-transcript lookup, so the issuer cannot be asked. What can be checked:

* ``identifiers_well_formed`` — the institution identifiers have the shape their scheme
  defines (FICE 6 digits, ACT 4, DUNS 9, ...; all-zero placeholders fail);
* ``document_unchanged`` — the stored source document still has the SHA-256 recorded at
  import;
* ``issuer_confirms`` — always ``not_checked``, with the reason.
"""

from __future__ import annotations

import hashlib
import re

from passport_hub.contract import Verifier, VerifyContext
from passport_hub.model import Check, CredentialRecord

#: scheme -> (pattern, what it should be); lengths from PESC CoreMain v1.14
ID_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    scheme: (re.compile(pattern), what)
    for scheme, pattern, what in (
        ("fice", r"\d{6}", "6 digits"),
        ("opeid", r"\d{3,8}", "3 to 8 digits"),
        ("ipeds", r"\d{6}", "6 digits"),
        ("atp", r"\d{6}", "6 digits"),
        ("act", r"\d{4}", "4 digits"),
        ("ceeb", r"\d{6}", "6 digits"),
        ("ccd", r"\d{12}", "12 digits"),
        ("pss", r"[0-9A-Z]{8}", "8 letters or digits"),
        ("csis", r"\d{6}", "6 digits"),
        ("usis", r"\d{6}", "6 digits"),
        ("psis", r"[0-9A-Z]{8}", "8 letters or digits"),
        ("esis", r"[0-9A-Z]{8}", "8 letters or digits"),
        ("duns", r"\d{9}", "9 digits"),
        ("nchelpid", r"[0-9A-Z]{3,8}", "3 to 8 letters or digits"),
        ("apas", r"[0-9A-Z]{2,12}", "2 to 12 letters or digits"),
    )
}

ISSUER_REASON = (
    "a PESC transcript file carries no signature and eTranscript California offers no public "
    "lookup of a transcript; confirm with the issuing registrar"
)


def identifier_problems(scheme: str, value: str) -> str | None:
    rule = ID_RULES.get(scheme)
    if rule is None:
        return None
    pattern, what = rule
    if not pattern.fullmatch(value):
        return f"{scheme} {value!r} is not {what}"
    if set(value) == {"0"}:
        return f"{scheme} {value!r} is a placeholder"
    return None


class EtranscriptVerifier(Verifier):
    name = "etranscript"
    title = "PESC transcript: identifier shapes and document integrity (no issuer lookup)"

    def supports(self, record: CredentialRecord) -> bool:
        return record.source.plugin == "etranscript"

    def issuer_key(self, record: CredentialRecord) -> str:
        return f"etranscript:{record.issuer.name}"

    async def verify(self, record: CredentialRecord, context: VerifyContext) -> list[Check]:
        return [
            self.check_identifiers(record),
            self.check_document(record, context),
            Check(name="issuer_confirms", status="not_checked", detail=ISSUER_REASON),
        ]

    @staticmethod
    def check_identifiers(record: CredentialRecord) -> Check:
        checked, problems = [], []
        for ident in record.issuer.identifiers:
            if ident.scheme not in ID_RULES:
                continue
            checked.append(f"{ident.scheme} {ident.value}")
            problem = identifier_problems(ident.scheme, ident.value)
            if problem:
                problems.append(problem)
        if problems:
            return Check(name="identifiers_well_formed", status="failed",
                         detail=f"{record.issuer.name}: " + "; ".join(problems))
        if not checked:
            return Check(name="identifiers_well_formed", status="not_checked",
                         detail=f"{record.issuer.name} has no identifier in a scheme with a defined format")
        return Check(name="identifiers_well_formed", status="passed",
                     detail=f"{record.issuer.name}: " + ", ".join(checked))

    @staticmethod
    def check_document(record: CredentialRecord, context: VerifyContext) -> Check:
        if context.document is None:
            return Check(name="document_unchanged", status="not_checked",
                         detail="the source document was not kept, so it cannot be compared")
        actual = hashlib.sha256(context.document).hexdigest()
        if actual == record.source.document_sha256:
            return Check(name="document_unchanged", status="passed",
                         detail=f"SHA-256 {actual} matches the document the record was read from")
        return Check(name="document_unchanged", status="failed",
                     detail=f"stored document SHA-256 {actual} differs from the imported "
                            f"{record.source.document_sha256}")
