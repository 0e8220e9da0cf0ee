"""The ``apprenticeship`` credential source: completion rosters (CSV, JSON) and DAS certificates."""

from __future__ import annotations

from collections.abc import Iterator

from passport_hub.contract import CredentialSource, Document
from passport_hub.model import CredentialRecord

#: ``source.format`` of a record, read by people (a college weighing the evidence for credit)
FORMAT_CSV = "Apprenticeship completion roster (CSV)"
FORMAT_JSON = "Apprenticeship completion roster (JSON)"
FORMAT_PDF = "California DAS Certificate of Completion of Apprenticeship (PDF)"


class ApprenticeshipSource(CredentialSource):
    """Registered Apprenticeship completions.

    Reads a sponsor's completion roster (CSV or its JSON export) and the California DAS
    "Certificate of Completion of Apprenticeship" PDF. A roster row that cannot become a
    record (a required field missing, a duplicate) is *rejected*, not fatal: the other rows
    import and the rejection is listed in ``document.rejected`` as
    ``{"row": n, "reason": "..."}`` (plus ``line`` for CSV, ``index`` for JSON).
    A document that cannot be read at all raises a :mod:`passport_hub.errors` error.
    """

    name = "apprenticeship"
    title = "Registered Apprenticeship completions (sponsor rosters, California DAS certificates)"
    formats = (
        "text/csv; apprenticeship completion roster (UTF-8, comma or semicolon)",
        "application/json; apprenticeship completion roster export",
        "application/pdf; Certificate of Completion of Apprenticeship (California DAS)",
    )
    def sniff(self, document: Document) -> bool:
        try:
            from .roster import sniff_csv, sniff_json

            if document.looks_like_pdf():
                from .certificate import sniff_certificate

                return sniff_certificate(document)
            if document.looks_like_json():
                return sniff_json(document)
            return sniff_csv(document)
        except Exception:  # sniff never raises
            return False

    def parse(self, document: Document) -> Iterator[CredentialRecord]:
        if document.looks_like_pdf():
            yield self._certificate_record(document)
            return
        from .roster import read_csv, read_json

        if document.looks_like_json():
            outcomes, fmt = read_json(document), FORMAT_JSON
        else:
            outcomes, fmt = read_csv(document), FORMAT_CSV
        yield from self._roster_records(document, outcomes, fmt)

    # --- helpers -------------------------------------------------------------------------------

    def _roster_records(self, document: Document, outcomes, fmt: str) -> Iterator[CredentialRecord]:
        from .records import build_record, record_id

        rejections = document.rejected
        rejections.clear()  # fresh for each parse
        records: list[CredentialRecord] = []
        seen_ids: set[str] = set()
        for out in outcomes:
            if out.record is None:
                entry = {"row": out.row, "reason": ", ".join(out.reject_reasons)}
                if out.line is not None:
                    entry["line"] = out.line
                if out.index is not None:
                    entry["index"] = out.index
                rejections.append(entry)
                continue
            # rows kept despite a conflicting completion date: the first keeps the plain id
            disambiguator = None
            plain_id = record_id(out.record)
            if plain_id in seen_ids:
                disambiguator = f"completed:{out.record['completion_date']}"
            locator = f"row {out.row} (line {out.line})" if out.line is not None else f"records[{out.index}]"
            record = build_record(
                out.record,
                flags=out.flags,
                document_sha256=document.sha256,
                plugin_version=self.plugin_version,
                fmt=fmt,
                locator=locator,
                description="Registered Apprenticeship completion (sponsor completion roster)",
                extra_results={"term_hours_text": out.extras.get("term_hours_text")},
                disambiguator=disambiguator,
                known_id=plain_id,
            )
            seen_ids.add(record.id)
            records.append(record)
        # built in full first: a failure above leaves nothing half-yielded
        yield from records

    def _certificate_record(self, document: Document) -> CredentialRecord:
        from .certificate import TITLE, read_certificate
        from .records import build_record

        outcome, warnings = read_certificate(document)
        return build_record(
            outcome.record,
            flags=[*outcome.flags, *warnings],
            document_sha256=document.sha256,
            plugin_version=self.plugin_version,
            fmt=FORMAT_PDF,
            locator="page 1",
            description=TITLE,
            extra_results={"document_title": TITLE},
        )
