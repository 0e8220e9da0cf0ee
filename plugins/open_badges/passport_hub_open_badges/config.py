"""Settings of the ``open_badges`` verifier (light: no crypto imports)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class OpenBadgesVerifyConfig(BaseModel):
    """Settings of the ``open_badges`` verifier (env ``PASSPORT_HUB_OPEN_BADGES_<FIELD>``)."""

    issuer_key_binding: Literal["require", "warn", "off"] = Field(
        "warn",
        description=(
            "Is the proof key's controller required to be the credential's issuer? "
            "'require' fails the check on a mismatch (1EdTech validator: 'Key controller does not "
            "match issuer'); 'warn' reports it not_checked with the reason, and the credential is then "
            "unverifiable, not verified; 'off' does not compare (verifier-core): a valid signature is verified."
        ),
    )
    clock_skew_seconds: int = Field(300, ge=0, description="tolerance for validFrom/validUntil")
    https_fragment_keys: bool = Field(
        True, description="take the key from an HTTPS verificationMethod's multibase fragment (OB guide)"
    )
    fetch_contexts: bool = Field(False, description="fetch JSON-LD contexts missing from the cache")
    fetch_did_documents: bool = Field(False, description="fetch did:web documents missing from the cache")
    fetch_status_lists: bool = Field(True, description="fetch status list credentials (allowed hosts only)")
    allowed_hosts: list[str] = Field(default_factory=list, description="hosts the verifier may fetch from")
    contexts_dir: str | None = Field(None, description="extra offline contexts: a folder with index.json")
    documents_dir: str | None = Field(None, description="extra offline documents: a folder with index.json")
    bundled_documents: bool = Field(True, description="serve the DID documents / status lists shipped")
