"""Roles and hostile input against the real server: other holders, share tokens, random tokens, bad uploads."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest
from hub_server import ADMIN_KEY, DATA, running_hub

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
BADGE = DATA / "wgu_aws_cloud_devops.ob3.unsigned.json"
LIMIT = 50_000


@pytest.fixture
def hub(hub_db_url, tmp_path):
    with running_hub(hub_db_url, tmp_path, PASSPORT_HUB_MAX_DOCUMENT_BYTES=str(LIMIT)) as base:
        yield base


def _holder(c):
    r = c.post("/holders", headers=ADMIN)
    assert r.status_code == 201
    return r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}


def test_other_holders_share_tokens_and_random_tokens(hub):
    with httpx.Client(base_url=hub, timeout=30) as c:
        alice, a = _holder(c)
        bob, b = _holder(c)
        with open(BADGE, "rb") as fh:
            [rec] = c.post(f"/holders/{alice}/documents", headers=a, files={"file": ("b.json", fh)}).json()["records"]
        share = c.post(f"/holders/{alice}/shares", headers=a, json={"record_ids": [rec["id"]]}).json()

        # Bob's token: Alice's holder looks exactly like one that does not exist
        for method, path, body in [
            ("GET", f"/holders/{alice}", None), ("GET", f"/holders/{alice}/records", None),
            ("GET", f"/holders/{alice}/records/{rec['id']}", None),
            ("DELETE", f"/holders/{alice}/records/{rec['id']}", None),
            ("POST", f"/holders/{alice}/shares", {"record_ids": [rec["id"]]}),
            ("GET", f"/holders/{alice}/shares", None), ("DELETE", f"/holders/{alice}/shares/{share['id']}", None),
            ("GET", f"/holders/{alice}/audit", None), ("GET", f"/holders/{alice}/export?format=ob3", None),
        ]:
            r = c.request(method, path, headers=b, json=body)
            missing = c.request(method, path.replace(alice, "h_0000000000000000"), headers=b, json=body)
            assert r.status_code == 404, path
            assert r.json() == missing.json() == {"detail": "holder not found", "kind": "not_found"}, path
        # Bob cannot share Alice's record from his own account either
        r = c.post(f"/holders/{bob}/shares", headers=b, json={"record_ids": [rec["id"]]})
        assert r.status_code == 404
        assert c.get(f"/holders/{alice}/records/{rec['id']}", headers=a).status_code == 200

        # a share token is not an API credential
        s = {"Authorization": f"Bearer {share['token']}"}
        assert c.get("/holders", headers=s).status_code == 401
        assert c.get(f"/holders/{alice}/records", headers=s).status_code == 401
        # holders cannot list holders or plugins
        assert c.get("/holders", headers=a).status_code == 403
        assert c.get("/plugins", headers=a).status_code == 403
        assert c.get("/holders", headers=ADMIN).status_code == 200

        # random tokens never succeed
        for _ in range(20):
            t = {"Authorization": f"Bearer phh_{secrets.token_urlsafe(32)}"}
            assert c.get(f"/holders/{alice}/records", headers=t).status_code == 401
            assert c.get(f"/shares/phs_{secrets.token_urlsafe(32)}").status_code == 404
        assert c.get(f"/holders/{alice}/records").status_code == 401
        assert c.get(f"/holders/{alice}/records", headers={"Authorization": "Bearer"}).status_code == 401
        assert c.get("/shares/" + "x" * 5000).status_code == 404

        # the admin may read any holder, and the holder sees that read
        admin_read = c.get(f"/holders/{alice}/records", headers=ADMIN)
        assert admin_read.status_code == 200
        events = c.get(f"/holders/{alice}/audit", headers=a).json()
        assert [e["action"] for e in events] == ["admin.read"] and events[0]["path"] == f"/holders/{alice}/records"
        # and what the admin does in the holder's name, such as making a share link, too
        first = admin_read.json()[0]["id"]
        assert c.post(f"/holders/{alice}/shares", headers=ADMIN, json={"record_ids": [first]}).status_code == 201
        events = c.get(f"/holders/{alice}/audit", headers=a).json()
        assert [(e["action"], e["method"], e["path"]) for e in events if e["action"] == "admin.write"] == [
            ("admin.write", "POST", f"/holders/{alice}/shares")]
        assert c.get("/holders/h_0000000000000000/records", headers=ADMIN).status_code == 404


def test_bad_uploads_get_clear_4xx(hub):
    with httpx.Client(base_url=hub, timeout=30) as c:
        alice, a = _holder(c)
        url = f"/holders/{alice}/documents"
        r = c.post(url, headers=a, json={"file": "x"})
        assert r.status_code == 415 and "multipart/form-data" in r.json()["detail"]
        r = c.post(url, headers=a | {"Content-Type": "multipart/form-data"}, content=b"--x\r\n")
        assert r.status_code == 400 and "malformed multipart" in r.json()["detail"]
        r = c.post(url, headers=a | {"Content-Type": "multipart/form-data; boundary=abc"},
                   content=b"--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nxx")
        assert r.status_code in (400, 422) and r.json()["detail"]  # truncated body: parser error or unreadable "xx"
        r = c.post(url, headers=a, files={"other": ("a.json", b"{}")})
        assert r.status_code == 422 and "`file`" in r.json()["detail"]
        r = c.post(url, headers=a, files={"file": ("big.json", b"{" + b" " * (LIMIT + 10) + b"}")})
        assert r.status_code == 413 and "limit" in r.json()["detail"]

        def chunks():  # no Content-Length: the limit holds while streaming
            yield b"--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
            for _ in range(200):
                yield b"x" * 1024

        r = c.post(url, headers=a | {"Content-Type": "multipart/form-data; boundary=abc"}, content=chunks())
        assert r.status_code == 413
        r = c.post(url, headers=a, files={"file": ("empty.json", b"  ")})
        assert r.status_code == 422 and "empty" in r.json()["detail"]
        r = c.post(url, headers=a, files={"file": ("junk.bin", b"\x00\x01 not a credential")})
        assert r.status_code == 422 and r.json()["kind"] == "unrecognized"
        r = c.post(f"/holders/{alice}/shares", headers=a, json={"record_ids": []})
        assert r.status_code == 422
        r = c.post(f"/holders/{alice}/shares", headers=a, content=b"{not json", )
        assert r.status_code == 422
        r = c.post(f"/holders/{alice}/fetch", headers=a, json={"source": "etranscript", "query": {}})
        assert (r.status_code, r.json()["kind"]) == (422, "invalid_request") and "cannot fetch" in r.json()["detail"]
        r = c.post(f"/holders/{alice}/fetch", headers=a, json={"source": "nope", "query": {}})
        assert (r.status_code, r.json()["kind"]) == (404, "not_found")
        assert "no source named 'nope'" in r.json()["detail"]


def test_control_characters_get_a_clear_400_not_a_server_error():
    from starlette.testclient import TestClient

    from passport_hub.config import Settings
    from passport_hub.service.app import create_app

    with TestClient(create_app(Settings(home=Path("/nonexistent"), database_url="sqlite://"))) as client:
        response = client.get("/holders/h%00x/records")
        assert response.status_code == 400
        assert "control characters" in response.json()["detail"]
