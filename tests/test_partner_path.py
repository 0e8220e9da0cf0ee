"""The partner path, end to end: a generated plugin is built as a wheel, installed into a
fresh virtual environment next to the core, listed as loaded, and imports its sample."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def run(*args, cwd=None, env=None, timeout=600):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result

def test_generated_plugin_wheel_installs_next_to_the_core_and_just_works(tmp_path):
    run(sys.executable, "-m", "passport_hub", "new-plugin", "acme_forklift", "--dir", str(tmp_path))
    plugin_dir = tmp_path / "acme_forklift"
    wheels = tmp_path / "wheels"
    core = tmp_path / "core"  # a clean copy: no stale build/ folder from earlier builds
    shutil.copytree(ROOT, core, ignore=shutil.ignore_patterns(".*", "build", "plugins", "tests", "bench", "*.egg-info",
                                                               "__pycache__"))
    for project in (plugin_dir, core):
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
            str(project))
    [wheel] = wheels.glob("passport_hub_acme_forklift-*.whl")
    [core_wheel] = wheels.glob("passport_hub-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    # the fresh environment borrows this one's third-party libraries (pluggy, pydantic, ...)
    # through a .pth line, placed after its own site-packages, so nothing is downloaded
    # and its own copies of the core and the partner's wheel come first
    [site] = venv.glob("lib/python3*/site-packages")
    here = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_borrowed_libraries.pth").write_text("\n".join(here) + "\n")
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(core_wheel),
        str(wheel))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")}
    env.update(PASSPORT_HUB_HOME=str(tmp_path / "home"), PASSPORT_HUB_LOAD_PLUGINS="acme_forklift",
               PYTHONPATH="")
    hub = venv / "bin" / "passport-hub"

    listing = json.loads(run(str(hub), "plugins", "--json", env=env, cwd=tmp_path).stdout)
    [row] = [p for p in listing if p["name"] == "acme_forklift"]
    assert row["status"] == "loaded"
    assert row["distribution"] == "passport-hub-acme-forklift" and row["version"] == "0.1.0"
    assert row["sources"] == ["acme_forklift"]

    code = "import passport_hub_acme_forklift as p, passport_hub as h; print(p.__file__); print(h.__file__)"
    installed = run(str(python), "-c", code, env=env, cwd=tmp_path).stdout
    assert str(venv) in installed.splitlines()[0] and str(venv) in installed.splitlines()[1]
    sample = next((venv / "lib").glob("python3*/site-packages/passport_hub_acme_forklift/samples/*.json"))
    imported = run(str(hub), "import", str(sample), "--json", env=env, cwd=tmp_path).stdout.splitlines()
    [record] = [json.loads(line) for line in imported]
    assert record["achievement"]["title"] == "Example Safety Certification"
    assert record["source"]["plugin"] == "acme_forklift"
