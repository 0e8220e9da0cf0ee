"""The ``open_badges`` verifier: re-verifies a record from its original credential bytes."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from passport_hub.contract import Verifier, VerifyContext, parse_json
from passport_hub.dates import as_utc
from passport_hub.errors import MalformedError
from passport_hub.model import Check, CheckStatus, CredentialRecord

from .config import OpenBadgesVerifyConfig

if TYPE_CHECKING:
    from .verify import Engine

HELD_PREFIX = "credentialSubject.verifiableCredential["
#: the locator of a credential in a JSON array of credentials (an OB 3.0 export)
LIST_PREFIX = "["
MAX_FETCH_BYTES = 2_000_000


_CANONICALIZE = threading.Lock()

class OpenBadgesVerifier(Verifier):
    name = "open_badges"
    title = "Verifies OB 3.0 / CLR 2.0 / W3C VC proofs, issuer binding, validity and status lists"
    config_model = OpenBadgesVerifyConfig

    def __init__(self, config=None, *, http=None):
        super().__init__(config, http=http)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from .verify import Engine

            self._engine = Engine(self.config)
        return self._engine

    def allowed_hosts(self) -> list[str]:
        return list(self.config.allowed_hosts)

    def supports(self, record: CredentialRecord) -> bool:
        return record.source.plugin == "open_badges"

    def issuer_key(self, record: CredentialRecord) -> str:
        ids = record.issuer.identifiers
        return ids[0].value if ids else record.issuer.name

    async def verify(self, record: CredentialRecord, context: VerifyContext) -> list[Check]:
        if context.document is None:
            return [
                Check(
                    name="signature",
                    status=CheckStatus.NOT_CHECKED,
                    detail="no_document: the original credential bytes are not stored",
                )
            ]
        from .verify import _Run

        http = self.http or context.http
        fetched: set[tuple[str, str]] = set()
        lists: dict[str, bytes] = {}
        for _round in range(3):
            run = _Run(as_utc(context.now), fetched=lists)
            checks = await asyncio.to_thread(self._verify_locked, record, context.document, run)
            wanted = {m for m in run.missing if self._may_fetch(m[0])} - fetched
            if not wanted or http is None:
                return checks
            fetched |= wanted
            await asyncio.gather(*(self._fetch(http, kind, url, lists) for kind, url in wanted))
        return checks

    # -- helpers -------------------------------------------------------------------------------
    def _verify_locked(self, record, document, run):
        # pyld's context resolver and its LRU cache are not thread-safe (concurrent verifications
        # raised KeyError inside the cache); canonicalization is pure Python, so one at a time
        # costs no throughput under the GIL
        with _CANONICALIZE:
            return self._verify_sync(record, document, run)

    def _may_fetch(self, kind: str) -> bool:
        c = self.config
        return {"context": c.fetch_contexts, "did": c.fetch_did_documents, "status": c.fetch_status_lists}.get(
            kind, False
        )

    async def _fetch(self, http, kind: str, url: str, lists: dict[str, bytes]) -> None:
        """Contexts and DID documents join the engine's cache; status lists only this run."""
        from passport_hub.errors import PassportHubError

        try:
            response = await http.get(url, headers={"Accept": "application/ld+json, application/json, */*"})
        except PassportHubError:
            return  # stays missing -> the check remains not_checked with its reason
        body = response.content
        if len(body) > MAX_FETCH_BYTES:
            return
        if kind == "context":
            self.engine.store.add_context(url, body)
        elif kind == "status":
            lists[url] = body
        else:
            self.engine.store.add_document(url, body)

    def _verify_sync(self, record: CredentialRecord, data: bytes, run) -> list[Check]:
        from .verify import verdict

        engine = self.engine
        locator = record.source.locator or ""
        if locator.startswith(LIST_PREFIX):  # one credential of a JSON array of them (an export)
            try:
                item = parse_json(data)[int(locator[len(LIST_PREFIX):].split("]", 1)[0])]
            except (MalformedError, ValueError, IndexError, TypeError, KeyError):
                return [Check(name="well_formed", status=CheckStatus.FAILED,
                              detail=f"not_found: {locator} is not in the stored list of credentials")]
            return engine.verify_item(item, run)
        if not locator.startswith(HELD_PREFIX):
            return engine.verify_bytes(data, run.now, run=run)
        # a credential held by a ClrCredential: verify it on its own, then the CLR around it
        try:
            index = int(locator[len(HELD_PREFIX) :].split("]", 1)[0])
            outer = engine.parse_bytes(data)
            subject = outer.credential.get("credentialSubject")
            subject = subject[0] if isinstance(subject, list) else subject
            item = subject["verifiableCredential"]
            item = item[index] if isinstance(item, list) else item
        except (ValueError, KeyError, IndexError, TypeError):
            return [
                Check(
                    name="well_formed",
                    status=CheckStatus.FAILED,
                    detail=f"not_found: {locator} is not in the stored ClrCredential",
                )
            ]
        checks = engine.verify_item(item, run)
        outer_checks = engine.verify_parsed(outer, run, depth=1)
        outer_verdict = verdict(outer_checks)
        status = (
            CheckStatus.PASSED
            if outer_verdict == "valid"
            else CheckStatus.FAILED
            if outer_verdict in ("malformed", "invalid_signature", "revoked")
            else CheckStatus.NOT_CHECKED
        )
        ident = outer.credential.get("id") or "ClrCredential"
        checks.append(
            Check(
                name="clr_container",
                status=status,
                detail=f"{outer_verdict}: the ClrCredential {ident} is {outer_verdict}",
            )
        )
        return checks
