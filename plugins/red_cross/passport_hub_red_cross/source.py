"""The ``red_cross`` credential source: certificate PDFs and the certificate lookup."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import date

from passport_hub.contract import CheckResult, CredentialSource, Document
from passport_hub.errors import (
    MalformedError,
    NotFoundError,
    PassportHubError,
    UnavailableError,
    UnrecognizedError,
)
from passport_hub.model import CredentialRecord

from .config import RedCrossConfig

#: ``source.format`` of a record, read by people (a college weighing the evidence for credit)
FORMAT_LOOKUP = "Red Cross certificate lookup answer (HTML)"
FORMAT_PDF = "Red Cross certificate PDF"
_NAME_HINT = re.compile(r"red[ _.-]?cross", re.IGNORECASE)


def _page(document: Document):
    """The lookup answer's parsed HTML, parsed once per document."""
    from .lookup_html import load_page

    return document.memo("red_cross.lookup_page", lambda: load_page(document.data, document.name))


class RedCrossSource(CredentialSource):
    name = "red_cross"
    title = "American Red Cross certificates (certificate PDFs and the Find My Certificate lookup)"
    formats = (
        "application/pdf; American Red Cross certificate (full size or wallet card)",
        "text/html; American Red Cross certificate lookup answer",
    )
    config_model = RedCrossConfig

    #: today's date for status (expired / active); replaceable in tests
    clock: Callable[[], date] = staticmethod(date.today)

    def allowed_hosts(self) -> list[str]:
        return [self.config.host]

    # -- reading documents -------------------------------------------------------------

    def sniff(self, document: Document) -> bool:
        try:
            if document.looks_like_pdf():
                from .pdf_cert import looks_like_certificate

                text = document.try_pdf_text()
                if text.strip():
                    return looks_like_certificate(text)
                # an image-only scan: claim it only when its name says Red Cross, so that
                # parse can explain that the text could not be read
                return bool(_NAME_HINT.search(document.name))
            if document.looks_like_json():  # the lookup's research notes are JSON and quote its markers
                return False
            from .lookup_html import looks_like_answer

            return looks_like_answer(document.data)
        except Exception:  # sniff never raises
            return False

    def parse(self, document: Document) -> Iterator[CredentialRecord]:
        try:
            records = [self._parse_pdf(document)] if document.looks_like_pdf() else self._parse_lookup(document)
        except PassportHubError:
            raise
        except Exception as exc:  # never let a bare exception escape
            raise MalformedError(
                f"{document.name}: could not be read as a Red Cross certificate ({type(exc).__name__})",
                internal=f"{type(exc).__name__}: {exc}",
            ) from None
        yield from records

    def _parse_pdf(self, document: Document) -> CredentialRecord:
        from .facts import to_record
        from .pdf_cert import read_certificate

        facts = read_certificate(document.pdf_pages(), name=document.name, today=self.clock())
        return to_record(
            facts,
            plugin_version=self.plugin_version,
            document_sha256=document.sha256,
            fmt=f"{FORMAT_PDF} ({facts.certificate_format})",
        )

    def _parse_lookup(self, document: Document) -> list[CredentialRecord]:
        from .facts import to_record
        from .lookup_html import has_markers, is_refusal, read_answer

        looks_html = (document.media_type or "").startswith("text/html") or document.suffix in ("html", "htm")
        if not looks_html and not has_markers(document.data) and not is_refusal(document.data):
            raise UnrecognizedError(f"{document.name}: neither a Red Cross certificate PDF nor a lookup answer")
        try:
            answer = read_answer(document.data, name=document.name, today=self.clock(), page=_page(document))
        except UnavailableError as exc:
            if not is_refusal(document.data):  # another page read_answer finds unusable keeps its own explanation
                raise
            # fetch yields only pages it could read, so a refusal here is a page the holder saved:
            # say that it holds nothing and what to do instead
            raise UnavailableError(
                f"{document.name}: this saved page is the Red Cross site's 'Access Denied' answer - the site "
                "refused the certificate lookup (bot protection), so the page holds no certificate and nothing "
                "was imported. It does not mean the certificate does not exist: look it up again later "
                "(passport-hub fetch red_cross certificate_id=ID) or import the certificate PDF",
                internal=exc.internal_message,
            ) from None
        records = []
        for facts in answer.certificates:
            # a row that did not fit is skipped; the other rows carry the warning
            facts.warnings.extend(answer.rejected)
            records.append(
                to_record(facts, plugin_version=self.plugin_version, document_sha256=document.sha256, fmt=FORMAT_LOOKUP)
            )
        return records

    # -- the issuer's lookup -------------------------------------------------------------

    def _client(self):
        if self.http is not None:
            return self.http, False
        from passport_hub.http import IssuerClient

        return IssuerClient(allowed_hosts=self.allowed_hosts(), name=self.name), True

    async def fetch(self, query: Mapping[str, str]) -> AsyncIterator[Document]:
        """``{"certificate_id": ID}`` (or a pasted verify link) or ``{"email": ADDRESS}``.

        Yields the lookup's HTML fragment as one document. Raises ``NotFoundError`` (the
        lookup's no-match text), ``UnavailableError`` (bot block, 403, 5xx, timeout, a moved
        endpoint) or ``MalformedError`` (an answer that is neither).
        """
        from .lookup import lookup, query_params
        from .lookup_html import read_answer

        params, name = query_params(query)
        http, own = self._client()
        try:
            body = await lookup(http, self.config.lookup_url, params)
        finally:
            if own:
                await http.aclose()
        document = Document(data=body, name=name, media_type="text/html", origin="fetch")
        # the parsed page stays with the document: importing it does not parse it again
        answer = read_answer(body, name=name, today=self.clock(), page=_page(document))
        wanted = params.get("certnumber")
        if wanted and not any(c.cert_id == wanted for c in answer.certificates):
            raise MalformedError(
                f"{name}: the Red Cross lookup answered with other certificates than {wanted}; nothing was read"
            )
        yield document

    async def check(self) -> CheckResult:
        from .lookup import lookup
        from .lookup_html import read_answer

        try:
            http, own = self._client()
            try:
                body = await lookup(http, self.config.lookup_url, {"certnumber": "0000000", "format": "ajax"})
            finally:
                if own:
                    await http.aclose()
            read_answer(body, name="lookup check")
        except NotFoundError:
            return CheckResult(ok=True, message="the Red Cross certificate lookup answers")
        except PassportHubError as exc:
            return CheckResult(ok=False, message=exc.user_message, error_kind=str(exc.kind))
        except Exception as exc:  # check never raises
            return CheckResult(ok=False, message=f"red_cross: check failed ({type(exc).__name__})", error_kind="system")
        return CheckResult(ok=True, message="the Red Cross certificate lookup answers")
