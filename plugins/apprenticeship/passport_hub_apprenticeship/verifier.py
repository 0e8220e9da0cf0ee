"""The ``apprenticeship`` verifier: the checks that can honestly be made without a registry.

There is no public apprentice-level or completion-level registry and no verification API
(DOL publishes aggregates only), so the issuer is never asked: ``issuer_confirms`` is
``not_checked`` with that reason. What can be checked is internal consistency against
public reference data: the occupation code, the agency type for the state, the hours for
the apprenticeship type.
"""

from __future__ import annotations

import re

from passport_hub.contract import Verifier, VerifyContext
from passport_hub.model import Check, CheckStatus, CredentialRecord

from .reference import STATE_NAMES, agency_types, known_onet_codes

_ONET = re.compile(r"^(\d{2})-\d{4}\.\d{2}$")
#: SOC 2018 major groups (11-0000 ... 55-0000, odd numbers only)
SOC_MAJOR_GROUPS = frozenset(str(n) for n in range(11, 56, 2))
#: 29 CFR 29.4(c): an apprenticeable occupation requires at least 2,000 hours of on-the-job learning
#: (29 CFR 29.5(b)(2)(i): the time-based approach counts those hours)
MIN_TIME_BASED_HOURS = 2000

NO_REGISTRY = (
    "no public registry of apprenticeship completions: RAPIDS apprentice records are not public and "
    "DOL publishes aggregates only; absence from RAPIDS-derived data is not evidence of non-completion"
)


def _result(record: CredentialRecord, name: str) -> str | None:
    return next((r.value for r in record.results if r.name == name), None)


def _int_result(record: CredentialRecord, name: str) -> int | None:
    value = _result(record, name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _issuer_id(record: CredentialRecord, scheme: str) -> str | None:
    return next((i.value for i in record.issuer.identifiers if i.scheme == scheme), None)


def check_occupation(record: CredentialRecord) -> Check:
    codes = [o.code for o in record.achievement.occupations if o.framework == "onet_soc"]
    if not codes:
        reason = "no O*NET-SOC code on the record"
        if "onet_no_match_sentinel" in record.warnings:
            reason += " (the roster gave 99-9999, the crosswalk's NO MATCH sentinel)"
        elif "onet_invalid" in record.warnings:
            reason += " (the roster's value could not be repaired)"
        return Check(name="occupation_code", status=CheckStatus.NOT_CHECKED, detail=reason)
    code = codes[0]
    m = _ONET.match(code)
    if not m or m[1] not in SOC_MAJOR_GROUPS:
        return Check(name="occupation_code", status=CheckStatus.FAILED,
                     detail=f"{code} is not a valid O*NET-SOC code (NN-NNNN.NN in a SOC major group)")
    known = known_onet_codes()
    if code in known:
        title = f" ({known[code]})" if known[code] else ""
        return Check(name="occupation_code", status=CheckStatus.PASSED,
                     detail=f"{code}{title} is a valid O*NET-SOC code in the shipped reference list")
    return Check(name="occupation_code", status=CheckStatus.NOT_CHECKED,
                 detail=f"{code} is well formed but not in the shipped reference list "
                        f"({len(known)} codes; a partial list), so it could not be confirmed as known")


def check_agency(record: CredentialRecord) -> Check:
    state = _issuer_id(record, "registration_state")
    agency_type = _issuer_id(record, "registration_agency_type")
    if not state or not agency_type:
        return Check(name="agency_type_consistent", status=CheckStatus.NOT_CHECKED,
                     detail="the record does not state both the registration state and the agency type")
    types = agency_types().get(state)
    if not types:
        return Check(name="agency_type_consistent", status=CheckStatus.NOT_CHECKED,
                     detail=f"{state} is not in the registration agency table")
    listed = " and ".join(sorted(types))
    name = STATE_NAMES.get(state, state)
    if agency_type in types:
        return Check(name="agency_type_consistent", status=CheckStatus.PASSED,
                     detail=f"{name} is listed with registration agency type {listed}; the record says {agency_type}")
    return Check(name="agency_type_consistent", status=CheckStatus.FAILED,
                 detail=f"{name} is listed with registration agency type {listed}, but the record says {agency_type}")


def check_hours(record: CredentialRecord) -> Check:
    name = "hours_consistent_with_type"
    kind = _result(record, "apprenticeship_type")
    if kind is None:
        return Check(name=name, status=CheckStatus.NOT_CHECKED, detail="apprenticeship type not stated")
    term = _int_result(record, "term_hours")
    low = _int_result(record, "term_hours_min")
    ojl = _int_result(record, "ojl_hours")
    minimum = term if term is not None else low
    if kind == "Competency-Based":
        return Check(name=name, status=CheckStatus.PASSED,
                     detail="competency-based: no fixed term hours are required (29 CFR 29.5(b)(2)(ii))")
    if minimum is None:
        return Check(name=name, status=CheckStatus.NOT_CHECKED,
                     detail=f"{kind} program without term hours: nothing to compare")
    if kind == "Time-Based" and minimum < MIN_TIME_BASED_HOURS:
        return Check(name=name, status=CheckStatus.FAILED,
                     detail=f"time-based term of {minimum} hours is below the {MIN_TIME_BASED_HOURS}-hour minimum "
                            "of 29 CFR 29.4(c)")
    if ojl is None:
        return Check(name=name, status=CheckStatus.PASSED,
                     detail=f"{kind} program with a term of {minimum} hours (on-the-job hours not stated)")
    if ojl < minimum:
        return Check(name=name, status=CheckStatus.FAILED,
                     detail=f"{ojl} on-the-job hours completed, below the {kind} program's {minimum}-hour term")
    return Check(name=name, status=CheckStatus.PASSED,
                 detail=f"{ojl} on-the-job hours completed against a {kind} term of {minimum} hours")


def check_issuer() -> Check:
    return Check(name="issuer_confirms", status=CheckStatus.NOT_CHECKED, detail=NO_REGISTRY)


class ApprenticeshipVerifier(Verifier):
    """Consistency checks for Registered Apprenticeship completion records."""

    name = "apprenticeship"
    title = "Registered Apprenticeship completion consistency (no public completion registry)"

    def issuer_key(self, record: CredentialRecord) -> str:
        state = _issuer_id(record, "registration_state") or "unknown"
        return f"{self.name}:{state}"

    def supports(self, record: CredentialRecord) -> bool:
        return record.source.plugin == "apprenticeship"

    async def verify(self, record: CredentialRecord, context: VerifyContext) -> list[Check]:
        return [check_issuer(), check_occupation(record), check_agency(record), check_hours(record)]
