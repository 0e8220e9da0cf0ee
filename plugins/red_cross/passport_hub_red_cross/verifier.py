"""The ``red_cross`` verifier: look the certificate ID up again and compare."""

from __future__ import annotations

from passport_hub.contract import Verifier, VerifyContext
from passport_hub.errors import NotFoundError, PassportHubError
from passport_hub.model import Check, CheckStatus, CredentialRecord, RecordStatus

from .config import RedCrossConfig
from .ids import ISSUER_NAME, names_match, normalize_cert_id


def _cert_id(record: CredentialRecord) -> str | None:
    for ident in record.achievement.identifiers:
        if ident.scheme == "certificate_number":
            return normalize_cert_id(ident.value)
    return None


class RedCrossVerifier(Verifier):
    name = "red_cross"
    title = "Re-checks a Red Cross certificate against the Red Cross certificate lookup"
    config_model = RedCrossConfig

    def allowed_hosts(self) -> list[str]:
        return [self.config.host]

    def issuer_key(self, record: CredentialRecord) -> str:
        return "red_cross"

    def supports(self, record: CredentialRecord) -> bool:
        return record.issuer.name == ISSUER_NAME and _cert_id(record) is not None

    async def verify(self, record: CredentialRecord, context: VerifyContext) -> list[Check]:
        from .lookup import lookup
        from .lookup_html import read_answer

        cert_id = _cert_id(record)
        if cert_id is None:
            return [Check(name="issuer_confirms", status=CheckStatus.NOT_CHECKED, detail="no certificate ID")]
        http = context.http or self.http
        try:
            if http is None:
                raise PassportHubError("no HTTP client was given to the verifier")
            body = await lookup(http, self.config.lookup_url, {"certnumber": cert_id, "format": "ajax"})
            answer = read_answer(body, name=f"lookup of {cert_id}", today=context.today)
        except NotFoundError:
            return [
                Check(
                    name="issuer_confirms",
                    status=CheckStatus.FAILED,
                    detail=f"the Red Cross lookup lists no certificate {cert_id}",
                ),
                Check(
                    name="holder_matches", status=CheckStatus.NOT_CHECKED, detail="the issuer lists no such certificate"
                ),
                self._local_expiry(record, context),
            ]
        except PassportHubError as exc:
            reason = f"the Red Cross lookup could not be used ({exc.kind}): {exc.user_message}"
            return [
                Check(name="issuer_confirms", status=CheckStatus.NOT_CHECKED, detail=reason),
                Check(name="holder_matches", status=CheckStatus.NOT_CHECKED, detail="the issuer could not be asked"),
                self._local_expiry(record, context),
            ]
        rows = [c for c in answer.certificates if c.cert_id == cert_id]
        if not rows:
            reason = f"the Red Cross lookup for {cert_id} answered with other certificates only"
            return [
                Check(name="issuer_confirms", status=CheckStatus.NOT_CHECKED, detail=reason),
                Check(name="holder_matches", status=CheckStatus.NOT_CHECKED, detail=reason),
                self._local_expiry(record, context),
            ]
        row = rows[0]
        checks = [
            Check(
                name="issuer_confirms",
                status=CheckStatus.PASSED,
                detail=f"the Red Cross lookup lists certificate {cert_id} ({row.course_title}, "
                f"status {row.status_text or 'not shown'})",
            )
        ]
        holder = record.holder.name if record.holder else None
        if not holder or not row.holder_name:
            checks.append(
                Check(name="holder_matches", status=CheckStatus.NOT_CHECKED, detail="no holder name to compare")
            )
        elif names_match(holder, row.holder_name):
            checks.append(
                Check(name="holder_matches", status=CheckStatus.PASSED, detail="the issuer lists the same name")
            )
        else:
            checks.append(
                Check(
                    name="holder_matches",
                    status=CheckStatus.FAILED,
                    detail=f"the issuer lists the certificate under another name ({row.holder_name})",
                )
            )
        if names_match(row.course_title, record.achievement.title):
            checks.append(Check(name="course_matches", status=CheckStatus.PASSED, detail=row.course_title))
        else:
            checks.append(
                Check(
                    name="course_matches",
                    status=CheckStatus.FAILED,
                    detail=f"the issuer lists the course as {row.course_title!r}",
                )
            )
        if row.status == RecordStatus.EXPIRED:
            when = f" on {row.expiry_date}" if row.expiry_date else ""
            checks.append(
                Check(name="not_expired", status=CheckStatus.FAILED, detail=f"the issuer lists it as expired{when}")
            )
        elif row.expiry_date is not None:
            checks.append(
                Check(name="not_expired", status=CheckStatus.PASSED, detail=f"valid until {row.expiry_date} (issuer)")
            )
        else:
            checks.append(self._local_expiry(record, context))
        return checks

    @staticmethod
    def _local_expiry(record: CredentialRecord, context: VerifyContext) -> Check:
        """``not_expired`` from the record's own expiry date, when the issuer gives none."""
        if record.expires_on is None:
            return Check(name="not_expired", status=CheckStatus.NOT_CHECKED, detail="no expiry date known")
        if record.expires_on < context.today:
            return Check(
                name="not_expired", status=CheckStatus.FAILED, detail=f"expired on {record.expires_on} (record)"
            )
        return Check(
            name="not_expired",
            status=CheckStatus.PASSED,
            detail=f"valid until {record.expires_on} by the record's own date (not confirmed by the issuer)",
        )
