"""Normalized roster rows -> ``passport-hub/record@1`` credential records."""

from __future__ import annotations

from datetime import date
from typing import Any

from passport_hub.model import CredentialRecord, CreditUnit, Kind, RecordStatus, stable_id

from .normalize import is_all_other
from .reference import STATE_NAMES, known_onet_codes

SOURCE_NAME = "apprenticeship"
CAREER_URL = "https://www.mynextmove.org/profile/summary/{code}"

#: result names, in output order, taken from the normalized row
_RESULT_FIELDS = (
    "sponsor_name", "registration_agency_type", "registration_state", "apprenticeship_type",
    "term_hours", "term_hours_min", "term_hours_max", "ojl_hours", "rti_hours", "soc_code",
)


def agency_key(row: dict[str, Any]) -> str:
    return f"{row['registration_agency_type'] or 'unknown'}:{row['registration_state']}"


def record_id(row: dict[str, Any], *, disambiguator: str | None = None) -> str:
    """Registration agency + program registration + occupation + holder; never the document.

    The CSV row, the JSON export entry and the certificate PDF of one completion share it.
    Without a program registration number the sponsor stands in for it.
    """
    program = row["program_registration_number"] or f"sponsor:{row['sponsor_name']}"
    parts: list[Any] = [SOURCE_NAME, agency_key(row), program, row["occupation_title"], row["apprentice_name"]]
    if disambiguator:
        parts.append(disambiguator)
    return stable_id(*parts)


def issuer_name(row: dict[str, Any]) -> str:
    if row["registration_agency_name"]:
        return row["registration_agency_name"]
    state = STATE_NAMES.get(row["registration_state"], row["registration_state"])
    if row["registration_agency_type"] == "OA":
        return f"U.S. Department of Labor, Office of Apprenticeship ({state})"
    if row["registration_agency_type"] == "SAA":
        return f"State Apprenticeship Agency ({state})"
    return f"Registration agency of {state} (OA or SAA not stated)"


def career_url(onet_code: str | None) -> str | None:
    """The My Next Move career page, except for "All Other" codes (no page; no fallback)."""
    if not onet_code or is_all_other(onet_code):
        return None
    return CAREER_URL.format(code=onet_code)


def build_record(
    row: dict[str, Any],
    *,
    flags: list[str],
    document_sha256: str,
    plugin_version: str,
    fmt: str,
    locator: str,
    description: str,
    extra_results: dict[str, Any] | None = None,
    disambiguator: str | None = None,
    known_id: str | None = None,
) -> CredentialRecord:
    """The validated record of one normalized row (``known_id``: its :func:`record_id`, when already made)."""
    # plain dicts, validated in one pass: building each part as a model first validated every
    # identifier, occupation and result on its own
    identifiers: list[dict[str, Any]] = []
    if row["program_registration_number"]:
        identifiers.append({"scheme": "program_registration", "value": row["program_registration_number"]})
    if row["rapids_code"]:
        identifiers.append({"scheme": "rapids", "value": row["rapids_code"]})

    occupations: list[dict[str, Any]] = []
    if row["onet_soc_code"]:
        occupations.append({"framework": "onet_soc", "code": row["onet_soc_code"],
                            "title": known_onet_codes().get(row["onet_soc_code"])})
        occupations.append({"framework": "soc", "code": row["soc_code"]})
    if row["rapids_code"]:
        occupations.append({"framework": "rapids", "code": row["rapids_code"], "title": row["occupation_title"]})

    credit: list[dict[str, Any]] = []
    for column, subject in (("ojl_hours", "on-the-job learning"), ("rti_hours", "related technical instruction")):
        if row[column] is not None:
            credit.append({"amount": row[column], "unit": CreditUnit.CLOCK_HOURS, "subject": subject})

    results = [{"name": name, "value": str(row[name])} for name in _RESULT_FIELDS if row[name] is not None]
    url = career_url(row["onet_soc_code"])
    if url:
        results.append({"name": "onet_career_url", "value": url})
    for name, value in (extra_results or {}).items():
        if value is not None:
            results.append({"name": name, "value": str(value)})

    issuer_ids = [{"scheme": "registration_state", "value": row["registration_state"]}]
    if row["registration_agency_type"]:
        issuer_ids.insert(0, {"scheme": "registration_agency_type", "value": row["registration_agency_type"]})

    if known_id is None or disambiguator:
        known_id = record_id(row, disambiguator=disambiguator)
    return CredentialRecord.model_validate({
        "id": known_id,
        "holder": {"name": row["apprentice_name"]},
        "issuer": {"name": issuer_name(row), "identifiers": issuer_ids},
        "achievement": {
            "kind": Kind.APPRENTICESHIP,
            "title": row["occupation_title"],
            "description": description,
            "identifiers": identifiers,
            "occupations": occupations,
            "credit": credit,
        },
        "issued_on": date.fromisoformat(row["completion_date"]),
        "expires_on": None,  # completion certificates do not expire
        "status": RecordStatus.ACTIVE,
        "results": results,
        "source": {"plugin": SOURCE_NAME, "plugin_version": plugin_version, "format": fmt,
                   "document_sha256": document_sha256, "locator": locator},
        "warnings": list(flags),
    })
