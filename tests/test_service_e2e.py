"""End to end against the real server (uvicorn subprocess, real HTTP).

Wallet → verify → share → employer views → audit → revoke → delete.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hub_server import ADMIN_KEY, DATA, running_hub
from plugin_samples import plugin_sample

from passport_hub.store import Store

TRANSCRIPT = plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
CTDL = plugin_sample("credential_engine", "wgu_aws_cloud_devops_openbadge.resource.json")
BADGE = DATA / "wgu_aws_cloud_devops.ob3.unsigned.json"
CTID = "ce-727764d7-b909-4e5c-b26a-c4d0fced2159"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def hub(hub_db_url, tmp_path):
    # SHARE_VERIFY_MAX_AGE=0: every share view re-verifies (fresh results)
    with running_hub(hub_db_url, tmp_path, PASSPORT_HUB_SHARE_VERIFY_MAX_AGE="0") as base:
        yield base


def _upload(client, path, holder_id, headers, url=None):
    with open(path, "rb") as fh:
        return client.post(url or f"/holders/{holder_id}/documents", headers=headers,
                           files={"file": (path.name, fh, "application/octet-stream")})


def test_wallet_share_audit_revoke_delete(hub, hub_db_url):
    with httpx.Client(base_url=hub, timeout=60) as c:
        # the approved-credentials catalog (admin imports registry data)
        r = _upload(c, CTDL, None, ADMIN, url="/catalog/documents")
        assert r.status_code == 201, r.text
        assert [e["achievement"]["ctid"] for e in r.json()["entries"]] == [CTID]

        r = c.post("/holders", json={"display_name": "Test holder"}, headers=ADMIN)
        assert r.status_code == 201
        holder, token = r.json()["id"], r.json()["token"]
        me = {"Authorization": f"Bearer {token}"}

        r = _upload(c, TRANSCRIPT, holder, me)
        assert r.status_code == 201, r.text
        transcript = r.json()
        assert transcript["source"] == "etranscript" and transcript["new"] == 25
        titles = {rec["achievement"]["title"]: rec for rec in transcript["records"]}
        assert {"Standard High School Diploma", "BEGINNING SPANISH 1", "HISTORY OF THE US 1"} <= set(titles)
        spanish = titles["BEGINNING SPANISH 1"]
        assert spanish["issuer"]["name"] == "THE UNIVERSITY OF TEXAS AT AUSTIN"

        r = _upload(c, BADGE, holder, me)
        assert r.status_code == 201, r.text
        [badge] = r.json()["records"]
        assert badge["achievement"]["ctid"] == CTID

        # the listing: import order, filtered and paged by the database
        listed = c.get(f"/holders/{holder}/records", headers=me).json()
        assert [rec["id"] for rec in listed] == [rec["id"] for rec in transcript["records"]] + [badge["id"]]
        page = c.get(f"/holders/{holder}/records", headers=me, params={"kind": "course", "limit": 5, "offset": 3})
        assert [rec["id"] for rec in page.json()] == [
            rec["id"] for rec in transcript["records"] if rec["achievement"]["kind"] == "course"][3:8]
        badges = c.get(f"/holders/{holder}/records", headers=me, params={"kind": "badge"}).json()
        assert [rec["achievement"]["title"] for rec in badges] == [badge["achievement"]["title"]]
        # a kind that is not one (a typo, another case) is refused, not an empty list
        unknown_kind = c.get(f"/holders/{holder}/records", headers=me, params={"kind": "COURSE"})
        assert unknown_kind.status_code == 422 and "kind" in unknown_kind.json()["detail"]

        # a holder cannot push registry data into the shared catalog
        r = _upload(c, CTDL, holder, me)
        assert r.status_code == 422 and "catalog" in r.json()["detail"]

        # ids as the tables show them (a unique beginning), as the CLI takes them
        r = c.post(f"/holders/{holder}/verify", json={"record_ids": [badge["id"][:12], spanish["id"]]}, headers=me)
        assert r.status_code == 200, r.text
        assert [res["record_id"] for res in r.json()["results"]] == [badge["id"], spanish["id"]]
        checks = {res["record_id"]: res["verification"]["checks"] for res in r.json()["results"]}
        listed = [ch for ch in checks[badge["id"]] if ch["name"] == "registry_listed"]
        assert listed and listed[0]["status"] == "passed" and CTID in listed[0]["detail"]
        r = c.post(f"/holders/{holder}/verify", json={"record_ids": ["rec_nosuch"]}, headers=me)
        assert (r.status_code, r.json()) == (404, {"detail": f"no record 'rec_nosuch' for holder {holder!r}",
                                                    "kind": "not_found"})

        shared_at = datetime.now(UTC)
        r = c.post(f"/holders/{holder}/shares", headers=me,
                   json={"record_ids": [spanish["id"][:12], badge["id"]], "expires_in_seconds": 3600,
                         "audience": "Acme Hiring"})
        assert r.status_code == 201, r.text
        share = r.json()
        assert share["record_ids"] == [spanish["id"], badge["id"]]
        created = datetime.fromisoformat(share["link_expires_at"])
        assert 3590 <= (created - datetime.now(created.tzinfo)).total_seconds() <= 3600
        assert share["url"].endswith("/shares/" + share["token"])

        # the employer: no login, JSON then HTML
        employer = httpx.Client(base_url=hub, timeout=60, headers={"User-Agent": "AcmeATS/2.1"})
        r = employer.get(f"/shares/{share['token']}")
        assert r.status_code == 200, r.text
        view = r.json()
        assert sorted(rec["id"] for rec in view["records"]) == sorted([spanish["id"], badge["id"]])
        assert view["share"]["audience"] == "Acme Hiring"
        for rec in view["records"]:
            v = rec["verification"]
            assert v["checks"], rec["achievement"]["title"]
            assert all(ch["status"] in ("passed", "failed", "not_checked") for ch in v["checks"])
            # fresh: verified at view time, after the holder's own verify call
            checked = datetime.fromisoformat(v["checked_at"].replace("Z", "+00:00"))
            assert (checked if checked.tzinfo else checked.replace(tzinfo=UTC)) >= shared_at - timedelta(seconds=1)
            assert "birth_date" not in rec.get("holder", {})
        by_id = {rec["id"]: rec for rec in view["records"]}
        assert [ch["status"] for ch in by_id[badge["id"]]["verification"]["checks"]
                if ch["name"] == "registry_listed"] == ["passed"]

        r = employer.get(f"/shares/{share['token']}", headers={"Accept": "text/html"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        page = r.text
        assert page.count("<section") == 2
        assert "BEGINNING SPANISH 1" in page and "WGU Certificate: AWS Cloud DevOps v1.1" in page
        assert "HISTORY OF THE US 1" not in page and "Standard High School Diploma" not in page
        assert "THE UNIVERSITY OF TEXAS AT AUSTIN" in page and "Western Governors University" in page
        assert '<th scope="col">Check</th>' in page and "registry_listed" in page
        assert 'lang="en"' in page and "Credential valid until" in page and "link expires" in page.lower()

        # the holder sees both views
        r = c.get(f"/holders/{holder}/audit", headers=me)
        events = r.json()
        assert [e["action"] for e in events] == ["share.viewed", "share.viewed"]
        assert {e["format"] for e in events} == {"json", "html"}
        for e in events:
            assert e["share_id"] == share["id"] and e["user_agent"] == "AcmeATS/2.1"
            assert sorted(e["records"]) == sorted([spanish["id"], badge["id"]])

        r = c.get(f"/holders/{holder}/shares", headers=me)
        assert [(s["id"], s["state"]) for s in r.json()] == [(share["id"], "active")]
        assert "token" not in r.json()[0]

        assert c.delete(f"/holders/{holder}/shares/{share['id']}", headers=me).status_code == 204
        r = employer.get(f"/shares/{share['token']}")
        assert r.status_code == 410 and "revoked" in r.json()["detail"] and "records" not in r.json()
        r = employer.get(f"/shares/{share['token']}.html")
        assert r.status_code == 410 and "revoked" in r.text and "BEGINNING SPANISH" not in r.text
        r = c.get(f"/holders/{holder}/shares", headers=me)
        assert r.json()[0]["state"] == "revoked"

        # a record deleted after sharing leaves the (other) share too
        r = c.post(f"/holders/{holder}/shares", headers=me,
                   json={"record_ids": [spanish["id"], badge["id"]], "expires_in_seconds": 3600})
        second = r.json()["token"]
        assert c.delete(f"/holders/{holder}/records/{spanish['id']}", headers=me).status_code == 204
        assert c.get(f"/holders/{holder}/records/{spanish['id']}", headers=me).status_code == 404
        assert c.delete(f"/holders/{holder}/records/{spanish['id']}", headers=me).status_code == 404
        r = employer.get(f"/shares/{second}")
        assert [rec["id"] for rec in r.json()["records"]] == [badge["id"]]
        employer.close()

    store = Store(hub_db_url)
    try:
        assert store.find_record(spanish["id"], holder) is None
        assert store.find_record(badge["id"], holder) is not None
        assert store.record_count(holder) == 25  # 25 transcript + 1 badge − 1 deleted
        # the transcript still has records, so its document stays
        assert store.document_exists(transcript["sha256"])
    finally:
        store.close()


def test_deleting_every_record_of_a_document_removes_the_document(hub, hub_db_url):
    with httpx.Client(base_url=hub, timeout=60) as c:
        r = c.post("/holders", headers=ADMIN)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        r = _upload(c, BADGE, holder, me)
        sha, [badge] = r.json()["sha256"], r.json()["records"]
        assert c.delete(f"/holders/{holder}/records/{badge['id']}", headers=me).status_code == 204
        assert c.get(f"/holders/{holder}/records", headers=me).json() == []
    store = Store(hub_db_url)
    try:
        assert not store.document_exists(sha)
    finally:
        store.close()
