"""Reference data shipped with the plugin: states, registration agencies, known O*NET codes.

``data/registration_agencies.csv`` (OA or SAA per state, verbatim from
ApprenticeshipStandardsDotOrg) and the O*NET-SOC codes found in the shared samples
(``data/onet_ws_careers_with_registered_apprenticeships.json``,
``data/agc_maine_apprenticeship_codes.csv``). See ``data/PROVENANCE.md``.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from importlib import resources

from passport_hub.matching import normalize_text

#: state or territory name (as registration_agencies.csv spells it) -> USPS code
STATE_CODES: dict[str, str] = {
    "Alabama": "AL", "Alaska": "AK", "American Samoa": "AS", "Arizona": "AZ", "Arkansas": "AR",
    "California": "CA", "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE",
    "District of Columbia": "DC", "Florida": "FL", "Georgia": "GA", "Guam": "GU", "Hawaii": "HI",
    "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY",
    "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI",
    "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE",
    "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Northern Mariana Islands": "MP", "Ohio": "OH",
    "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Puerto Rico": "PR",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN",
    "Texas": "TX", "U.S. Virgin Islands": "VI", "Utah": "UT", "Vermont": "VT", "Virginia": "VA",
    "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
}
STATE_NAMES: dict[str, str] = {code: name for name, code in STATE_CODES.items()}

#: extra spellings of names (normalized form -> code)
_STATE_ALIASES = {
    "washington dc": "DC", "washington d c": "DC", "d c": "DC",
    "virgin islands": "VI", "us virgin islands": "VI", "u s virgin islands": "VI",
    "commonwealth of the northern mariana islands": "MP", "northern marianas": "MP",
    "commonwealth of puerto rico": "PR", "washington state": "WA",
}

#: not in RAPIDS as of FY23 (MN, WA, DC); CT and MD report separately (formats/apprenticeship.md §2)
STATES_NOT_IN_RAPIDS = frozenset({"MN", "WA", "DC", "CT", "MD"})


_BY_NORMALIZED_NAME = {normalize_text(name): code for name, code in STATE_CODES.items()}
_BY_NORMALIZED_NAME.update(_STATE_ALIASES)


def state_code(text: str) -> str | None:
    """The 2-letter code of a state or territory written as a code or a full name, else ``None``."""
    raw = " ".join(text.split())
    if len(raw.rstrip(".")) == 2 and raw.rstrip(".").upper() in STATE_NAMES:
        return raw.rstrip(".").upper()
    compact = raw.replace(".", "").upper()
    if len(compact) == 2 and compact in STATE_NAMES:  # "T.X." style
        return compact
    return _BY_NORMALIZED_NAME.get(normalize_text(raw))


def _data_text(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


@cache
def agency_types() -> dict[str, frozenset[str]]:
    """State code -> the registration agency types listed for it (``{"OA"}``, ``{"SAA"}``, both)."""
    table: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(_data_text("registration_agencies.csv"))):
        code = STATE_CODES.get(row["state_name"].strip())
        if code is None:  # a name the table adds later: keep it visible rather than dropping it
            raise RuntimeError(f"registration_agencies.csv: unknown state {row['state_name']!r}")
        table.setdefault(code, set()).add(row["type"].strip().upper())
    return {code: frozenset(types) for code, types in table.items()}


@cache
def known_onet_codes() -> dict[str, str | None]:
    """O*NET-SOC codes found in the shipped samples -> a title when the source gives one.

    A partial list (the O*NET web-services example and AGC Maine's mapped codes): a code
    missing from it is *unknown to the plugin*, not invalid.
    """
    codes: dict[str, str | None] = {}
    doc = json.loads(_data_text("onet_ws_careers_with_registered_apprenticeships.json"))
    for career in doc.get("career", []):
        codes[career["code"]] = career.get("title")
    for row in csv.DictReader(io.StringIO(_data_text("agc_maine_apprenticeship_codes.csv"))):
        codes.setdefault(row["onet_soc_mapped_by_consumer"].strip(), None)
    return codes
