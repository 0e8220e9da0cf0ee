"""The ``military_jst`` source and verifier classes (light: parsing is imported in ``parse``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from passport_hub.contract import CredentialSource, Document, Verifier, VerifyContext
from passport_hub.errors import MalformedError, UnrecognizedError, UnsafeError
from passport_hub.model import Check, CheckStatus, CredentialRecord

from .ids import RE_COURSE_ID, RE_COURSE_VERSION, RE_OCC_ID

NAME = "military_jst"


class JointServicesTranscript(CredentialSource):
    """Joint Services Transcript PDFs (Army, Navy, Marine Corps, Coast Guard) with ACE credit."""

    name = NAME
    title = "Joint Services Transcript (JST) PDF with ACE credit recommendations"
    formats = ("application/pdf; Joint Services Transcript",)

    def sniff(self, document: Document) -> bool:
        if not document.looks_like_pdf():
            return False
        from .parser import looks_like_jst

        return looks_like_jst(document.try_pdf_text())

    def parse(self, document: Document) -> Iterator[CredentialRecord]:
        from .parser import looks_like_jst, parse_pages
        from .records import RecordBuilder

        if not document.looks_like_pdf():
            raise UnrecognizedError(f"{document.name}: not a PDF; a Joint Services Transcript is read from "
                                    "the PDF downloaded from jst.doded.mil")
        try:
            pages = document.pdf_pages()
        except UnsafeError:
            raise UnsafeError(f"{document.name}: the JST PDF is encrypted (password-protected); "
                              "download or export an unprotected copy") from None
        except MalformedError as exc:
            raise MalformedError(f"{document.name}: cannot read this PDF ({exc.user_message.split(': ', 1)[-1]}); "
                                 "it may be truncated or corrupt", internal=exc.internal_message) from None
        text = "\n".join(pages)
        if not text.strip():
            raise UnrecognizedError(f"{document.name}: the PDF has no text layer (a scanned image?); "
                                    "passport-hub does not OCR: upload the JST PDF downloaded from jst.doded.mil")
        if not looks_like_jst(text):
            raise UnrecognizedError(f"{document.name}: not a Joint Services Transcript (no TRANSCRIPT block "
                                    "with JST section markers)")
        try:
            transcripts = parse_pages(pages)
        except Exception as exc:  # a parser bug must not escape as a bare exception
            raise MalformedError(f"{document.name}: could not read the JST layout",
                                 internal=f"{type(exc).__name__}: {exc}") from None
        for t in transcripts:
            who = t["holder"]["name"] or "unknown holder"
            if not t["ended"]:
                raise MalformedError(f"{document.name}: the transcript of {who} (from page {t['page_range'][0]}) "
                                     "has no END OF TRANSCRIPT line; the PDF looks truncated or incomplete")
            if not t["holder"]["name"]:
                raise MalformedError(f"{document.name}: the transcript from page {t['page_range'][0]} "
                                     "has no Name: line")
        for t in transcripts:
            builder = RecordBuilder(t, document_sha256=document.sha256, plugin=self.name,
                                    plugin_version=self.plugin_version)
            yield from builder.records()


def _result(record: CredentialRecord, name: str) -> str | None:
    return next((r.value for r in record.results if r.name == name), None)


class JSTVerifier(Verifier):
    """Honest checks on records read from a JST: what the document itself can show."""

    name = NAME
    title = "Joint Services Transcript: copy type and ACE identifier checks"

    def supports(self, record: CredentialRecord) -> bool:
        return record.source.plugin == NAME

    async def verify(self, record: CredentialRecord, context: VerifyContext) -> list[Check]:
        checks: list[Check] = []
        copy = _result(record, "transcript_copy")
        if copy == "official":
            where = _result(record, "recipient_institution")
            checks.append(Check(name="official_copy", status=CheckStatus.PASSED,
                                detail="the PDF is marked OFFICIAL" + (f" (sent to {where})" if where else "")
                                + "; the marking is printed text, not a signature"))
        elif copy == "unofficial":
            # an unofficial copy is not evidence of a false record: it just cannot count as official
            checks.append(Check(name="official_copy", status=CheckStatus.NOT_CHECKED,
                                detail="UNOFFICIAL copy printed by the service member; colleges need the "
                                       "official JST sent by the JST Operations Center"))
        else:
            checks.append(Check(name="official_copy", status=CheckStatus.NOT_CHECKED,
                                detail="the PDF is marked neither OFFICIAL nor UNOFFICIAL"))

        branch = _result(record, "service_branch")
        ace = [i for i in record.achievement.identifiers if i.scheme == "ace"]
        if not ace:
            checks.append(Check(name="ace_id_format", status=CheckStatus.NOT_CHECKED,
                                detail="no ACE identifier printed (not evaluated by ACE, or NONE ASSIGNED)"))
        for ident in ace:
            course = bool(RE_COURSE_ID.match(ident.value))
            occupation = bool(RE_OCC_ID.match(ident.value))
            version_ok = (ident.version is None or (RE_COURSE_VERSION.match(ident.version) if course
                                                     else re.fullmatch(r"\d{3}", ident.version)))
            if (course or occupation) and version_ok:
                detail = f"{ident.value} {ident.version or ''}".strip() + " is a well-formed ACE identifier"
                if ident.version is None:
                    detail += "; no version printed: match the exhibit by ID + dates"
                checks.append(Check(name="ace_id_format", status=CheckStatus.PASSED, detail=detail))
            else:
                checks.append(Check(name="ace_id_format", status=CheckStatus.FAILED,
                                    detail=f"{ident.value!r} (version {ident.version!r}) is not an ACE ID shape"))
                continue
            checks.append(_branch_check(ident.value, branch, occupation))

        if context.document is not None:
            import hashlib

            same = hashlib.sha256(context.document).hexdigest() == record.source.document_sha256
            checks.append(Check(name="source_document", status=CheckStatus.PASSED if same else CheckStatus.FAILED,
                                detail="the stored JST PDF is the one this record was read from" if same
                                else "the stored document does not match the record's document_sha256"))
        checks.append(Check(name="issuer_confirms", status=CheckStatus.NOT_CHECKED,
                            detail="the JST has no public verification service; official copies come only "
                                   "from the JST Operations Center to registered institutions"))
        return checks


def _branch_check(ace_id: str, branch: str | None, occupation: bool) -> Check:
    from .parser import BRANCH_BY_PREFIX

    prefix = ace_id.split("-")[0]
    id_branch = BRANCH_BY_PREFIX.get(prefix)
    if branch is None:
        return Check(name="ace_id_branch", status=CheckStatus.NOT_CHECKED,
                     detail="the transcript's branch could not be determined")
    if id_branch == branch:
        return Check(name="ace_id_branch", status=CheckStatus.PASSED,
                     detail=f"{prefix} identifiers belong to the {branch}, the transcript's branch")
    if occupation:
        return Check(name="ace_id_branch", status=CheckStatus.FAILED,
                     detail=f"occupation {ace_id} is a {id_branch} occupation on a {branch} transcript")
    if id_branch == "Department of Defense":
        return Check(name="ace_id_branch", status=CheckStatus.PASSED,
                     detail=f"{ace_id} is a Department of Defense (joint) course, open to every branch")
    return Check(name="ace_id_branch", status=CheckStatus.NOT_CHECKED,
                 detail=f"course {ace_id} was evaluated for the {id_branch} on a {branch} transcript; "
                        "cross-service training happens, so this is not treated as an error")
