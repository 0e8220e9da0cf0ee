"""The verification engine: dispatch, containment, bounds, folding; real loopback issuers."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from passport_hub.contract import Verifier, VerifyContext
from passport_hub.errors import TransientError
from passport_hub.http import HttpSettings, IssuerClient
from passport_hub.model import (
    Achievement,
    Check,
    CheckStatus,
    CredentialRecord,
    Issuer,
    Kind,
    Source,
    VerificationStatus,
    stable_id,
)
from passport_hub.verify import (
    ISSUER_CONFIRMS,
    NO_VERIFIER,
    NOT_EXPIRED,
    NOT_REVOKED,
    REGISTRY_LISTED,
    SIGNATURE,
    VerificationEngine,
    fold_status,
    make_context_factory,
    verify_records,
)

P, F, N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_CHECKED


def record(n: int, issuer: str = "Acme College") -> CredentialRecord:
    return CredentialRecord(
        id=stable_id(issuer, "cert", n),
        issuer=Issuer(name=issuer),
        achievement=Achievement(kind=Kind.CERTIFICATE, title=f"Certificate {n}"),
        source=Source(plugin="test", plugin_version="1", format="test", document_sha256=f"{n:064x}"),
    )


def run(coro):
    return asyncio.run(coro)


class Static(Verifier):
    """Returns fixed checks for the records it supports."""

    def __init__(self, name: str, checks: list[Check], only: set[str] | None = None, issuer: str | None = None):
        super().__init__()
        self.name = name
        self.checks = checks
        self.only = only
        self.issuer = issuer or name

    def supports(self, rec):
        return self.only is None or rec.id in self.only

    def issuer_key(self, rec):
        return self.issuer

    async def verify(self, rec, context):
        await asyncio.sleep(0)
        return list(self.checks)


class Raising(Static):
    plugin_name = "passport-hub-broken"
    plugin_version = "0.3.1"

    def __init__(self, name, exc, only=None):
        super().__init__(name, [], only)
        self.exc = exc

    async def verify(self, rec, context):
        raise self.exc


# -- folding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checks", "errored", "expected"),
    [
        ([(ISSUER_CONFIRMS, P), (NOT_REVOKED, F), (NOT_EXPIRED, F)], False, "revoked"),
        ([(SIGNATURE, P), (NOT_EXPIRED, F), (REGISTRY_LISTED, F)], False, "expired"),
        ([(SIGNATURE, P), (REGISTRY_LISTED, F)], False, "verified"),  # advisory: unlisted is not invalid
        ([(SIGNATURE, P), (REGISTRY_LISTED, F), ("holder_matches", F)], False, "failed"),
        ([(ISSUER_CONFIRMS, F)], False, "failed"),
        ([(SIGNATURE, F)], True, "failed"),
        ([(ISSUER_CONFIRMS, P)], True, "error"),
        ([(ISSUER_CONFIRMS, P), (NOT_REVOKED, N)], False, "verified"),
        ([(SIGNATURE, P), (REGISTRY_LISTED, P)], False, "verified"),
        ([(REGISTRY_LISTED, P), (NOT_EXPIRED, P)], False, "unverifiable"),
        ([(ISSUER_CONFIRMS, N), (SIGNATURE, N)], False, "unverifiable"),
        ([], False, "unverifiable"),
    ],
)
def test_fold_status(checks, errored, expected):
    assert fold_status([Check(name=n, status=s) for n, s in checks], errored=errored) == expected


# -- containment ------------------------------------------------------------------------------


def test_a_verifier_that_raises_is_contained():
    records = [record(i) for i in range(3)]
    bad_id = records[1].id
    good = Static("good", [Check(name=ISSUER_CONFIRMS, status=P)])
    bad = Raising("bad", RuntimeError("boom at line 12"), only={bad_id})
    results = run(verify_records(records, [good, bad]))
    assert list(results) == [r.id for r in records]
    assert [results[r.id].status for r in records] == ["verified", "error", "verified"]
    broken = results[bad_id]
    assert [c.name for c in broken.checks] == [ISSUER_CONFIRMS, "verifier:bad"]
    error_check = broken.checks[1]
    assert error_check.status == "not_checked"
    assert error_check.detail == (
        "verifier 'bad' (plugin passport-hub-broken 0.3.1) failed: "
        "plugin 'bad' failed unexpectedly (RuntimeError)"
    )
    assert "boom" not in error_check.detail  # internal text stays in the logs


def test_a_definite_failure_outranks_an_error_and_supports_errors_are_contained():
    class BadSupports(Static):
        def supports(self, rec):
            raise KeyError("achievement")

    rec = record(1)
    results = run(verify_records([rec], [Static("expiry", [Check(name=NOT_EXPIRED, status=F)]),
                                         BadSupports("picky", [])]))
    assert results[rec.id].status == "expired"
    assert results[rec.id].checks[1].name == "verifier:picky"
    results = run(verify_records([rec], [BadSupports("picky", [])]))
    assert results[rec.id].status == "error"


def test_could_not_check_is_unverifiable_not_invalid():
    rec = record(1)
    down = Raising("down", TransientError("down: the issuer is unavailable (HTTP 503)"))
    results = run(verify_records([rec], [down, Static("listed", [Check(name=REGISTRY_LISTED, status=P)])]))
    v = results[rec.id]
    assert v.status == "unverifiable"
    assert v.checks[0].model_dump() == {
        "name": "verifier:down",
        "status": "not_checked",
        "detail": "could not check: down: the issuer is unavailable (HTTP 503)",
    }


def test_a_slow_verifier_times_out_as_not_checked():
    class Slow(Static):
        async def verify(self, rec, context):
            await asyncio.sleep(5)

    rec = record(1)
    start = time.monotonic()
    results = run(verify_records([rec], [Slow("slow", [])], timeout=0.1))
    assert time.monotonic() - start < 1
    assert results[rec.id].status == "unverifiable"
    assert results[rec.id].checks[0].detail == "could not check: no answer within 0.1s"


def test_no_supporting_verifier_is_unverifiable():
    rec = record(1)
    results = run(verify_records([rec], [Static("other", [], only=set())]))
    assert results[rec.id].status == "unverifiable"
    assert results[rec.id].checks[0].name == NO_VERIFIER


# -- concurrency, progress, each result once ---------------------------------------------------


def test_bounded_globally_and_per_issuer_with_progress():
    inflight: dict[str, int] = {"a": 0, "b": 0, "all": 0}
    peak = dict.fromkeys(inflight, 0)

    class Counting(Static):
        async def verify(self, rec, context):
            for key in (self.issuer, "all"):
                inflight[key] += 1
                peak[key] = max(peak[key], inflight[key])
            await asyncio.sleep(0.02)
            for key in (self.issuer, "all"):
                inflight[key] -= 1
            return [Check(name=SIGNATURE, status=P)]

    records = [record(i) for i in range(40)]
    ids_a = {r.id for r in records[::2]}
    ids_b = {r.id for r in records} - ids_a
    verifiers = [Counting("va", [], only=ids_a, issuer="a"), Counting("vb", [], only=ids_b, issuer="b")]
    calls: list[tuple[int, int]] = []
    engine = VerificationEngine(verifiers, concurrency=5, per_issuer=3)
    results = run(engine.verify(records + records[:4], progress=lambda d, t: calls.append((d, t))))
    assert len(results) == 40 and {v.status for v in results.values()} == {"verified"}
    assert peak == {"a": 3, "b": 3, "all": 5}
    assert calls[0] == (0, 40) and calls[-1] == (40, 40) and len(calls) == 41
    assert [d for d, _ in calls] == list(range(41))
    assert engine.stats.duplicates_skipped == 4
    assert engine.stats.by_status == {"verified": 40}


def test_stream_yields_each_record_once_and_a_broken_progress_bar_is_harmless():
    records = [record(i) for i in range(25)]
    engine = VerificationEngine([Static("v", [Check(name=ISSUER_CONFIRMS, status=P)])], concurrency=4)

    async def main():
        return [r.id async for r, _v in engine.stream(records, progress=lambda d, t: 1 / 0)]

    seen = run(main())
    assert sorted(seen) == sorted(r.id for r in records)


def test_context_factory_gives_client_catalog_document_and_time():
    seen: list[VerifyContext] = []
    http = IssuerClient(allowed_hosts=["issuer.example"])

    class Looking(Static):
        async def verify(self, rec, context):
            seen.append(context)
            return [Check(name=ISSUER_CONFIRMS, status=P)]

    verifier = Looking("look", [])
    verifier.http = http
    when = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    rec = record(7)
    factory = make_context_factory(documents={rec.source.document_sha256: b"%PDF-1.7"}.get, clock=lambda: when)
    results = run(verify_records([rec], [verifier], factory, clock=lambda: when))
    assert seen[0].http is http and seen[0].document == b"%PDF-1.7" and seen[0].today.isoformat() == "2026-05-01"
    assert results[rec.id].checked_at == when


# -- real issuers over loopback -------------------------------------------------------------------


class LookupVerifier(Verifier):
    """Asks a loopback issuer ``GET /confirm/<id>`` like a real certificate lookup."""

    def __init__(self, name: str, base: str, http: IssuerClient, ids: set[str]):
        super().__init__(http=http)
        self.name = name
        self.base = base
        self.ids = ids

    def supports(self, rec):
        return rec.id in self.ids

    def issuer_key(self, rec):
        return self.name

    async def verify(self, rec, context):
        response = await context.http.get(f"{self.base}/confirm/{rec.id}", not_found_ok=True)
        if response.status_code == 404:
            return [Check(name=ISSUER_CONFIRMS, status=F, detail="the issuer has no such certificate")]
        body = response.json()
        checks = [Check(name=ISSUER_CONFIRMS, status=P)]
        checks.append(Check(name=NOT_REVOKED, status=F if body["status"] == "revoked" else P))
        return checks


def test_dead_issuer_fails_fast_while_another_issuer_proceeds():
    settings = HttpSettings(allow_private=True, retries=1, backoff_base=0.01, circuit_failure_threshold=3,
                            circuit_cooldown=30, connect_timeout=1, read_timeout=2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    live = HTTPServer(host="127.0.0.1", threaded=True)
    live.start()
    try:
        dead_records = [record(i, "Dead Institute") for i in range(30)]
        live_records = [record(i, "Live Academy") for i in range(30)]
        revoked_id = live_records[3].id
        live.expect_request(f"/confirm/{revoked_id}").respond_with_json({"status": "revoked"})
        live.expect_request(f"/confirm/{live_records[4].id}").respond_with_data("none", status=404)
        for r in live_records:
            if r.id not in (revoked_id, live_records[4].id):
                live.expect_request(f"/confirm/{r.id}").respond_with_json({"status": "active"})
        dead_http = IssuerClient(allowed_hosts=["127.0.0.1"], name="dead", settings=settings)
        live_http = IssuerClient(allowed_hosts=["127.0.0.1"], name="live", settings=settings)
        verifiers = [
            LookupVerifier("dead", f"http://127.0.0.1:{dead_port}", dead_http, {r.id for r in dead_records}),
            LookupVerifier("live", live.url_for("").rstrip("/"), live_http, {r.id for r in live_records}),
        ]
        mixed = [x for pair in zip(dead_records, live_records, strict=True) for x in pair]

        async def main():
            async with dead_http, live_http:
                return await verify_records(mixed, verifiers, make_context_factory(), per_issuer=4)

        start = time.monotonic()
        results = run(main())
        elapsed = time.monotonic() - start
    finally:
        live.stop()
    assert elapsed < 3
    assert {results[r.id].status for r in dead_records} == {VerificationStatus.UNVERIFIABLE}
    assert all(results[r.id].checks[0].detail.startswith("could not check: dead:") for r in dead_records)
    # the circuit opened after 3 failures: most dead records never touched the network
    assert dead_http.stats.circuit_opened == 1
    assert dead_http.stats.requests <= 3 + 4  # threshold + the runs already in flight
    assert dead_http.stats.fast_failures >= 20
    live_status = {r.id: results[r.id].status for r in live_records}
    assert live_status.pop(revoked_id) == "revoked"
    assert live_status.pop(live_records[4].id) == "failed"
    assert set(live_status.values()) == {"verified"}
    assert live_http.stats.requests == 30


# -- storing results ---------------------------------------------------------------------------


def test_verify_stored_stores_every_result_in_batches(hub_store, monkeypatch):
    from types import SimpleNamespace

    import passport_hub.verify as verify_module
    from passport_hub.config import Settings
    from passport_hub.contract import Document

    records = [record(n) for n in range(5)]
    with hub_store.write_document(Document(b"five records", name="five.txt")) as writer:
        for rec in records:
            writer.add(rec)
    rows = hub_store.record_rows()

    class Confirms(Verifier):
        name = "confirms"

        def supports(self, rec):
            return True

        async def verify(self, rec, context):
            await asyncio.sleep(0)
            return [Check(name=ISSUER_CONFIRMS, status=P)]

    batches = []
    store_batch = hub_store.add_verifications

    def spy(items):
        batches.append(len(items))
        store_batch(items)

    monkeypatch.setattr(hub_store, "add_verifications", spy)
    monkeypatch.setattr(verify_module, "STORE_BATCH", 2)
    registry = SimpleNamespace(verifiers={"confirms": Confirms})
    results = run(verify_module.verify_stored(registry, Settings(), hub_store, rows))
    assert {rid: v.status for rid, v in results.items()} == {r.id: "verified" for r in records}
    assert batches == [2, 2, 1]  # one transaction per batch, the rest at the end
    stored = {r.id: r.verification for r in hub_store.records()}
    assert {rid: v.status for rid, v in stored.items()} == {r.id: "verified" for r in records}
    assert all(v.checks[0].name == ISSUER_CONFIRMS for v in stored.values())

    # a batch that is not full is stored on time while a slow issuer keeps the run going
    monkeypatch.setattr(verify_module, "STORE_BATCH", 100)
    monkeypatch.setattr(verify_module, "STORE_EVERY", 0.05)
    batches.clear()
    slow = records[4].id
    seen_while_waiting = {}

    class SlowForOne(Confirms):
        name = "slow_for_one"

        async def verify(self, rec, context):
            if rec.id == slow:
                await asyncio.sleep(0.4)
                seen_while_waiting.update({r.id: r.verification.checked_at for r in hub_store.records()})
            return [Check(name=ISSUER_CONFIRMS, status=P)]

    registry = SimpleNamespace(verifiers={"slow_for_one": SlowForOne})
    second = run(verify_module.verify_stored(registry, Settings(), hub_store, rows))
    fast_ones = {r.id for r in records[:4]}
    assert all(seen_while_waiting[rid] == second[rid].checked_at for rid in fast_ones)
    assert seen_while_waiting[slow] < second[slow].checked_at  # still the first run's result then
    assert batches == [4, 1]

    # a record verified twice in one batch: the later result is its newest, in the row too
    from sqlalchemy import select

    from passport_hub.model import Verification
    from passport_hub.store.tables import RecordRow

    pk, first = rows[0]
    now = datetime.now(UTC)
    store_batch([(pk, Verification(status="failed", checked_at=now, checks=[Check(name=SIGNATURE, status=F)])),
                 (pk, Verification(status="revoked", checked_at=now, checks=[Check(name=NOT_REVOKED, status=F)]))])
    assert hub_store.find_record(first.id)[1].verification.status == "revoked"
    with hub_store.engine.connect() as conn:
        assert conn.scalar(select(RecordRow.verification_status).where(RecordRow.pk == pk)) == "revoked"
