"""Admin reads over the service API."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from plugin_samples import plugin_sample
from sqlalchemy import select

from passport_hub.config import Settings
from passport_hub.service.app import create_app
from passport_hub.service.tokens import token_hash
from passport_hub.store.tables import HolderRow

ADMIN = {"Authorization": "Bearer admin-key-for-tests"}


def test_holder_listing_counts_each_holders_records(hub_db_url, tmp_path):
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": "admin-key-for-tests"})
    with TestClient(create_app(settings)) as client:
        alice = client.post("/holders", json={"display_name": "Alice"}, headers=ADMIN).json()
        bob = client.post("/holders", json={}, headers=ADMIN).json()
        transcript = plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
        with open(transcript, "rb") as fh:
            upload = client.post(f"/holders/{alice['id']}/documents", files={"file": (transcript.name, fh)},
                                 headers={"Authorization": f"Bearer {alice['token']}"})
        assert upload.status_code == 201, upload.text
        listing = {h["id"]: h["records"] for h in client.get("/holders", headers=ADMIN).json()}
        assert listing[alice["id"]] == 25 and listing[bob["id"]] == 0
        assert client.get(f"/holders/{alice['id']}", headers=ADMIN).json()["records"] == 25


def test_the_admin_issues_a_token_for_a_holder_the_command_line_created(hub_db_url, tmp_path):
    transcript = plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")}
    env.update(PASSPORT_HUB_HOME=str(tmp_path), PASSPORT_HUB_DATABASE_URL=hub_db_url)
    imported = subprocess.run([sys.executable, "-m", "passport_hub", "import", str(transcript), "--holder", "maria"],
                              env=env, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": "admin-key-for-tests"})
    app = create_app(settings)
    with TestClient(app) as client:
        assert [(h["id"], h["records"]) for h in client.get("/holders", headers=ADMIN).json()] == [("maria", 25)]
        other = client.post("/holders", json={}, headers=ADMIN).json()
        others = {"Authorization": f"Bearer {other['token']}"}

        # only the admin issues tokens: a holder is refused even for itself, and learns nothing of others
        assert client.post("/holders/maria/token", headers=others).status_code == 403
        assert client.post(f"/holders/{other['id']}/token", headers=others).status_code == 403
        assert client.post("/holders/maria/token").status_code == 401
        missing = client.post("/holders/nobody/token", headers=ADMIN)
        assert (missing.status_code, missing.json()) == (404, {"detail": "holder not found", "kind": "not_found"})

        issued = client.post("/holders/maria/token", headers=ADMIN)
        assert issued.status_code == 201
        assert issued.json()["id"] == "maria" and issued.json()["token"].startswith("phh_")
        maria = {"Authorization": f"Bearer {issued.json()['token']}"}
        records = client.get("/holders/maria/records", headers=maria).json()
        assert len(records) == 25 and {r["holder"]["name"] for r in records} == {"Test Record Test Speede IV"}
        events = client.get("/holders/maria/audit", headers=maria).json()
        assert [(e["action"], e["actor"], e["method"], e["path"]) for e in events] == [
            ("admin.write", "admin", "POST", "/holders/maria/token")]

        # a new token replaces the previous one, which stops working; the store keeps only hashes
        again = client.post("/holders/maria/token", headers=ADMIN).json()
        assert client.get("/holders/maria", headers=maria).status_code == 401
        assert client.get("/holders/maria", headers={"Authorization": f"Bearer {again['token']}"}).status_code == 200
        assert client.post(f"/holders/{other['id']}/token", headers=ADMIN).status_code == 201
        assert client.get(f"/holders/{other['id']}", headers=others).status_code == 401
        with app.state.hub.store.engine.connect() as conn:
            assert conn.scalar(select(HolderRow.token_hash).where(HolderRow.id == "maria")) == token_hash(
                again["token"])


def test_the_catalogs_own_account_is_no_holder(hub_db_url, tmp_path):
    """Registry data the admin imports is stored under the hub's own 'catalog' account: it is not
    listed, no holder route reaches it (404, as for a holder that does not exist), no token acts
    for it, and the command line and the Python API refuse it as a holder id."""
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": "admin-key-for-tests"})
    ctdl = plugin_sample("credential_engine", "wgu_aws_cloud_devops_openbadge.resource.json")
    app = create_app(settings)
    with TestClient(app) as client:
        r = client.post("/catalog/documents", headers=ADMIN, files={"file": (ctdl.name, ctdl.read_bytes())})
        assert r.status_code == 201 and r.json()["entries"], r.text
        with app.state.hub.store.engine.connect() as conn:  # the account the catalog's documents belong to
            assert conn.scalar(select(HolderRow.id).where(HolderRow.id == "catalog")) == "catalog"
        alice = client.post("/holders", json={}, headers=ADMIN).json()
        assert [h["id"] for h in client.get("/holders", headers=ADMIN).json()] == [alice["id"]]
        not_found = {"detail": "holder not found", "kind": "not_found"}
        for method, path in (("GET", ""), ("POST", "/token"), ("GET", "/records"), ("GET", "/audit"),
                             ("GET", "/shares"), ("GET", "/cpl?college=X"), ("GET", "/export?format=ob3")):
            r = client.request(method, f"/holders/catalog{path}", headers=ADMIN)
            assert (r.status_code, r.json()) == (404, not_found), (method, path)
        # a token issued for it before the id was reserved acts for no one
        token = "phh_issued-before-the-catalog-was-reserved"
        with app.state.hub.store.engine.begin() as conn:
            conn.execute(HolderRow.__table__.update().where(HolderRow.id == "catalog")
                         .values(token_hash=token_hash(token)))
        for path in ("/holders/catalog", "/holders/catalog/records", "/catalog"):
            assert client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 401, path

    from passport_hub import Hub
    from passport_hub.errors import NotFoundError

    with Hub(settings=settings) as hub:
        with pytest.raises(ValueError, match="'catalog' is the hub's own"):
            hub.import_paths([ctdl], holder="catalog")
        with pytest.raises(NotFoundError):
            hub.records("catalog")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")}
    env.update(PASSPORT_HUB_HOME=str(tmp_path), PASSPORT_HUB_DATABASE_URL=hub_db_url)
    refused = subprocess.run([sys.executable, "-m", "passport_hub", "import", str(ctdl), "--holder", "catalog"],
                             env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "'catalog' is the hub's own" in refused.stderr, refused.stderr
    # an id that breaks the rule hears the rule, not of the catalog
    misspelt = subprocess.run([sys.executable, "-m", "passport_hub", "import", str(ctdl), "--holder", "bad id/x"],
                              env=env, capture_output=True, text=True)
    assert misspelt.returncode == 2 and "starting with a letter or digit, at most 64" in misspelt.stderr
    assert "catalog" not in misspelt.stderr
