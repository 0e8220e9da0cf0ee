"""Admin reads over the service API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from plugin_samples import plugin_sample

from passport_hub.config import Settings
from passport_hub.service.app import create_app

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
