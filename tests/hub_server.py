"""Runs the real hub service (`passport-hub serve`, uvicorn) in a subprocess on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ADMIN_KEY = "test-admin-key-not-a-secret"
DATA = Path(__file__).resolve().parent / "data"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_hub(db_url: str, home: Path, **extra_env: str):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")}
    env.update(PASSPORT_HUB_HOME=str(home), PASSPORT_HUB_DATABASE_URL=db_url, PASSPORT_HUB_ADMIN_API_KEY=ADMIN_KEY,
               **extra_env)
    log = open(home / "server.log", "wb") if home.exists() else None  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([sys.executable, "-m", "passport_hub", "serve", "--port", str(port)], env=env,
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                text = (home / "server.log").read_text(errors="replace") if log else ""
                raise RuntimeError(f"server exited with {proc.returncode}: {text[-2000:]}")
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            log.close()
