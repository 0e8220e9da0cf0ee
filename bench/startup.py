"""`passport-hub plugins` wall time against a bare import of the core libraries.

Target: within 1.5x of `python -c "import pluggy, pydantic, httpx, sqlalchemy"`.
Run: python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time


def wall(cmd: list[str], runs: int, env: dict) -> float:
    subprocess.run(cmd, capture_output=True, env=env, check=True)  # warm the file cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")}
    cli = shutil.which("passport-hub", path=os.path.dirname(sys.executable)) or "passport-hub"
    baseline = wall([sys.executable, "-c", "import pluggy, pydantic, httpx, sqlalchemy"], args.runs, env)
    plugins = wall([cli, "plugins"], args.runs, env)
    plugins_json = wall([cli, "plugins", "--json"], args.runs, env)
    loaded = json.loads(subprocess.run([cli, "plugins", "--json"], capture_output=True, env=env).stdout)
    print(f"bare import of pluggy, pydantic, httpx, sqlalchemy: {baseline * 1000:.0f} ms (median of {args.runs})")
    print(f"passport-hub plugins ({len(loaded)} plugins):        {plugins * 1000:.0f} ms")
    print(f"passport-hub plugins --json:                         {plugins_json * 1000:.0f} ms")
    print(json.dumps({
        "plugins": len(loaded),
        "baseline_ms": round(baseline * 1000, 1),
        "plugins_ms": round(plugins * 1000, 1),
        "plugins_vs_bare_import": round(plugins / baseline, 2),
        "plugins_json_vs_bare_import": round(plugins_json / baseline, 2),
    }))


if __name__ == "__main__":
    main()
