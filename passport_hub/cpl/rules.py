"""Articulation rules: what they say, and how they are read from MAP's template and our own format.

A rule says: *college course* (subject + number, title, units) is granted for *a credential*
(an ACE course or occupation exhibit — by version, by exhibit dates, or by MAP's
"Team Reviewed Date" version key —, a MAP exhibit, a CTID, or an industry certification
named by issuer + title), under *conditions* (minimum pay grade / skill level, recency),
with a *status* (only ``active`` rules grant credit).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..contract import parse_json
from ..dates import parse_date
from ..errors import MalformedError
from ..store import catalog_match_key

RuleKind = Literal["ace_course", "ace_occupation", "map_exhibit", "ctid", "certification"]
RuleStatus = Literal["active", "pending", "inactive"]

_ACE_COURSE = re.compile(r"^(AR|NV|MC|CG|AF|DD)-(\d{4})-(\d{4})(?:\s*V(\d{1,2}))?$")
_ACE_OCCUPATION = re.compile(r"^(MOS|NER|NEC|NWO|LDO|MCE|MCO|CGA|CGR|CGW)-([A-Z0-9]+)(?:-(\d{3})([EOL]\d)?)?$")
_MAP_EXHIBIT = re.compile(r"^MAP[A-Z]*-")
_PAY_GRADE = re.compile(r"^([EWO])-?(\d{1,2})$")
#: the highest grade of each kind: E-1..E-9, W-1..W-5, O-1..O-10
_TOP_GRADE = {"E": 9, "W": 5, "O": 10}
PAY_GRADES = "E-1 to E-9, W-1 to W-5 or O-1 to O-10"
#: a version given apart from the id: a course's ``V01`` (``V1``, ``1``), an occupation's ``005``
#: (``-005``, with a USMC pay-grade / level suffix ``001E5``)
_COURSE_VERSION = re.compile(r"V?(\d{1,2})")
_OCCUPATION_VERSION = re.compile(r"-?(\d{3})([EOL]\d)?")
_COURSE_CODE = re.compile(r"^(.*?[A-Za-z&/.])[\s\-]*(\d[\w.\-]*)$")


def _clean(text: Any) -> str:
    """Unicode whitespace normalised, trimmed; ``None`` → ``''``."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return " ".join(text.split())


@dataclass(frozen=True)
class AceId:
    """An ACE identifier split into the exhibit id (no version) and its version.

    Courses: ``AR-2201-0399 V01`` → id ``AR-2201-0399``, version ``V01``.
    Occupations: ``NER-HM-005`` → id ``NER-HM``, version ``005``; a Marine Corps pay-grade /
    level suffix (``MCE-0311-001E5``) comes back as ``suffix`` (``E5``).
    """

    id: str
    version: str | None
    kind: Literal["ace_course", "ace_occupation"]
    suffix: str | None = None

    @property
    def full_id(self) -> str:
        """The id as ACE prints it, without a course version: ``AR-2201-0399``, ``NER-HM-005``."""
        if self.kind == "ace_occupation" and self.version:
            return f"{self.id}-{self.version}{self.suffix or ''}"
        return self.id

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}" if self.kind == "ace_course" and self.version else self.full_id


def parse_ace_id(value: str | None, version: str | None = None) -> AceId | None:
    """Parse an ACE course/occupation id, tolerating case, stray punctuation and ``V1``/``V01``."""
    text = _clean(value).upper().strip(" .,;:*")
    text = re.sub(r"\s*-\s*", "-", text)
    if not text:
        return None
    if m := _ACE_COURSE.match(text):
        ver = m.group(4)
        if ver is None and version:
            vm = re.fullmatch(r"V?(\d{1,2})", _clean(version).upper())
            ver = vm.group(1) if vm else None
        return AceId(f"{m.group(1)}-{m.group(2)}-{m.group(3)}", f"V{int(ver):02d}" if ver else None, "ace_course")
    if m := _ACE_OCCUPATION.match(text):
        ver = m.group(3) or (_clean(version) or None)
        return AceId(f"{m.group(1)}-{m.group(2)}", ver, "ace_occupation", m.group(4))
    return None


def normalize_map_exhibit(value: str | None) -> str | None:
    """A MAP exhibit id (``MAP<type>-<code>-<n>-<nnn>``), upper-cased, stray punctuation removed."""
    text = re.sub(r"[^A-Z0-9\-]", "", _clean(value).upper()).strip("-")
    return text if _MAP_EXHIBIT.match(text) else None


def _pay_grade(value: str | None) -> tuple[str, int] | None:
    """``E-5``/``E5``/``e-05`` → ('E', 5); a grade that does not exist (``E-55``, ``W-6``, ``E-0``) → ``None``."""
    m = _PAY_GRADE.match(_clean(value).upper())
    if not m or not 1 <= int(m.group(2)) <= _TOP_GRADE[m.group(1)]:
        return None
    return m.group(1), int(m.group(2))


def pay_grade_rank(value: str | None) -> int | None:
    """``E-5`` → 5, ``W-2`` → 12, ``O-3`` → 23 (enlisted < warrant < commissioned); else ``None``."""
    grade = _pay_grade(value)
    return None if grade is None else {"E": 0, "W": 10, "O": 20}[grade[0]] + grade[1]


def normalize_pay_grade(value: str | None) -> str | None:
    """``E5`` → ``E-5``; ``None`` for what is not a pay grade (E-1..E-9, W-1..W-5, O-1..O-10)."""
    grade = _pay_grade(value)
    return f"{grade[0]}-{grade[1]}" if grade else None


def skill_level_rank(value: str | None) -> tuple[str, int] | None:
    """``30`` → ('', 30); USMC ``L2`` → ('L', 2). Levels compare only within one shape."""
    text = _clean(value).upper()
    if m := re.fullmatch(r"(L?)(\d{1,2})", text):
        return m.group(1), int(m.group(2))
    return None


def split_course_code(code: str) -> tuple[str, str]:
    """``BUS 80`` → ('BUS', '80'); ``MATH101A`` → ('MATH', '101A'); ``ADJ-1`` → ('ADJ', '1')."""
    text = _clean(code).upper()
    if m := _COURSE_CODE.match(text):
        return m.group(1).strip(" -"), m.group(2)
    return text, ""


# -- one rule as our own format spells it ---------------------------------------------------


class ArticulationSpec(BaseModel):
    """One row of the hub format (CSV columns / JSON keys); see docs/cpl.md."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    course: str | None = Field(None, description="Subject and number in one field, e.g. 'BUS 80'")
    subject: str | None = None
    number: str | None = None
    title: str | None = None
    units: float | None = Field(None, ge=0, le=100)
    kind: RuleKind | None = None
    ace_id: str | None = None
    ace_version: str | None = None
    exhibit_start: date | None = None
    exhibit_end: date | None = None
    team_reviewed_date: date | None = None
    map_exhibit_id: str | None = None
    ctid: str | None = None
    issuer: str | None = None
    credential_title: str | None = None
    min_pay_grade: str | None = None
    min_skill_level: str | None = None
    recency_years: int | None = Field(None, ge=1, le=100)
    status: RuleStatus = "active"
    credit_recommendation: str | None = None
    notes: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("exhibit_start", "exhibit_end", "team_reviewed_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        # runs before the blank-is-None validator (pydantic runs "before" validators last-defined first)
        if isinstance(value, str):
            return parse_date(value.strip()) if value.strip() else None
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("min_pay_grade")
    @classmethod
    def _pay_grade(cls, value: str | None) -> str | None:
        if value is None:
            return None
        grade = normalize_pay_grade(value)
        if grade is None:
            raise ValueError(f"{value!r} is not a pay grade ({PAY_GRADES})")
        return grade

    @field_validator("min_skill_level")
    @classmethod
    def _skill(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if skill_level_rank(value) is None:
            raise ValueError(f"skill level {value!r} is not like 30 or L2")
        return value.upper()

    @model_validator(mode="after")
    def _check(self) -> ArticulationSpec:
        if not (self.course or (self.subject and self.number)):
            raise ValueError("a college course is needed: 'course' (e.g. BUS 80) or 'subject' + 'number'")
        if self.exhibit_start and self.exhibit_end and self.exhibit_end < self.exhibit_start:
            raise ValueError("exhibit_end is before exhibit_start")
        if not (self.ace_id or self.map_exhibit_id or self.ctid or (self.issuer and self.credential_title)):
            raise ValueError("a credential is needed: ace_id, map_exhibit_id, ctid, or issuer + credential_title")
        return self


@dataclass
class Rule:
    """A validated, normalised rule ready to store (and, with ``id``/course, to match)."""

    subject: str
    number: str
    kind: str
    title: str | None = None
    units: float | None = None
    ace_id: str | None = None
    ace_version: str | None = None
    exhibit_start: date | None = None
    exhibit_end: date | None = None
    version_date: date | None = None
    map_exhibit_id: str | None = None
    ctid: str | None = None
    issuer_name: str | None = None
    credential_title: str | None = None
    min_pay_grade: str | None = None
    min_skill_level: str | None = None
    recency_years: int | None = None
    status: str = "active"
    credit_recommendation: str | None = None
    notes: str | None = None
    source: str = "hub"
    id: int | None = None
    course_id: int | None = None

    @property
    def course_code(self) -> str:
        return f"{self.subject} {self.number}".strip()

    @property
    def match_key(self) -> str | None:
        if self.issuer_name and self.credential_title:
            return catalog_match_key(self.issuer_name, self.credential_title)
        return None

    def rule_key(self) -> str:
        parts = (self.kind, self.ace_id, self.ace_version, self.exhibit_start, self.exhibit_end, self.version_date,
                 self.map_exhibit_id, self.ctid, self.match_key, self.min_pay_grade, self.min_skill_level,
                 self.recency_years)
        return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()

    def credential_label(self) -> str:
        """How the rule names its credential, for people."""
        if self.kind in ("ace_course", "ace_occupation"):
            label = f"ACE {self.ace_id}"
            if self.ace_version:
                label += f" {self.ace_version}" if self.kind == "ace_course" else f"-{self.ace_version}"
            if self.exhibit_start or self.exhibit_end:
                label += f" (exhibit dates {self.exhibit_start or '…'} to {self.exhibit_end or 'present'})"
            elif self.version_date:
                label += f" (version team-reviewed {self.version_date})"
            return label
        if self.kind == "map_exhibit":
            what = f" ({self.issuer_name}: {self.credential_title})" if self.match_key else ""
            return f"MAP exhibit {self.map_exhibit_id}{what}"
        if self.kind == "ctid":
            return f"CTID {self.ctid}" + (f" ({self.credential_title})" if self.credential_title else "")
        return f"{self.issuer_name}: {self.credential_title}"


def _rule_ace_id(value: str, version: str | None) -> AceId:
    """A rule's ACE id and version, both checked: a version that is not one is refused, never
    dropped (a rule without a version covers every version)."""
    ace = parse_ace_id(value)  # the id alone: the version given apart is checked here
    if ace is None:
        raise ValueError(f"ace_id {value!r} is not an ACE course or occupation id")
    if version:
        text = _clean(version).upper()
        if ace.kind == "ace_course":
            m = _COURSE_VERSION.fullmatch(text)
            if m is None:
                raise ValueError(f"ace_version {version!r} is not an ACE course version (V01, V02, ...)")
            given = AceId(ace.id, f"V{int(m.group(1)):02d}", ace.kind)
        else:
            m = _OCCUPATION_VERSION.fullmatch(text)
            if m is None:
                raise ValueError(f"ace_version {version!r} is not an ACE occupation version "
                                 f"(three digits: 005 as in {ace.id}-005)")
            given = AceId(ace.id, m.group(1), ace.kind, m.group(2))
        if ace.version and (given.version != ace.version or (given.suffix and ace.suffix != given.suffix)):
            raise ValueError(f"ace_version {version!r} is not the version in ace_id {value!r}")
        ace = AceId(ace.id, given.version, ace.kind, ace.suffix or given.suffix)
    if ace.version in ("V00", "000"):
        raise ValueError(f"ACE version {ace.version} of {ace.id} does not exist (versions count from "
                         f"{'V01' if ace.kind == 'ace_course' else '001'})")
    return ace


def _suffix_condition(rule: Rule, ace: AceId, given: str) -> None:
    """A USMC exhibit's pay-grade (``E5``) or level (``L2``) suffix as the rule's condition; a
    condition also given must say the same."""
    assert ace.suffix
    if ace.suffix[0] == "L":
        field_name, value = "min_skill_level", ace.suffix
    else:
        field_name, value = "min_pay_grade", normalize_pay_grade(ace.suffix)
        if value is None:
            raise ValueError(f"ace_id {given!r}: {ace.suffix} is not a pay grade ({PAY_GRADES})")
    stated = getattr(rule, field_name)
    if stated and stated != value:
        raise ValueError(f"{field_name} {stated} is not the {value} that ace_id {given!r} names")
    setattr(rule, field_name, value)


def rule_from_spec(spec: ArticulationSpec, *, source: str = "hub") -> Rule:
    """Normalise one spec; raises ``ValueError`` with a readable reason."""
    if spec.course:
        subject, number = split_course_code(spec.course)
    else:
        subject, number = _clean(spec.subject).upper(), _clean(spec.number).upper()
    rule = Rule(subject=subject, number=number, kind=spec.kind or "", title=spec.title, units=spec.units,
                exhibit_start=spec.exhibit_start, exhibit_end=spec.exhibit_end,
                version_date=spec.team_reviewed_date, min_pay_grade=spec.min_pay_grade,
                min_skill_level=spec.min_skill_level, recency_years=spec.recency_years, status=spec.status,
                credit_recommendation=spec.credit_recommendation, notes=spec.notes, source=source,
                issuer_name=_clean(spec.issuer) or None, credential_title=_clean(spec.credential_title) or None)
    map_id = normalize_map_exhibit(spec.map_exhibit_id) if spec.map_exhibit_id else None
    if spec.map_exhibit_id and map_id is None:
        raise ValueError(f"map_exhibit_id {spec.map_exhibit_id!r} is not a MAP exhibit id (MAP<type>-...)")
    ace = None
    if spec.ace_id:
        candidate = normalize_map_exhibit(spec.ace_id)
        if candidate:  # MAP's template puts MAP-local exhibits in the "ACE ID" column
            if spec.ace_version:
                raise ValueError(f"ace_version {spec.ace_version!r} is given for MAP exhibit {candidate} "
                                 "(MAP exhibits have no ACE version)")
            map_id = map_id or candidate
        else:
            ace = _rule_ace_id(spec.ace_id, spec.ace_version)
            rule.ace_id, rule.ace_version = ace.id, ace.version
            if ace.suffix:  # USMC: the exhibit for one pay grade or level
                _suffix_condition(rule, ace, spec.ace_id)
    elif spec.ace_version:
        raise ValueError(f"ace_version {spec.ace_version!r} is given without an ace_id")
    if spec.ctid:
        ctid = _clean(spec.ctid).lower()
        if not re.fullmatch(r"ce-[0-9a-f\-]{36}", ctid):
            raise ValueError(f"ctid {spec.ctid!r} is not a CTID (ce-<uuid>)")
        rule.ctid = ctid
    rule.map_exhibit_id = map_id
    if map_id:
        inferred = "map_exhibit"
    elif ace is not None:
        inferred = ace.kind
    elif rule.ctid:
        inferred = "ctid"
    else:
        inferred = "certification"
    if spec.kind and spec.kind != inferred:
        raise ValueError(f"kind {spec.kind!r} does not fit the credential given (looks like {inferred!r})")
    rule.kind = inferred
    return rule


# -- file formats ---------------------------------------------------------------------------


@dataclass
class ParsedRules:
    rules: list[Rule] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # {"row": n, "reason": ...}
    format: str = ""


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise MalformedError(f"{name}: not UTF-8 or Windows-1252 text") from None


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", _clean(name).lower()).strip()


MAP_COLUMNS = {
    "course": "course",
    "ace id": "ace_id",
    "team reviewed date": "team_reviewed_date",
    "credit recommendation s": "credit_recommendation",
    "credit recommendation": "credit_recommendation",
    "credit recommendations": "credit_recommendation",
    "notes": "notes",
}


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            (f"{'.'.join(str(p) for p in e['loc'])}: " if e["loc"] else "") + e["msg"].removeprefix("Value error, ")
            for e in exc.errors())
    return str(exc)


def _csv_row(columns: list[str | None], values: list) -> dict:
    """One CSV row as a spec's input: a blank cell is not given, as a key absent from JSON
    (so a blank date is no date and a blank status the default)."""
    return {col: val for col, val in zip(columns, values, strict=False) if col and isinstance(val, str) and val.strip()}


def _rows_to_rules(rows: list[tuple[int, dict]], source: str) -> ParsedRules:
    out = ParsedRules(format=source)
    for row_number, row in rows:
        try:
            out.rules.append(rule_from_spec(ArticulationSpec.model_validate(row), source=source))
        except (ValidationError, ValueError) as exc:
            out.rejected.append({"row": row_number, "reason": _error_text(exc)})
    return out


def read_map_csv(data: bytes, name: str = "articulations.csv") -> ParsedRules:
    """MAP's "existing articulations" import template.

    Columns ``Course, ACE ID, Team Reviewed Date, Credit Recommendation(s), Notes`` (a
    UTF-8 BOM is fine). The same ACE ID with two team-reviewed dates is two exhibit
    versions: two rules. IDs starting with ``MAP`` are MAP-local exhibits.
    """
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise MalformedError(f"{name}: empty file")
    columns = [MAP_COLUMNS.get(_header_key(h)) for h in header]
    missing = {"course", "ace_id"} - set(columns)
    if missing:
        raise MalformedError(
            f"{name}: not MAP's articulation template (needs columns Course, ACE ID, Team Reviewed Date; "
            f"got {', '.join(h.strip() for h in header)})")
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, _csv_row(columns, values)))
    return _rows_to_rules(rows, "map")


HUB_FIELDS = tuple(ArticulationSpec.model_fields)


def read_hub(data: bytes, name: str = "articulations") -> tuple[ParsedRules, str | None]:
    """Our own format: JSON (``{"college": ..., "articulations": [...]}`` or a list) or CSV
    whose header row names :class:`ArticulationSpec` fields. Returns the rules and the
    college the file names (JSON only), if any."""
    text = _decode(data, name)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        doc = parse_json(stripped, name=name)  # also refuses nesting past the decoder's depth guard
        college = None
        if isinstance(doc, dict):
            college = doc.get("college") if isinstance(doc.get("college"), str) else None
            doc = doc.get("articulations")
        if not isinstance(doc, list) or not all(isinstance(x, dict) for x in doc):
            raise MalformedError(f"{name}: expected a list of articulation objects (or {{\"articulations\": [...]}})")
        return _rows_to_rules(list(enumerate(doc, start=1)), "hub"), college
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise MalformedError(f"{name}: empty file")
    fields = [_header_key(h).replace(" ", "_") for h in reader.fieldnames]
    unknown = [h for h, f in zip(reader.fieldnames, fields, strict=True) if f not in HUB_FIELDS]
    if unknown:
        raise MalformedError(f"{name}: unknown column(s) {', '.join(unknown)}; hub columns are {', '.join(HUB_FIELDS)}")
    rows = []
    for number, raw in enumerate(reader, start=2):
        if row := _csv_row(fields, list(raw.values())):
            rows.append((number, row))
    return _rows_to_rules(rows, "hub"), None


def sniff_format(data: bytes) -> str:
    """``map`` when the header is MAP's template, else ``hub``."""
    head = data[:2000].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith(("{", "[")):
        return "hub"
    first = head.splitlines()[0] if head else ""
    keys = {_header_key(h) for h in next(csv.reader([first]), [])}
    return "map" if {"ace id", "team reviewed date"} <= keys else "hub"
