"""Share view throughput: ``GET /shares/{token}`` vs a bare endpoint of the same framework.

Starts the real hub (``passport-hub serve``, uvicorn, SQLite in a temp dir), creates a
holder, uploads the PESC transcript and the CTDL-matched badge from tests/data, shares two
records, then drives loopback load with an httpx async client (a separate process from the
server) for ``--seconds`` at each of: the share view (JSON; verification reused while
younger than PASSPORT_HUB_SHARE_VERIFY_MAX_AGE, 60 s by default, every view audited) and a
bare FastAPI endpoint on the same uvicorn settings. Prints requests/s, p50 and p99, the
ratio, and ends with one JSON line.

    python bench/share_view.py [--seconds 30] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from hub_server import ADMIN_KEY, DATA, free_port, running_hub  # noqa: E402
from plugin_samples import plugin_sample  # noqa: E402

BARE_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/bare")
async def bare():
    return {"ok": True}
"""


async def load(url: str, seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers={"User-Agent": "bench/share_view"}) as client:

        async def worker():
            nonlocal errors
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = await client.get(url)
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {"requests": n, "errors": errors, "rps": n / elapsed,
            "p50_ms": latencies[n // 2] * 1000, "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000}


def run_load(url: str, seconds: float, concurrency: int) -> dict:
    # the load generator runs in its own process so it does not share the server's interpreter
    here = str(Path(__file__).parent)
    code = (f"import asyncio, json, sys; sys.path.insert(0, {here!r}); from share_view import load; "
            f"print(json.dumps(asyncio.run(load({url!r}, {seconds!r}, {concurrency!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def setup_share(base: str) -> str:
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with httpx.Client(base_url=base, timeout=60) as c:
        with open(plugin_sample("credential_engine", "wgu_aws_cloud_devops_openbadge.resource.json"), "rb") as fh:
            c.post("/catalog/documents", headers=admin, files={"file": ("ctdl.json", fh)}).raise_for_status()
        r = c.post("/holders", headers=admin)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        ids = []
        for path in (plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml"),
                     DATA / "wgu_aws_cloud_devops.ob3.unsigned.json"):
            name = path.name
            with open(path, "rb") as fh:
                r = c.post(f"/holders/{holder}/documents", headers=me, files={"file": (name, fh)})
                r.raise_for_status()
                ids.append(r.json()["records"][1 if name.endswith(".xml") else 0]["id"])
        r = c.post(f"/holders/{holder}/shares", headers=me, json={"record_ids": ids, "expires_in_seconds": 7200})
        r.raise_for_status()
        token = r.json()["token"]
        assert len(c.get(f"/shares/{token}").json()["records"]) == 2
        return token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        bare_dir = home / "bare"
        bare_dir.mkdir()
        (bare_dir / "bare_app.py").write_text(BARE_APP)
        port = free_port()
        bare = subprocess.Popen([sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port),
                                 "--log-level", "warning", "--no-access-log"], cwd=bare_dir,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with running_hub(f"sqlite:///{home / 'hub.db'}", home) as base:
                token = setup_share(base)
                bare_url = f"http://127.0.0.1:{port}/bare"
                for _ in range(100):
                    try:
                        if httpx.get(bare_url).status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                share = run_load(f"{base}/shares/{token}", args.seconds, args.concurrency)
                plain = run_load(bare_url, args.seconds, args.concurrency)
        finally:
            bare.terminate()
            bare.wait(10)
    ratio = share["rps"] / plain["rps"]
    print(f"GET /shares/{{token}}: {share['rps']:.0f} req/s, p50 {share['p50_ms']:.1f} ms, "
          f"p99 {share['p99_ms']:.1f} ms, {share['errors']} errors ({share['requests']} requests)")
    print(f"bare FastAPI endpoint: {plain['rps']:.0f} req/s, p50 {plain['p50_ms']:.1f} ms, "
          f"p99 {plain['p99_ms']:.1f} ms, {plain['errors']} errors ({plain['requests']} requests)")
    print(f"share view / bare: {ratio:.0%} (target >= 50%)")
    print(json.dumps({"share_view_rps": round(share["rps"], 1), "bare_rps": round(plain["rps"], 1),
                      "share_view_vs_bare": round(ratio, 3), "share_view_p99_ms": round(share["p99_ms"], 1),
                      "bare_p99_ms": round(plain["p99_ms"], 1), "seconds": args.seconds,
                      "concurrency": args.concurrency, "errors": share["errors"] + plain["errors"]}))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
