"""Request and response bodies (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..errors import ErrorKind

MAX_SHARE_SECONDS = 365 * 24 * 3600
DEFAULT_SHARE_SECONDS = 7 * 24 * 3600


#: text from clients: no control characters (PostgreSQL text cannot even hold NUL)
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]*$")]
#: how a request may name a record, as the CLI takes it
ID_OR_BEGINNING = ("Each an id or a unique beginning of it among the holder's records: one that names none of "
                   "them is 404, one that begins several 422 (`ambiguous`).")
RecordId = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")]
#: a fetch query's terms: names and values as bounded as every other string a client sends
QueryKey = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
QueryValue = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00-\x1f\x7f]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HolderCreate(_In):
    display_name: Text | None = Field(None, max_length=200, description="A label for the account (not shared).")


class HolderCreated(BaseModel):
    id: str
    token: str = Field(description="The holder token. Shown once; only its hash is stored.")
    display_name: str | None = None


class HolderInfo(BaseModel):
    id: str
    display_name: str | None = None
    created_at: str
    records: int = 0


class FetchRequest(_In):
    source: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    query: dict[QueryKey, QueryValue] = Field(
        default_factory=dict, max_length=20,
        description="Source-specific terms, e.g. {\"certificate_id\": \"02AK63B\"}: at most 20, each name up to 100 "
                    "characters and each value up to 2,000. Terms the source cannot use (none it needs, a value "
                    "that is no id of its issuer's) are 422 `malformed`.")


class IngestResult(BaseModel):
    document: str
    sha256: str | None = None
    source: str | None = None
    new: int = 0
    existing: int = 0
    #: stored records this document's copy replaced (a re-issued credential, a newer lookup)
    updated: int = 0
    records: list[dict[str, Any]] = Field(default_factory=list)
    rejected: list[dict[str, Any]] = Field(default_factory=list)


class VerifyRequest(_In):
    record_ids: list[RecordId] | None = Field(
        None, max_length=1000,
        description="Records to verify (default: all of the holder's records). " + ID_OR_BEGINNING)


class ShareCreate(_In):
    record_ids: list[RecordId] = Field(min_length=1, max_length=500,
                                       description="The records the share shows. " + ID_OR_BEGINNING)
    expires_in_seconds: int = Field(DEFAULT_SHARE_SECONDS, ge=60, le=MAX_SHARE_SECONDS,
                                    description="How long the link works (the credentials' own validity is separate).")
    audience: Text | None = Field(None, max_length=200, description="Who the link is for, e.g. an employer's name.")
    cpl_college: Text | None = Field(
        None, min_length=1, max_length=200,
        description="Add a credit-for-prior-learning section for this college, from the shared records only.")


class ShareCreated(BaseModel):
    id: str
    token: str = Field(description="Part of the link; shown once, only its hash is stored.")
    url: str
    html_url: str
    link_expires_at: datetime
    audience: str | None = None
    cpl_college: str | None = None
    record_ids: list[str]
    warnings: list[str] = Field(default_factory=list)


class ShareSummary(BaseModel):
    id: str
    audience: str | None = None
    created_at: str
    link_expires_at: str
    revoked_at: str | None = None
    state: str
    cpl_college: str | None = None
    record_ids: list[str]


class RequestErrorKind(StrEnum):
    """Kinds of error about the HTTP request itself; the hub's own kinds (not_found, auth,
    too_large, system, ...) are :class:`passport_hub.errors.ErrorKind`."""

    INVALID_REQUEST = "invalid_request"
    CONFLICT = "conflict"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    GONE = "gone"


class ErrorBody(BaseModel):
    """Every error the API answers in JSON (the share pages answer theirs in HTML)."""

    # extras a kind may bring besides those below stay in the body, as the schema allows
    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="What went wrong, for people.")
    kind: ErrorKind | RequestErrorKind = Field(
        description="What went wrong, for programs. `auth` is about the caller's token on a 401 or 403, and about "
                    "the hub's own credentials, refused by an issuer, on a 502.")
    errors: list[str] | None = Field(
        None, description="`invalid_request` (422) for parameters or a JSON body that do not validate: each problem.")
    state: Literal["revoked", "expired"] | None = Field(None, description="`gone` (410): why the link stopped working.")
