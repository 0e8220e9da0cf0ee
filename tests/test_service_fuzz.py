"""A schemathesis run over the OpenAPI document (real server, about a minute): no 500s."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
from hub_server import ADMIN_KEY, running_hub

FUZZ_SECONDS = 50


def test_openapi_fuzz_finds_no_server_errors(hub_db_url, tmp_path):
    with running_hub(hub_db_url, tmp_path) as base:
        # a holder, so holder-scoped paths have an account behind them
        r = httpx.post(base + "/holders", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert r.status_code == 201
        spec = httpx.get(base + "/openapi.json").json()
        wanted = {"/shares/{token}", "/holders/{holder_id}/documents", "/holders/{holder_id}/export"}
        assert wanted <= set(spec["paths"])
        exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
        result = subprocess.run(
            [exe, "run", base + "/openapi.json", "--checks", "not_a_server_error",
             "-H", f"Authorization: Bearer {ADMIN_KEY}", "--max-time", str(FUZZ_SECONDS), "--workers", "1",
             "--max-examples", "40", "--seed", "1", "--request-timeout", "30", "--suppress-health-check", "all"],
            capture_output=True, text=True, timeout=FUZZ_SECONDS + 120,
        )
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:] + log[-3000:]
        # what the app and uvicorn log for an unhandled error (the access log is off)
        assert "unexpected error on" not in log and "Exception in ASGI application" not in log
