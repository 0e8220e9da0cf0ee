"""The verification engine: run every verifier that supports a record, fold the checks.

The core, not the plugins, decides a record's status. Given records, the registered
:class:`~passport_hub.contract.Verifier` instances and a context factory, the engine

- runs every verifier whose ``supports(record)`` is true, concurrently (asyncio),
  bounded globally (``concurrency``) and per issuer (``per_issuer``, keyed by
  ``verifier.issuer_key(record)``);
- contains every failure: a verifier that raises gives that record the status
  ``error`` with a check naming the verifier and its plugin; a verifier that could not
  reach its issuer (transient, rate limited, unavailable, too slow) gives a
  ``not_checked`` check: "could not check" is never "invalid"; other records complete;
- folds all checks into one :class:`~passport_hub.model.VerificationStatus`
  (:func:`fold_status`) and returns a :class:`~passport_hub.model.Verification` per record
  id. Storing the history is the caller's job (``stream`` yields results as they finish,
  so they can be stored one by one).

Fold rules, first match wins:

1. a failed ``not_revoked`` → ``revoked``
2. a failed ``not_expired`` → ``expired``
3. any other failed check → ``failed`` (except advisory checks: a failed
   ``registry_listed`` is shown, but an unlisted credential is not invalid)
4. a verifier raised → ``error``
5. ``issuer_confirms`` passed, or ``signature`` passed and no ``issuer_key_binding`` says
   otherwise (a valid signature by a key not shown to be the issuer's proves nothing about the
   issuer) → ``verified``
6. otherwise → ``unverifiable``
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from .config import Settings
from .contract import CatalogLookup, Verifier, VerifyContext
from .errors import ErrorKind, PassportHubError, TransientError, as_hub_error
from .model import Check, CheckStatus, CredentialRecord, Verification, VerificationStatus

if TYPE_CHECKING:
    from .loader import Registry
    from .store import Store

log = logging.getLogger("passport_hub.verify")

# -- well-known check names (plugins should use these) --------------------------------

#: the issuer (its API or registry of awarded credentials) confirms the credential
ISSUER_CONFIRMS = "issuer_confirms"
#: a cryptographic proof on the credential is valid
SIGNATURE = "signature"
#: the credential has not expired (as of the check)
NOT_EXPIRED = "not_expired"
#: the issuer has not revoked the credential
NOT_REVOKED = "not_revoked"
#: the issuer has not suspended the credential
NOT_SUSPENDED = "not_suspended"
#: the achievement is listed and active in the Credential Engine Registry
REGISTRY_LISTED = "registry_listed"
#: the key that signed is the issuer's (its controller is the issuer the credential names); present
#: and not passed, a passed ``signature`` does not make a record verified (a verifier whose policy
#: is not to compare leaves the check out)
ISSUER_KEY_BINDING = "issuer_key_binding"
#: who signed, in words for people (its detail): a valid signature proves a key, not the issuer's
#: name, so share pages show this detail with the status ('signed by key did:key:z6Mk…; the name
#: "U.S. Navy" is the credential's own claim'); it never changes the status
ISSUER_IDENTITY = "issuer_identity"
#: set by the engine when no installed verifier supports a record
NO_VERIFIER = "no_verifier"
#: prefix of the check the engine adds for a verifier that raised or could not run:
#: ``verifier:<verifier name>``
VERIFIER_CHECK_PREFIX = "verifier:"

#: checks shown to the viewer whose failure does not make a credential invalid: a
#: credential missing from the approved-credentials registry is still authentic
ADVISORY_CHECKS = frozenset({REGISTRY_LISTED})

#: :func:`verify_stored` writes results in batches of this many, or after this many seconds
STORE_BATCH = 100
STORE_EVERY = 0.5

#: error kinds that mean "the issuer could not be asked": not_checked, not error
COULD_NOT_CHECK_KINDS = frozenset({ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED, ErrorKind.UNAVAILABLE})


# -- what the engine needs from the rest of the core -----------------------------------


class ContextFactory(Protocol):
    """Builds the :class:`VerifyContext` one verifier gets for one record (sync or async)."""

    def __call__(self, verifier: Verifier, record: CredentialRecord) -> VerifyContext | Awaitable[VerifyContext]: ...


class DocumentLookup(Protocol):
    """The stored bytes of a document by SHA-256 (the core store provides this)."""

    def __call__(self, sha256: str) -> bytes | None: ...


#: ``progress(done, total)`` after each record finishes (for the CLI's progress bar)
ProgressCallback = Callable[[int, int], None]


def make_context_factory(
    *,
    catalog: CatalogLookup | None = None,
    documents: DocumentLookup | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ContextFactory:
    """A context factory giving each verifier its own client, the catalog and the document."""
    now = clock or (lambda: datetime.now(UTC))

    def factory(verifier: Verifier, record: CredentialRecord) -> VerifyContext:
        document = documents(record.source.document_sha256) if documents is not None else None
        return VerifyContext(http=verifier.http, catalog=catalog, now=now(), document=document)

    return factory


# -- folding ------------------------------------------------------------------------


def fold_status(checks: Iterable[Check], *, errored: bool = False) -> VerificationStatus:
    """One status from all checks of a record (see the module docs for the rules)."""
    failed: set[str] = set()
    passed: set[str] = set()
    unbound = False
    for check in checks:
        status = CheckStatus(check.status)
        if status == CheckStatus.FAILED and check.name not in ADVISORY_CHECKS:
            failed.add(check.name)
        elif status == CheckStatus.PASSED:
            passed.add(check.name)
        if check.name == ISSUER_KEY_BINDING and status != CheckStatus.PASSED:
            unbound = True
    authentic = ISSUER_CONFIRMS in passed or (SIGNATURE in passed and not unbound)
    if NOT_REVOKED in failed:
        return VerificationStatus.REVOKED
    if NOT_EXPIRED in failed:
        return VerificationStatus.EXPIRED
    if failed:
        return VerificationStatus.FAILED
    if errored:
        return VerificationStatus.ERROR
    if authentic:
        return VerificationStatus.VERIFIED
    return VerificationStatus.UNVERIFIABLE


# -- the engine ---------------------------------------------------------------------


@dataclass
class EngineStats:
    """What the engine did (for the CLI summary and the bench)."""

    records: int = 0
    duplicates_skipped: int = 0
    verifier_runs: int = 0
    verifier_errors: int = 0
    could_not_check: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class _Outcome:
    checks: list[Check]
    errored: bool = False


class VerificationEngine:
    """Verifies records concurrently with every verifier that supports them.

    :param verifiers: the registered verifier instances, in registration order
    :param context_factory: builds each verifier's :class:`VerifyContext`
    :param concurrency: verifier runs in flight at once, over all issuers
    :param per_issuer: verifier runs in flight at once per ``verifier.issuer_key(record)``
    :param timeout: seconds one verifier may take for one record (then ``not_checked``)
    :param attribution: names the plugin (distribution) of a verifier, for error checks;
        by default its ``plugin_name`` or ``plugin`` attribute if the loader sets one
    :param clock: ``checked_at`` for results
    """

    def __init__(
        self,
        verifiers: Sequence[Verifier],
        context_factory: ContextFactory | None = None,
        *,
        concurrency: int = 32,
        per_issuer: int = 8,
        timeout: float | None = 120.0,
        attribution: Callable[[Verifier], str | None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        if concurrency < 1 or per_issuer < 1:
            raise ValueError("concurrency and per_issuer must be at least 1")
        self.verifiers = list(verifiers)
        self.context_factory = context_factory or make_context_factory(clock=clock)
        self.concurrency = concurrency
        self.per_issuer = per_issuer
        self.timeout = timeout
        self.attribution = attribution
        self.clock = clock or (lambda: datetime.now(UTC))
        self.stats = EngineStats()
        self._global: asyncio.Semaphore | None = None
        self._issuers: dict[str, asyncio.Semaphore] = {}

    # -- public -----------------------------------------------------------------------

    async def verify(
        self, records: Iterable[CredentialRecord], *, progress: ProgressCallback | None = None
    ) -> dict[str, Verification]:
        """Verify all records; ``{record id: Verification}`` in input order."""
        records = list(records)
        done: dict[str, Verification] = {}
        async for record, verification in self.stream(records, progress=progress):
            done[record.id] = verification
        return {r.id: done[r.id] for r in records if r.id in done}

    async def stream(
        self, records: Iterable[CredentialRecord], *, progress: ProgressCallback | None = None
    ) -> AsyncIterator[tuple[CredentialRecord, Verification]]:
        """Yield ``(record, verification)`` as each record finishes (each id once)."""
        unique: dict[str, CredentialRecord] = {}
        for record in records:
            if record.id in unique:
                self.stats.duplicates_skipped += 1
            else:
                unique[record.id] = record
        total = len(unique)
        self._global = asyncio.Semaphore(self.concurrency)
        self._issuers = {}
        results: asyncio.Queue[tuple[CredentialRecord, Verification]] = asyncio.Queue()
        # records admitted at once: enough to keep every slot busy, bounded for memory
        admission = asyncio.Semaphore(max(64, self.concurrency * 4))
        tasks: set[asyncio.Task] = set()

        async def one(record: CredentialRecord) -> None:
            try:
                verification = await self._verify_record(record)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # a bug in the engine itself: still one result
                log.exception("verification engine failed on record %s", record.id)
                verification = Verification(
                    status=VerificationStatus.ERROR,
                    checked_at=self.clock(),
                    checks=[Check(name="engine", status=CheckStatus.NOT_CHECKED,
                                  detail=f"passport-hub failed unexpectedly ({type(exc).__name__})")],
                )
            finally:
                admission.release()
            results.put_nowait((record, verification))

        async def produce() -> None:
            for record in unique.values():
                await admission.acquire()
                task = asyncio.create_task(one(record))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        producer = asyncio.create_task(produce())
        try:
            self._progress(progress, 0, total)
            for done in range(1, total + 1):
                record, verification = await results.get()
                self.stats.records += 1
                key = str(verification.status)
                self.stats.by_status[key] = self.stats.by_status.get(key, 0) + 1
                self._progress(progress, done, total)
                yield record, verification
        finally:
            producer.cancel()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(producer, *tasks, return_exceptions=True)

    # -- one record ---------------------------------------------------------------------

    async def _verify_record(self, record: CredentialRecord) -> Verification:
        runs: list[Awaitable[_Outcome]] = []
        for verifier in self.verifiers:
            try:
                supported = bool(verifier.supports(record))
            except Exception as exc:  # noqa: BLE001 - contained and reported
                runs.append(self._immediate(self._raised(verifier, exc, "supports")))
                continue
            if supported:
                runs.append(self._run(verifier, record))
        if not runs:
            return Verification(
                status=VerificationStatus.UNVERIFIABLE,
                checked_at=self.clock(),
                checks=[Check(name=NO_VERIFIER, status=CheckStatus.NOT_CHECKED,
                              detail="no installed verifier supports this record")],
            )
        outcomes = [await runs[0]] if len(runs) == 1 else await asyncio.gather(*runs)
        checks = [c for o in outcomes for c in o.checks]
        errored = any(o.errored for o in outcomes)
        return Verification(status=fold_status(checks, errored=errored), checked_at=self.clock(), checks=checks)

    @staticmethod
    async def _immediate(outcome: _Outcome) -> _Outcome:
        return outcome

    def _issuer_semaphore(self, verifier: Verifier, record: CredentialRecord) -> asyncio.Semaphore:
        try:
            key = str(verifier.issuer_key(record))
        except Exception:  # noqa: BLE001 - fall back to the verifier's own bound
            key = verifier.name
        sem = self._issuers.get(key)
        if sem is None:
            sem = self._issuers[key] = asyncio.Semaphore(self.per_issuer)
        return sem

    async def _run(self, verifier: Verifier, record: CredentialRecord) -> _Outcome:
        assert self._global is not None
        # per issuer first, so runs waiting for a busy issuer do not hold global slots
        async with self._issuer_semaphore(verifier, record), self._global:
            self.stats.verifier_runs += 1
            try:
                context = self.context_factory(verifier, record)
                if inspect.isawaitable(context):
                    context = await context
            except Exception as exc:  # noqa: BLE001
                return self._raised(verifier, exc, "context")
            deadline = asyncio.timeout(self.timeout)
            try:
                async with deadline:
                    raw = await verifier.verify(record, context)
            except TimeoutError:
                if not deadline.expired():  # the verifier's own timeout: still "could not check"
                    return self._raised(verifier, TransientError(f"{verifier.name}: timed out"), "verify")
                self.stats.could_not_check += 1
                return _Outcome([self._check(verifier, f"could not check: no answer within {self.timeout:g}s")])
            except Exception as exc:  # noqa: BLE001 - contained and reported
                return self._raised(verifier, exc, "verify")
        try:
            checks = [c if isinstance(c, Check) else Check.model_validate(c) for c in raw]
        except Exception as exc:  # noqa: BLE001 - the plugin broke the contract
            return self._raised(verifier, exc, "verify result")
        return _Outcome(checks)

    def _who(self, verifier: Verifier) -> str:
        name = getattr(verifier, "name", type(verifier).__name__)
        plugin = None
        if self.attribution is not None:
            try:
                plugin = self.attribution(verifier)
            except Exception:  # noqa: BLE001
                plugin = None
        if plugin is None:
            for attr in ("plugin_name", "plugin", "dist_name"):
                value = getattr(verifier, attr, None)
                if isinstance(value, str) and value:
                    plugin = value
                    break
        version = getattr(verifier, "plugin_version", None)
        who = f"verifier {name!r}"
        if plugin:
            who += f" (plugin {plugin}{' ' + version if version and version != '0' else ''})"
        return who

    def _check(self, verifier: Verifier, detail: str) -> Check:
        name = getattr(verifier, "name", type(verifier).__name__)
        return Check(name=f"{VERIFIER_CHECK_PREFIX}{name}", status=CheckStatus.NOT_CHECKED, detail=detail)

    def _raised(self, verifier: Verifier, exc: BaseException, stage: str) -> _Outcome:
        who = self._who(verifier)
        error = as_hub_error(exc, plugin=getattr(verifier, "name", None))
        if isinstance(exc, PassportHubError) and error.kind in COULD_NOT_CHECK_KINDS:
            self.stats.could_not_check += 1
            log.info("%s could not check: %s", who, error.internal_message)
            return _Outcome([self._check(verifier, f"could not check: {error.user_message}")])
        self.stats.verifier_errors += 1
        log.warning("%s failed in %s: %s", who, stage, error.internal_message,
                    exc_info=not isinstance(exc, PassportHubError))
        return _Outcome([self._check(verifier, f"{who} failed: {error.user_message}")], errored=True)

    @staticmethod
    def _progress(progress: ProgressCallback | None, done: int, total: int) -> None:
        if progress is None:
            return
        try:
            progress(done, total)
        except Exception:  # noqa: BLE001 - a broken progress bar must not stop verification
            log.exception("progress callback failed")


async def verify_records(
    records: Iterable[CredentialRecord],
    verifiers: Sequence[Verifier],
    context_factory: ContextFactory | None = None,
    *,
    progress: ProgressCallback | None = None,
    **engine_options,
) -> dict[str, Verification]:
    """One-shot helper: ``VerificationEngine(...).verify(records)``."""
    engine = VerificationEngine(verifiers, context_factory, **engine_options)
    return await engine.verify(records, progress=progress)


# -- verifying stored records (CLI and service) ----------------------------------------


async def verify_stored(
    registry: Registry,
    settings: Settings,
    store: Store,
    rows: Sequence[tuple[int, CredentialRecord]],
    *,
    progress: ProgressCallback | None = None,
    timeout: float | None = 20.0,
) -> dict[str, Verification]:
    """Verify stored records now with every installed verifier; each result is stored as the
    record's newest verification, in batches: one transaction per :data:`STORE_BATCH` results and
    what has arrived every :data:`STORE_EVERY` seconds, the rest when verification ends or stops.
    Returns record id → verification.

    :param rows: ``(store primary key, record)`` pairs, e.g. from ``Store.record_rows``
    """
    from contextlib import AsyncExitStack

    from .fetching import issuer_client

    if not rows:
        return {}
    pks: dict[str, list[int]] = {}
    for pk, record in rows:
        pks.setdefault(record.id, []).append(pk)
    results: dict[str, Verification] = {}
    async with AsyncExitStack() as stack:
        verifiers = []
        for name, cls in registry.verifiers.items():
            verifier = cls(settings.component_config(name, cls.config_model))
            verifier.http = await stack.enter_async_context(issuer_client(verifier, settings))
            verifiers.append(verifier)
        engine = VerificationEngine(
            verifiers,
            make_context_factory(catalog=store.catalog(), documents=store.document_bytes),
            timeout=timeout,
        )
        # a write blocks the event loop, and every request in flight with it: one transaction
        # per record cost ~0.25 ms, one per batch ~0.02 ms a record
        pending: list[tuple[int, Verification]] = []

        def flush() -> None:
            nonlocal pending
            if not pending:
                return
            batch, pending = pending, []
            try:
                store.add_verifications(batch)
            except Exception:
                pending = batch  # kept for the next write (nothing arrived meanwhile: the write is synchronous)
                raise

        async def flush_every() -> None:
            # results that wait for slow issuers' records are stored anyway, and on time
            while True:
                await asyncio.sleep(STORE_EVERY)
                try:
                    flush()
                except Exception as exc:  # retried with the next batch, reported if the last fails
                    log.warning("could not store verification results yet: %s", type(exc).__name__)

        ticker = asyncio.create_task(flush_every())
        try:
            async for record, verification in engine.stream([r for _pk, r in rows], progress=progress):
                pending.extend((pk, verification) for pk in pks[record.id])
                results[record.id] = verification
                if len(pending) >= STORE_BATCH:
                    flush()
        finally:
            ticker.cancel()
            flush()
    return results
