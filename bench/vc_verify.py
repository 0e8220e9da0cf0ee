"""Bench: verifications per second of the open_badges verifier on the valid signed samples.

Compared, on the same files in the same session, with
- DCC ``@digitalcredentials/verifier-core`` (node), when it is installed in a folder given by
  ``--verifier-core-dir`` (default ``$VC_BENCH_NODE_DIR`` or ``/tmp/vcbench``; ``--install`` tries
  ``npm install`` there with a 10-minute timeout). Its network is replaced by the same offline
  documents (status lists, DID document, contexts) through a ``fetch`` stub, so both sides run
  offline; only files verifier-core itself reports valid are timed head to head.
- the floor: one plain Ed25519 signature check of the same bytes' signing input (what any
  verifier must at least do), always reported.

Prints figures, then ends with one JSON line.

    python bench/vc_verify.py [--seconds 3] [--verifier-core-dir DIR] [--install]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "plugins" / "open_badges" / "tests" / "data" / "vc"
NOW = datetime(2026, 12, 3, tzinfo=UTC)  # the manifest's evaluation date

NODE_SCRIPT = r"""
import fs from 'node:fs';
const [docsFile, seconds, ...files] = process.argv.slice(2);
const docs = JSON.parse(fs.readFileSync(docsFile, 'utf8'));
const net = [];
globalThis.fetch = async (input) => {
  const url = typeof input === 'string' ? input : (input.url || String(input));
  const json = {status: 200, headers: {'content-type': 'application/json'}};
  if (docs[url]) return new Response(fs.readFileSync(docs[url]), json);
  net.push(url);
  return new Response('offline', {status: 404, headers: {'content-type': 'text/plain'}});
};
const quiet = () => {};
console.log = quiet; console.error = quiet; console.warn = quiet;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const { verifyCredential } = await import('@digitalcredentials/verifier-core');
const creds = files.map(f => [f, JSON.parse(fs.readFileSync(f, 'utf8'))]);
const valid = [];
for (const [f, c] of creds) {
  const r = await verifyCredential({ credential: c, knownDIDRegistries: [] });
  const ok = !r.errors && (r.log || []).every(s => s.id === 'registered_issuer' || s.valid);
  if (ok) valid.push([f, c]);
}
let n = 0; const t0 = performance.now(); const budget = Number(seconds) * 1000;
while (performance.now() - t0 < budget) {
  for (const [, c] of valid) { await verifyCredential({ credential: c, knownDIDRegistries: [] }); n++; }
}
const elapsed = (performance.now() - t0) / 1000;
out({ valid_files: valid.map(([f]) => f), verifications: n, seconds: elapsed,
      per_second: n / elapsed, unserved_urls: [...new Set(net)] });
"""


def valid_signed_samples() -> list[Path]:
    manifest = json.loads((DATA / "manifest.json").read_text())
    out = []
    for e in manifest["entries"]:
        exp = e["expected"]
        if exp.get("verdict") == "valid" and exp.get("signature") == "valid":
            out.append(DATA / e["file"])
    return out


def offline_docs() -> dict[str, str]:
    manifest = json.loads((DATA / "manifest.json").read_text())
    docs = {u: str(DATA / e["file"]) for u, e in manifest["documents"].items() if u.startswith("http")}
    import passport_hub_open_badges

    ctx_dir = Path(passport_hub_open_badges.__file__).parent / "data" / "contexts"
    for url, e in json.loads((ctx_dir / "index.json").read_text())["contexts"].items():
        docs[url] = str(ctx_dir / e["file"])
    return docs


def bench_ours(files: list[Path], seconds: float) -> dict:
    from passport_hub_open_badges.verify import Engine, verdict

    blobs = [(f, f.read_bytes()) for f in files]
    engine = Engine()
    for f, b in blobs:  # warm the context / key caches, and check every verdict
        v = verdict(engine.verify_bytes(b, NOW))
        if v != "valid":
            raise SystemExit(f"bench: {f.name} verified as {v}, expected valid")
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _f, b in blobs:
            engine.verify_bytes(b, NOW)
            n += 1
    elapsed = time.perf_counter() - t0
    return {"verifications": n, "seconds": elapsed, "per_second": n / elapsed}


def bench_floor(files: list[Path], seconds: float) -> dict:
    """Plain Ed25519 checks of each file's signing input (computed once, outside the timer)."""
    import base58
    from passport_hub_open_badges.keys import KeyResolver
    from passport_hub_open_badges.loader import default_store
    from passport_hub_open_badges.proofs import canonize, proof_config, unsecured

    store = default_store()
    keys = KeyResolver(store)
    items = []
    for f in files:
        doc = json.loads(f.read_bytes())
        proof = doc.get("proof")
        proof = proof[0] if isinstance(proof, list) else proof
        if not isinstance(proof, dict):
            continue
        data = (
            hashlib.sha256(canonize(proof_config(doc, proof), store).encode()).digest()
            + hashlib.sha256(canonize(unsecured(doc), store).encode()).digest()
        )
        key = keys.resolve(proof["verificationMethod"]).key
        items.append((key, base58.b58decode(proof["proofValue"][1:]), data))
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for key, sig, data in items:
            key.verify(sig, data)
            n += 1
    elapsed = time.perf_counter() - t0
    return {"verifications": n, "seconds": elapsed, "per_second": n / elapsed}


def bench_verifier_core(node_dir: Path, files: list[Path], seconds: float, install: bool) -> dict:
    node = shutil.which("node")
    if node is None:
        return {"available": False, "reason": "node is not installed"}
    pkg = node_dir / "node_modules" / "@digitalcredentials" / "verifier-core"
    if not pkg.exists() and install and shutil.which("npm"):
        node_dir.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["npm", "init", "-y"], cwd=node_dir, capture_output=True, timeout=60)
            subprocess.run(
                ["npm", "install", "@digitalcredentials/verifier-core", "--no-audit", "--no-fund"],
                cwd=node_dir,
                capture_output=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            return {"available": False, "reason": "npm install timed out (10 minutes)"}
    if not pkg.exists():
        return {"available": False, "reason": f"@digitalcredentials/verifier-core not installed in {node_dir}"}
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs.json"
        docs.write_text(json.dumps(offline_docs()))
        script = node_dir / "passport_hub_vc_bench.mjs"  # must sit beside node_modules (ESM resolution)
        script.write_text(NODE_SCRIPT)
        try:
            proc = subprocess.run(
                [node, str(script), str(docs), str(seconds), *map(str, files)],
                cwd=node_dir,
                capture_output=True,
                text=True,
                timeout=300 + seconds * 4,
            )
        finally:
            script.unlink(missing_ok=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"available": False, "reason": f"verifier-core run failed: {proc.stderr.strip()[-300:]}"}
    result = json.loads(lines[-1])
    version = json.loads((pkg / "package.json").read_text()).get("version")
    return {"available": True, "version": version, **result}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--verifier-core-dir", default=os.environ.get("VC_BENCH_NODE_DIR", "/tmp/vcbench"))
    ap.add_argument("--install", action="store_true", help="npm install verifier-core if missing")
    args = ap.parse_args()

    files = valid_signed_samples()
    json_files = [f for f in files if f.suffix == ".json"]
    print(f"valid signed samples: {len(files)} ({', '.join(f.name for f in files)})")

    ours_all = bench_ours(files, args.seconds)
    print(f"open_badges, all {len(files)} valid signed samples: {ours_all['per_second']:.1f} verifications/s")
    floor = bench_floor(json_files, args.seconds)
    print(f"floor (plain Ed25519 check of the same signing input): {floor['per_second']:.1f} verifications/s")

    core = bench_verifier_core(Path(args.verifier_core_dir), json_files, args.seconds, args.install)
    result = {
        "bench": "vc_verify",
        "samples": len(files),
        "open_badges_per_second_all": round(ours_all["per_second"], 1),
        "floor_ed25519_per_second": round(floor["per_second"], 1),
    }
    if core.get("available"):
        head = [Path(f) for f in core["valid_files"]]
        ours_head = bench_ours(head, args.seconds)
        ratio = ours_head["per_second"] / core["per_second"]
        print(
            f"head to head on the {len(head)} files verifier-core {core['version']} verifies offline "
            f"({', '.join(p.name for p in head)}):"
        )
        print(f"  open_badges:   {ours_head['per_second']:.1f} verifications/s")
        print(f"  verifier-core: {core['per_second']:.1f} verifications/s  ->  x{ratio:.2f}")
        if core.get("unserved_urls"):
            print(f"  (verifier-core asked for, and got 404 offline: {', '.join(core['unserved_urls'])})")
        result.update(
            comparator="@digitalcredentials/verifier-core",
            comparator_version=core["version"],
            head_to_head_samples=len(head),
            open_badges_per_second=round(ours_head["per_second"], 1),
            comparator_per_second=round(core["per_second"], 1),
            speedup=round(ratio, 2),
        )
    else:
        print(f"verifier-core unavailable ({core['reason']}); the floor is the plain Ed25519 check")
        result.update(comparator="plain Ed25519 signature check (floor)", comparator_reason=core["reason"])
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
