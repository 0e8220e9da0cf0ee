"""Verification throughput through the engine and the issuer client, against a loopback issuer.

A small ASGI issuer runs under uvicorn in a subprocess: ``GET /confirm/<id>`` answers
after ``--latency`` seconds; ``--error-rate`` of the answers are 503 (with
``Retry-After: --retry-after`` unless it is empty), ``--rate-429`` of them are 429 with
``Retry-After: 0``, and ``--server-rps`` (if set) is a real rate limit (429 with
``Retry-After`` when exceeded). N records are verified with concurrency C by one verifier
whose check is "the issuer confirms this id", through :class:`VerificationEngine` and
:class:`IssuerClient` (per-host concurrency C, retries with backoff, optional request budget
``--client-rps``).

Figures:
  wall / ideal     achieved wall time against N x latency / C        target <= 1.25
                   (or (N - burst) / issuer rate limit, when that is longer)
  retries          the client's retries, by reason
  lost             records with no result                            target 0
  duplicated       records with more than one result                 target 0
  not_verified     results other than "verified" (retries exhausted)
  server_dup       ids the issuer confirmed more than once (a retried request that had in fact succeeded)
  server_connections  TCP connections the client opened (keep-alive: at most C)

Run: python bench/verify.py [--records 1000] [--latency 0.05] [--concurrency 50] [--error-rate 0.05]
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter

# -- the loopback issuer (subprocess) ---------------------------------------------------------


def make_app(latency: float, error_rate: float, retry_after: str, rate_429: float, server_rps: float, seed: int,
             stack: str = ""):
    rng = random.Random(seed)
    counts: Counter = Counter()
    confirmed: Counter = Counter()
    peers: set = set()  # client (address, port) pairs: TCP connections the client opened
    bucket = {"tokens": server_rps, "at": time.monotonic()}

    async def reply(send_, status: int, body: bytes, headers=()):
        await send_({"type": "http.response.start", "status": status,
                     "headers": [(b"content-type", b"application/json"), *headers]})
        await send_({"type": "http.response.body", "body": body})

    async def send(send_, status: int, body: bytes, headers=()):
        counts[status] += 1  # only /confirm answers are counted
        await reply(send_, status, body, headers)

    async def app(scope, receive, send_):
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/health":
            return await reply(send_, 200, b'{"ok":true}')
        if path == "/reset":
            counts.clear()
            confirmed.clear()
            peers.clear()
            return await reply(send_, 200, b'{"ok":true}')
        if path == "/stats":
            body = {
                "statuses": {str(k): v for k, v in counts.items()},
                "confirmed_ids": len(confirmed),
                "confirmed_more_than_once": sum(1 for v in confirmed.values() if v > 1),
                "connections": len(peers),
                "stack": stack,
            }
            return await reply(send_, 200, json.dumps(body).encode())
        if not path.startswith("/confirm/"):
            return await reply(send_, 404, b'{"error":"not found"}')
        peers.add(tuple(scope.get("client") or ()))
        if server_rps > 0:
            now = time.monotonic()
            bucket["tokens"] = min(server_rps, bucket["tokens"] + (now - bucket["at"]) * server_rps)
            bucket["at"] = now
            if bucket["tokens"] < 1:
                wait = max(1, int((1 - bucket["tokens"]) / server_rps + 0.999))
                return await send(send_, 429, b'{"error":"rate limited"}', [(b"retry-after", str(wait).encode())])
            bucket["tokens"] -= 1
        await asyncio.sleep(latency)
        roll = rng.random()
        if roll < error_rate:
            headers = [(b"retry-after", retry_after.encode())] if retry_after != "" else []
            return await send(send_, 503, b'{"error":"unavailable"}', headers)
        if roll < error_rate + rate_429:
            return await send(send_, 429, b'{"error":"slow down"}', [(b"retry-after", b"0")])
        record_id = path[len("/confirm/"):]
        confirmed[record_id] += 1
        return await send(send_, 200, json.dumps({"id": record_id, "status": "active"}).encode())

    return app


def serve(args) -> None:
    import importlib.util

    import uvicorn

    # httptools and uvloop (the test extra) halve the issuer's CPU; it shares the 2 cores with the client
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    app = make_app(args.latency, args.error_rate, args.retry_after, args.rate_429, args.server_rps, args.seed,
                   stack=f"uvicorn {http}/{loop}")
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="off",
                backlog=4096, timeout_keep_alive=30, http=http, loop=loop)


def start_server(args) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, os.path.abspath(__file__), "--serve", "--port", str(port),
           "--latency", str(args.latency), "--error-rate", str(args.error_rate),
           "--retry-after", args.retry_after, "--rate-429", str(args.rate_429),
           "--server-rps", str(args.server_rps), "--seed", str(args.seed)]
    proc = subprocess.Popen(cmd)
    import httpx

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the loopback issuer did not start")


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process (Linux), for the server's share of the work."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# -- the client side ----------------------------------------------------------------------------


async def run_bench(args, port: int, server_pid: int | None = None) -> dict:
    from passport_hub.contract import Verifier
    from passport_hub.http import HttpSettings, IssuerClient
    from passport_hub.model import Achievement, Check, CredentialRecord, Issuer, Kind, Source, stable_id
    from passport_hub.verify import ISSUER_CONFIRMS, VerificationEngine, make_context_factory

    base = f"http://127.0.0.1:{port}"

    class LoopbackVerifier(Verifier):
        name = "loopback"

        def supports(self, record):
            return True

        def issuer_key(self, record):
            return "loopback-issuer"

        async def verify(self, record, context):
            response = await context.http.get(f"{base}/confirm/{record.id}")
            confirmed = response.json()["id"] == record.id
            return [Check(name=ISSUER_CONFIRMS, status="passed" if confirmed else "failed")]

    settings = HttpSettings(
        allow_private=True,
        per_host_concurrency=args.concurrency,
        retries=args.retries,
        backoff_base=0.05,
        backoff_max=1.0,
        connect_timeout=5,
        read_timeout=10,
        retry_after_cap=30,
        requests_per_second=args.client_rps or None,
    )
    http = IssuerClient(allowed_hosts=["127.0.0.1"], name="loopback", settings=settings)
    verifier = LoopbackVerifier(http=http)
    records = [
        CredentialRecord(
            id=stable_id("loopback", "cert", i, prefix="bench"),
            issuer=Issuer(name="Loopback Issuer"),
            achievement=Achievement(kind=Kind.CERTIFICATE, title=f"Certificate {i}"),
            source=Source(plugin="bench", plugin_version="0", format="bench", document_sha256=f"{i:064x}"),
        )
        for i in range(args.records)
    ]
    engine = VerificationEngine([verifier], make_context_factory(),
                                concurrency=args.concurrency, per_issuer=args.concurrency)
    seen: Counter = Counter()
    statuses: Counter = Counter()
    async with http:
        await http.get(f"{base}/reset")
        server_cpu0 = process_cpu(server_pid) if server_pid else None
        load0 = os.getloadavg()[0]
        cpu0, t0 = time.process_time(), time.perf_counter()
        async for record, verification in engine.stream(records):
            seen[record.id] += 1
            statuses[verification.status] += 1
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        server_cpu1 = process_cpu(server_pid) if server_pid else None
        server = (await http.get(f"{base}/stats")).json()
    ideal = args.records * args.latency / args.concurrency
    if args.server_rps > 0:  # a rate-limited issuer: its bucket starts full (one second's worth)
        ideal = max(ideal, max(0, args.records - args.server_rps) / args.server_rps)
    ids = {r.id for r in records}
    return {
        "records": args.records,
        "latency_s": args.latency,
        "concurrency": args.concurrency,
        "error_rate": args.error_rate,
        "retry_after": args.retry_after,
        "rate_429": args.rate_429,
        "server_rps": args.server_rps,
        "client_rps": args.client_rps,
        "gc_freeze": args.gc_freeze,
        "wall_s": round(wall, 3),
        "ideal_s": round(ideal, 3),
        "wall_over_ideal": round(wall / ideal, 3),
        "client_cpu_s": round(cpu, 3),
        "server_cpu_s": round(server_cpu1 - server_cpu0, 3) if server_cpu0 is not None and server_cpu1 is not None
        else None,
        "load_average_1m": round(load0, 2),
        "cpus": os.cpu_count(),
        "retries": http.stats.retries,
        "retry_reasons": dict(http.stats.retry_reasons),
        "requests": http.stats.requests,
        "lost": len(ids - set(seen)),
        "duplicated": sum(1 for v in seen.values() if v > 1),
        "not_verified": sum(v for k, v in statuses.items() if k != "verified"),
        "statuses": dict(statuses),
        "server_statuses": server["statuses"],
        "server_dup": server["confirmed_more_than_once"],
        "server_connections": server["connections"],
        "server_stack": server["stack"],
        "target_met": wall / ideal <= 1.25 and len(ids - set(seen)) == 0
        and not any(v > 1 for v in seen.values()),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=1000)
    p.add_argument("--latency", type=float, default=0.05, help="issuer latency in seconds")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--error-rate", type=float, default=0.05, help="share of answers that are 503")
    p.add_argument("--retry-after", default="0", help="Retry-After sent with the 503s ('' = none)")
    p.add_argument("--rate-429", type=float, default=0.0, help="share of answers that are 429 (Retry-After: 0)")
    p.add_argument("--server-rps", type=float, default=0.0, help="issuer rate limit, requests/s (0 = none)")
    p.add_argument("--client-rps", type=float, default=0.0, help="client request budget (0 = none)")
    p.add_argument("--retries", type=int, default=5)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--runs", type=int, default=1, help="repeat the run (fresh client) and report the median")
    p.add_argument("--gc-freeze", action="store_true",
                   help="gc.freeze() after setup and a higher gen-0 threshold (a process setting a CLI could use)")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve(args)
        return
    proc, port = start_server(args)
    if args.gc_freeze:
        import gc

        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000, 50, 50)
    runs = []
    try:
        for _ in range(max(1, args.runs)):
            runs.append(asyncio.run(run_bench(args, port, proc.pid)))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for result in runs:
        print(f"verified {result['records']} records, latency {args.latency * 1000:.0f} ms, concurrency "
              f"{args.concurrency}, {args.error_rate:.0%} injected 503s (Retry-After {args.retry_after or 'none'!r})")
        print(f"  wall {result['wall_s']:.3f}s / ideal {result['ideal_s']:.3f}s = {result['wall_over_ideal']:.3f}x "
              f"(target <= 1.25x)")
        print(f"  client CPU {result['client_cpu_s']:.3f}s, issuer CPU {result['server_cpu_s']}s, "
              f"{result['cpus']} CPUs, load average {result['load_average_1m']} at start")
        print(f"  retries {result['retries']} {result['retry_reasons']}; requests {result['requests']}; "
              f"issuer answered {result['server_statuses']}")
        print(f"  lost {result['lost']}, duplicated {result['duplicated']}, not verified {result['not_verified']}, "
              f"confirmed twice by the issuer {result['server_dup']}")
        print(f"  issuer: {result['server_stack']}, {result['server_connections']} TCP connections from the client")
    ordered = sorted(runs, key=lambda r: r["wall_over_ideal"])
    summary = dict(ordered[len(ordered) // 2])  # the median run
    if len(runs) > 1:
        summary["runs_wall_over_ideal"] = [r["wall_over_ideal"] for r in runs]
        summary["runs_client_cpu_s"] = [r["client_cpu_s"] for r in runs]
        summary["lost"] = sum(r["lost"] for r in runs)
        summary["duplicated"] = sum(r["duplicated"] for r in runs)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
