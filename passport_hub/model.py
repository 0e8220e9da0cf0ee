"""The normalized record ``passport-hub/record@1`` and the catalog entry.

Field names are the public contract (CLI ``--json``, the API, exports); see
DESIGN.md. Models only ever gain optional fields. Dates are ``datetime.date``
and serialize as ISO 8601 ``YYYY-MM-DD``.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RECORD_SCHEMA = "passport-hub/record@1"
CATALOG_SCHEMA = "passport-hub/catalog-entry@1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True, validate_assignment=False)


class Kind(StrEnum):
    DEGREE = "degree"
    CERTIFICATE = "certificate"
    CERTIFICATION = "certification"
    LICENSE = "license"
    BADGE = "badge"
    APPRENTICESHIP = "apprenticeship"
    MILITARY_COURSE = "military_course"
    MILITARY_OCCUPATION = "military_occupation"
    COURSE = "course"
    TEST_SCORE = "test_score"
    OTHER = "other"


class RecordStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    IN_PROGRESS = "in_progress"
    UNKNOWN = "unknown"


class RegistryStatus(StrEnum):
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    SUSPENDED = "suspended"
    CEASED = "ceased"
    PROBATIONARY = "probationary"
    UNKNOWN = "unknown"


class CreditUnit(StrEnum):
    SEMESTER_HOURS = "semester_hours"
    QUARTER_UNITS = "quarter_units"
    UNITS = "units"
    CLOCK_HOURS = "clock_hours"


class CreditLevel(StrEnum):
    VOCATIONAL = "vocational"
    LOWER_DIVISION = "lower_division"
    UPPER_DIVISION = "upper_division"
    GRADUATE = "graduate"


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"


class VerificationStatus(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNVERIFIABLE = "unverifiable"
    ERROR = "error"


#: what a check found about the credential itself; ``unverifiable`` and ``error`` say only that
#: the check could not be made
CONCLUSIVE_STATUSES = frozenset({VerificationStatus.VERIFIED, VerificationStatus.FAILED, VerificationStatus.REVOKED,
                                 VerificationStatus.EXPIRED})


class Identifier(_Model):
    """An identifier in a named scheme (``ctid``, ``ace``, ``fice``, ``certificate_number`` ...)."""

    scheme: str
    value: str
    version: str | None = None


class Holder(_Model):
    name: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    email: str | None = None
    identifiers: list[Identifier] = Field(default_factory=list)


class Issuer(_Model):
    name: str
    identifiers: list[Identifier] = Field(default_factory=list)
    url: str | None = None


class Skill(_Model):
    """A skill or competency the achievement aligns to."""

    name: str
    framework: str | None = None
    code: str | None = None
    url: str | None = None


class Occupation(_Model):
    framework: str  # onet_soc, soc, mos, navy_rating, rapids, ...
    code: str
    title: str | None = None
    skill_level: str | None = None
    pay_grade: str | None = None


class Classification(_Model):
    """A code in a classification: an industry (NAICS) or an instructional program (CIP)."""

    framework: str
    code: str
    title: str | None = None


class Credit(_Model):
    """A credit amount as the issuer states it; units are never converted."""

    amount: float
    unit: CreditUnit
    level: CreditLevel | None = None
    subject: str | None = None


class Achievement(_Model):
    kind: Kind
    title: str
    description: str | None = None
    ctdl_type: str | None = None
    ctid: str | None = None
    identifiers: list[Identifier] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    occupations: list[Occupation] = Field(default_factory=list)
    credit: list[Credit] = Field(default_factory=list)


class Result(_Model):
    name: str
    value: str


class Source(_Model):
    """Provenance: which plugin read which document, and where in it."""

    plugin: str
    plugin_version: str
    #: the document's format as a person names it ("PESC CollegeTranscript v1.6.0 XML"): CPL
    #: reports and share pages show it as the evidence a credential was read from
    format: str
    document_sha256: str
    locator: str | None = None
    #: the id of the record a passport-hub exported this credential from (its ``passportHub``
    #: extension says so): a holder who still has that record keeps it, not a second copy
    copy_of: str | None = None


class Check(_Model):
    name: str
    status: CheckStatus
    detail: str | None = None


class Verification(_Model):
    status: VerificationStatus
    checked_at: datetime
    checks: list[Check] = Field(default_factory=list)


class CredentialRecord(_Model):
    """One credential a holder earned (``passport-hub/record@1``)."""

    schema_: Literal["passport-hub/record@1"] = Field(RECORD_SCHEMA, alias="schema")
    id: str
    holder: Holder | None = None
    issuer: Issuer
    achievement: Achievement
    issued_on: date | None = None
    expires_on: date | None = None
    status: RecordStatus = RecordStatus.UNKNOWN
    results: list[Result] = Field(default_factory=list)
    source: Source
    verification: Verification | None = None
    warnings: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", use_enum_values=True, populate_by_name=True)

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class CatalogEntry(_Model):
    """An approved credential from the registry: what it is, not who earned it."""

    schema_: Literal["passport-hub/catalog-entry@1"] = Field(CATALOG_SCHEMA, alias="schema")
    id: str
    issuer: Issuer
    achievement: Achievement
    status: RegistryStatus = RegistryStatus.UNKNOWN
    lifecycle_status: str | None = None
    date_effective: date | None = None
    url: str | None = None
    industries: list[Classification] = Field(default_factory=list)
    instructional_programs: list[Classification] = Field(default_factory=list)
    source: Source
    warnings: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", use_enum_values=True, populate_by_name=True)

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def stable_id(*parts: object, prefix: str = "rec") -> str:
    """A deterministic id from the parts that make a credential unique.

    Parts are normalized (``None`` → empty, whitespace collapsed, case folded) so the
    same credential read from two documents (a certificate PDF and its lookup) gets the
    same id when the plugin passes the same keys.
    """
    # casefold once over the joined text: it maps character by character, so this equals
    # folding each part (the separator folds to itself)
    text = "\x1f".join([" ".join(str(p).split()) if p is not None else "" for p in parts]).casefold()
    return f"{prefix}_{hashlib.sha256(text.encode()).hexdigest()[:32]}"
