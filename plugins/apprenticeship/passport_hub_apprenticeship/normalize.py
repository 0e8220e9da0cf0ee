"""Row normalization for completion rosters (the contract of the synthetic samples' README).

One roster row (CSV or JSON, keys already mapped to the snake_case column names) becomes a
:class:`RowOutcome`: the normalized row (the ``record`` shape of the ``.expected.json``
files), its flags, or the reasons it is rejected. Flags and reject reasons use the
samples' vocabulary; see README.md for the list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from passport_hub.dates import parse_date_ex
from passport_hub.matching import normalize_text

from .reference import STATES_NOT_IN_RAPIDS, agency_types, state_code

#: roster columns, in the samples' order
COLUMNS = (
    "apprentice_name", "occupation_title", "rapids_code", "onet_soc_code", "sponsor_name",
    "program_registration_number", "registration_agency", "registration_state",
    "apprenticeship_type", "term_hours", "ojl_hours", "rti_hours", "completion_date",
)
REQUIRED = ("apprentice_name", "occupation_title", "sponsor_name", "registration_state", "completion_date")

#: header spellings seen in sponsor exports (after :func:`header_key`) -> column
_ALIASES = {
    "apprentice": "apprentice_name", "name": "apprentice_name", "apprentice_full_name": "apprentice_name",
    "full_name": "apprentice_name",
    "occupation": "occupation_title", "occupation_name": "occupation_title", "rapids_title": "occupation_title",
    "rapids": "rapids_code", "rapids_occupation_code": "rapids_code",
    "onet_soc": "onet_soc_code", "onet_code": "onet_soc_code", "o_net_soc_code": "onet_soc_code",
    "o_net_soc": "onet_soc_code", "o_net_code": "onet_soc_code", "onet": "onet_soc_code",
    "sponsor": "sponsor_name", "program_sponsor": "sponsor_name",
    "program_registration_no": "program_registration_number", "program_number": "program_registration_number",
    "program_no": "program_registration_number", "registration_number": "program_registration_number",
    "program_registration": "program_registration_number",
    "agency": "registration_agency", "registration_agency_name": "registration_agency",
    "state": "registration_state", "program_state": "registration_state",
    "type": "apprenticeship_type", "program_type": "apprenticeship_type",
    "term_length_hours": "term_hours", "term": "term_hours",
    "ojt_hours": "ojl_hours", "rsi_hours": "rti_hours",
    "date_of_completion": "completion_date", "completed_on": "completion_date", "completion": "completion_date",
}


#: the columns' own spellings (snake_case, and camelCase as the JSON export writes them) -> column,
#: filled by header_key itself at import
_KNOWN_HEADERS: dict[str, str] = {}
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(header: str) -> str:
    """A column name as written (``"O*NET-SOC Code"``, ``apprenticeName``) -> the roster column."""
    known = _KNOWN_HEADERS.get(header)
    if known is not None:
        return known
    text = header.replace("\ufeff", "").strip()
    text = _CAMEL_BOUNDARY.sub("_", text)  # camelCase -> camel_Case
    key = _NOT_ALNUM.sub("_", text.casefold()).strip("_")
    return _ALIASES.get(key, key)


def _camel(column: str) -> str:
    first, *rest = column.split("_")
    return first + "".join(part.capitalize() for part in rest)


_KNOWN_HEADERS.update(
    {spelling: header_key(spelling) for column in COLUMNS for spelling in (column, _camel(column))})


@dataclass
class RowOutcome:
    """One roster row after normalization."""

    row: int  # 1-based data row
    flags: list[str] = field(default_factory=list)
    reject_reasons: list[str] = field(default_factory=list)
    record: dict[str, Any] | None = None
    #: values kept for the credential record but not part of the normalized row shape
    extras: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # physical line (CSV)
    index: int | None = None  # 0-based position (JSON)

    @property
    def outcome(self) -> str:
        if self.reject_reasons:
            return "rejected"
        return "accepted_with_flags" if self.flags else "accepted"

    def reject(self, *reasons: str) -> None:
        self.reject_reasons.extend(reasons)
        self.record = None
        self.flags = []

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


# --- field normalizers ---------------------------------------------------------------

_ONET = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
_ONET_DOTS = re.compile(r"^(\d{2})\.(\d{4})\.(\d{2})$")
_SOC = re.compile(r"^\d{2}-\d{4}$")
_SPACED_SEPARATOR = re.compile(r"\s*([-.])\s*")
_DIGITS_AND_SEPARATORS = re.compile(r"[\d.\-]+")
NO_MATCH_SENTINELS = frozenset({"99-9999", "99-9999.00"})


def normalize_onet(raw: str | None) -> tuple[str | None, list[str]]:
    """An O*NET-SOC code as ``NN-NNNN.NN`` (or ``None``) and the flags of its repair.

    Repairs only what is certain: surrounding (or hyphen-adjacent) whitespace, the dot
    form ``17.2011.00`` and a SOC code without its ``.00`` suffix. ``99-9999`` is the
    crosswalk's NO MATCH sentinel, never an occupation.
    """
    flags: list[str] = []
    if raw is None or not raw.strip():
        return None, flags
    code = raw.strip()
    if code != raw:
        flags.append("whitespace_trimmed")
    # (the code is stripped: only a code with inner whitespace can change)
    squeezed = _SPACED_SEPARATOR.sub(r"\1", code) if len(code.split()) > 1 else code
    if squeezed != code and _DIGITS_AND_SEPARATORS.fullmatch(squeezed):
        code = squeezed
        if "whitespace_trimmed" not in flags:
            flags.append("whitespace_trimmed")
    if code in NO_MATCH_SENTINELS:
        return None, [*flags, "onet_no_match_sentinel"]
    if _ONET.match(code):
        pass
    elif m := _ONET_DOTS.match(code):
        code = f"{m[1]}-{m[2]}.{m[3]}"
        flags.append("onet_dot_form_repaired")
    elif _SOC.match(code):
        code = f"{code}.00"
        flags.append("onet_suffix_added")
    else:
        return None, [*flags, "onet_invalid"]
    if is_all_other(code):
        flags.append("onet_all_other_code")
    return code, flags


def is_all_other(onet_code: str) -> bool:
    """An "All Other" occupation: its SOC detail ends in 9 9 (``11-9199.00``)."""
    return onet_code[5:7] == "99"


_TYPES = {"timebased": "Time-Based", "competencybased": "Competency-Based", "hybrid": "Hybrid"}
_TYPE_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_type(raw: str | None) -> tuple[str | None, list[str]]:
    if raw is None or not raw.strip():
        return None, []
    key = _TYPE_SEPARATORS.sub("", raw).casefold()
    if key in _TYPES:
        return _TYPES[key], []
    return None, ["apprenticeship_type_unrecognized"]


_INT = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.0+)?$")
_RANGE = re.compile(r"^(\S+)\s*(?:-|\u2013|\u2014|to)\s*(\S+)$", re.IGNORECASE)


def parse_int(text: str) -> int | None:
    text = text.strip()
    if not _INT.match(text):
        return None
    return int(text.split(".")[0].replace(",", ""))


class HoursError(ValueError):
    pass


def parse_hours(raw: str | None, *, allow_range: bool = False) -> tuple[int | None, int | None, int | None]:
    """``(hours, min, max)`` from ``"8000"``, ``"8,000"``, ``"4500 - 5000"`` (range only if allowed)."""
    if raw is None or not raw.strip():
        return None, None, None
    value = parse_int(raw)
    if value is not None:
        return value, None, None
    if allow_range and (m := _RANGE.match(raw.strip())):
        low, high = parse_int(m[1]), parse_int(m[2])
        if low is not None and high is not None and low <= high:
            return None, low, high
    raise HoursError(raw)


_DATE_FORMS = (
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), False),  # MM/DD/YYYY
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$"), False),  # ISO
    (re.compile(r"^[A-Za-z]{3,9}\.? \d{1,2},? \d{4}$"), False),  # September 19, 2025
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$"), True),  # MM/DD/YY
)


def parse_completion_date(raw: str | None) -> tuple[str | None, bool]:
    """ISO date and whether the year had two digits; ``(None, False)`` if unreadable.

    Only the formats the samples use; a two-digit year is read as 20YY.
    """
    if raw is None:
        return None, False
    text = " ".join(raw.split())
    if not any(pattern.match(text) for pattern, _ in _DATE_FORMS):
        return None, False
    try:
        parsed = parse_date_ex(text, pivot=99)
    except ValueError:
        return None, False
    return parsed.value.isoformat(), parsed.two_digit_year


_OA_TEXT = ("office of apprenticeship", "usdol", "us department of labor", "u s department of labor",
            "united states department of labor")
_SAA_TEXT = ("division of apprenticeship standards", "state apprenticeship agency",
             "state apprenticeship council")


def agency_type_from_text(text: str | None) -> str | None:
    """``OA`` / ``SAA`` when the agency text names one, else ``None``."""
    if not text:
        return None
    norm = normalize_text(text)
    if norm in ("oa", "dol oa", "usdol oa"):
        return "OA"
    if norm == "saa":
        return "SAA"
    if any(t in norm for t in _SAA_TEXT):
        return "SAA"
    if any(t in norm for t in _OA_TEXT):
        return "OA"
    return None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


# --- one row -----------------------------------------------------------------------------


def _per_document(memo: dict[tuple[Any, str], Any] | None, lookup: Callable[[str], Any], text: str) -> Any:
    # a roster repeats its states and agency texts row after row: look each up once per document
    if memo is None:
        return lookup(text)
    key = (lookup, text)
    if key not in memo:
        memo[key] = lookup(text)
    return memo[key]


def normalize_row(
    raw: Mapping[str, str | None], row: int, memo: dict[tuple[Any, str], Any] | None = None
) -> RowOutcome:
    """Normalize one row whose values are text (``None`` or ``""`` for blank).

    ``memo``: a dict kept for one document's rows (state and agency lookups made once).
    """
    out = RowOutcome(row=row)
    name = _clean(raw.get("apprentice_name"))
    title = _clean(raw.get("occupation_title"))
    sponsor = _clean(raw.get("sponsor_name"))
    state_text = _clean(raw.get("registration_state"))
    date_text = _clean(raw.get("completion_date"))
    completion, two_digit = parse_completion_date(date_text)

    present = {
        "apprentice_name": name, "occupation_title": title, "sponsor_name": sponsor,
        "registration_state": state_text, "completion_date": completion,
    }
    missing = [f"missing_required:{f}" for f in REQUIRED if not present[f]]
    state = _per_document(memo, state_code, state_text) if state_text else None
    if state_text and state is None:
        missing.append("invalid_value:registration_state")
    if missing:
        out.reject(*missing)
        return out

    rapids_raw = raw.get("rapids_code")
    rapids = rapids_raw.strip() if rapids_raw is not None else None
    if rapids_raw is not None and rapids != rapids_raw and rapids:
        out.flag("whitespace_trimmed")
    rapids = rapids or None

    onet, onet_flags = normalize_onet(raw.get("onet_soc_code"))
    for f in onet_flags:
        out.flag(f)

    prn = _clean(raw.get("program_registration_number"))
    if not prn:
        out.flag("missing_program_registration_number")

    agency_name = _clean(raw.get("registration_agency"))
    agency_type = _per_document(memo, agency_type_from_text, agency_name) if agency_name else None
    if agency_type is None:
        types = agency_types().get(state, frozenset())
        if len(types) == 1:
            agency_type = next(iter(types))
        else:
            out.flag("registration_agency_ambiguous")

    app_type, type_flags = normalize_type(raw.get("apprenticeship_type"))
    for f in type_flags:
        out.flag(f)

    hours: dict[str, int | None] = {}
    try:
        term, term_min, term_max = parse_hours(raw.get("term_hours"), allow_range=True)
    except HoursError:
        term = term_min = term_max = None
        out.flag("hours_invalid:term_hours")
    if term_min is not None:
        out.flag("term_hours_range")
        out.extras["term_hours_text"] = " ".join(str(raw.get("term_hours")).split())
    for col in ("ojl_hours", "rti_hours"):
        try:
            hours[col] = parse_hours(raw.get(col))[0]
        except HoursError:
            hours[col] = None
            out.flag(f"hours_invalid:{col}")
    if app_type == "Time-Based" and term is None and term_min is None:
        out.flag("time_based_missing_term_hours")

    if two_digit:
        out.flag("two_digit_year")
    if state in STATES_NOT_IN_RAPIDS:
        out.flag("state_not_in_rapids")

    out.record = {
        "apprentice_name": name,
        "occupation_title": title,
        "rapids_code": rapids,
        "onet_soc_code": onet,
        "soc_code": onet[:7] if onet else None,
        "sponsor_name": sponsor,
        "program_registration_number": prn,
        "registration_agency_name": agency_name,
        "registration_agency_type": agency_type,
        "registration_state": state,
        "apprenticeship_type": app_type,
        "term_hours": term,
        "term_hours_min": term_min,
        "term_hours_max": term_max,
        "ojl_hours": hours["ojl_hours"],
        "rti_hours": hours["rti_hours"],
        "completion_date": completion,
        "expiry_date": None,
    }
    return out


def duplicate_key(record: Mapping[str, Any]) -> tuple[str, str, str]:
    """Same apprentice (case/whitespace-insensitive) + program registration number + occupation."""
    def fold(v: Any) -> str:
        return " ".join(str(v or "").split()).casefold()

    return fold(record["apprentice_name"]), fold(record["program_registration_number"]), fold(
        record["occupation_title"])


def mark_duplicates(outcomes: Iterable[RowOutcome]) -> None:
    """A later row with the same key and completion date is rejected ``duplicate_of_row:<n>``;
    the same key with a different date keeps both rows, flagged
    ``duplicate_conflicting_completion_date``."""
    seen: dict[tuple[str, str, str], list[RowOutcome]] = {}
    for out in outcomes:
        if out.record is None:
            continue
        key = duplicate_key(out.record)
        earlier = seen.setdefault(key, [])
        same = next((e for e in earlier if e.record["completion_date"] == out.record["completion_date"]), None)
        if same is not None:
            out.reject(f"duplicate_of_row:{same.row}")
            continue
        if earlier:
            for other in (*earlier, out):
                other.flag("duplicate_conflicting_completion_date")
        earlier.append(out)
