"""CPL over the service API (router passport_hub.service.cpl mounted on the real app, in process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from passport_hub.config import Settings

DATA = Path(__file__).parent / "data" / "cpl"
ADMIN_KEY = "test-admin-key-not-a-secret"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
COLLEGE = "Fictional Valley Community College"


@pytest.fixture
def client(hub_db_url, tmp_path):
    from passport_hub.service.app import create_app

    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": ADMIN_KEY})
    app = create_app(settings)
    with TestClient(app) as c:
        yield c, app


def _jst(app, filename: str) -> Path:
    registry = app.state.hub.registry
    [path] = [p for p in registry.sources["military_jst"].sample_documents() if Path(p).name == filename]
    return Path(path)


def test_holder_and_evaluator_see_the_cpl_report(client):
    c, app = client
    r = c.post("/holders", json={"display_name": "Jordan"}, headers=ADMIN)
    assert r.status_code == 201
    holder, token = r.json()["id"], r.json()["token"]
    me = {"Authorization": f"Bearer {token}"}
    other = c.post("/holders", json={}, headers=ADMIN).json()
    with open(_jst(app, "jst_navy_unofficial.pdf"), "rb") as fh:
        r = c.post(f"/holders/{holder}/documents", headers=me, files={"file": ("jst.pdf", fh, "application/pdf")})
    assert r.status_code == 201, r.text

    template = (DATA / "map_existing_articulations_sample.csv").read_bytes()
    r = c.post(f"/colleges/{COLLEGE}/articulations", headers=me, files={"file": ("map.csv", template, "text/csv")})
    assert r.status_code == 403  # only the admin imports rules
    r = c.post(f"/colleges/{COLLEGE}/articulations", params={"format": "map"}, headers=ADMIN,
               files={"file": ("map.csv", template, "text/csv")})
    assert r.status_code == 201, r.text
    assert r.json() == {"college": COLLEGE, "format": "map", "rules_new": 4, "rules_updated": 0,
                        "rules_unchanged": 0, "courses_new": 2, "rejected": []}
    assert c.get("/colleges", headers=ADMIN).json() == [{"name": COLLEGE, "articulations": 4}]
    rules = c.get(f"/colleges/{COLLEGE}/articulations", headers=ADMIN).json()["articulations"]
    assert [(a["course"]["code"], a["ace_id"], a["team_reviewed_date"]) for a in rules] == [
        ("BIO 45", "NV-0702-0014", "1998-05-01"), ("BIO 45", "NV-0702-0013", "2002-10-01"),
        ("BUS 80", "MC-1405-0056", "2006-06-01"), ("BUS 80", "MC-1405-0056", "2016-12-01")]

    for headers in (me, ADMIN):  # the holder, and the college evaluator (admin)
        r = c.get(f"/holders/{holder}/cpl", params={"college": COLLEGE}, headers=headers)
        assert r.status_code == 200, r.text
        report = r.json()
        assert [e["course"]["code"] for e in report["eligible"]] == ["BIO 45"]
        assert report["eligible"][0]["earned_by"]["credential"] == "ACE NV-0702-0014 V02"
        assert [m["credential"] for m in report["eligible"][0]["also_articulated_by"]] == ["ACE NV-0702-0013 V03"]
        assert [x["ace_id"] for x in report["recommendations"]] == ["NV-1406-0180", "NER-HM-005", "NEC-8404-003"]

    other_me = {"Authorization": f"Bearer {other['token']}"}
    assert c.get(f"/holders/{holder}/cpl", params={"college": COLLEGE}, headers=other_me).status_code == 404
    nowhere = c.get(f"/holders/{holder}/cpl", params={"college": "Nowhere"}, headers=me)
    # a holder learns that there are no rules there, not which colleges the hub has (that list is the admin's)
    assert nowhere.status_code == 404 and nowhere.json()["detail"] == "no articulations for college 'Nowhere'"
    assert c.get(f"/holders/{holder}/cpl", params={"college": COLLEGE}).status_code == 401
    assert c.get("/colleges", headers=me).status_code == 403
    audit = app.state.hub.repo.audit_events(holder, 100, 0)
    assert any(e["action"] == "admin.read" and e.get("path", "").endswith("/cpl") for e in audit)


def test_a_share_can_carry_a_cpl_section_from_the_shared_records_only(client):
    c, app = client
    holder = c.post("/holders", json={}, headers=ADMIN).json()
    me = {"Authorization": f"Bearer {holder['token']}"}
    with open(_jst(app, "jst_navy_unofficial.pdf"), "rb") as fh:
        c.post(f"/holders/{holder['id']}/documents", headers=me, files={"file": ("jst.pdf", fh, "application/pdf")})
    template = (DATA / "map_existing_articulations_sample.csv").read_bytes()
    c.post(f"/colleges/{COLLEGE}/articulations", params={"format": "map"}, headers=ADMIN,
           files={"file": ("map.csv", template, "text/csv")})
    records = c.get(f"/holders/{holder['id']}/records", headers=me).json()
    ace = {i["value"]: r["id"] for r in records for i in r["achievement"]["identifiers"] if i["scheme"] == "ace"}

    unknown = c.post(f"/holders/{holder['id']}/shares", headers=me,
                     json={"record_ids": [ace["NV-0702-0014"]], "cpl_college": "Nowhere College"})
    assert unknown.status_code == 404 and "Nowhere College" in unknown.json()["detail"]

    share = c.post(f"/holders/{holder['id']}/shares", headers=me,
                   json={"record_ids": [ace["NV-0702-0014"]], "cpl_college": COLLEGE.upper()}).json()
    assert share["cpl_college"] == COLLEGE
    view = c.get(f"/shares/{share['token']}").json()
    assert [e["course"]["code"] for e in view["cpl"]["eligible"]] == ["BIO 45"]
    # only the shared record counts: the unshared NV-0702-0013 is not listed as also articulating
    assert view["cpl"]["eligible"][0]["also_articulated_by"] == []
    assert "holder" not in view["cpl"]
    page = c.get(f"/shares/{share['token']}.html").text
    assert f"Credit for prior learning at {COLLEGE}" in page and "BIO 45" in page
    evidence = view["cpl"]["eligible"][0]["earned_by"]["evidence"]
    assert evidence.startswith("Joint Services Transcript") and f"read from: {evidence}" in page

    plain = c.post(f"/holders/{holder['id']}/shares", headers=me, json={"record_ids": [ace["NV-0702-0014"]]}).json()
    assert "cpl" not in c.get(f"/shares/{plain['token']}").json()


def test_an_import_that_stores_no_rule_is_refused_not_created(client):
    """Every row rejected, or a header only: it answered 201 Created with nothing stored."""
    c, _app = client
    url = "/colleges/Version College/articulations"

    def post(name: str, rows) -> dict:
        data = rows if isinstance(rows, bytes) else json.dumps(rows).encode()
        return c.post(url, headers=ADMIN, files={"file": (name, data, "application/octet-stream")})

    bad = [{"course": "X 1", "units": 1, "ace_id": "NV-0702-0014", "ace_version": "VO2"},
           {"course": "X 2", "units": 1, "ace_id": "NER-HM-005", "min_pay_grade": "E-55"}]
    rejected = [{"row": 1, "reason": "ace_version 'VO2' is not an ACE course version (V01, V02, ...)"},
                {"row": 2,
                 "reason": "min_pay_grade: 'E-55' is not a pay grade (E-1 to E-9, W-1 to W-5 or O-1 to O-10)"}]
    r = post("v.json", bad)
    assert r.status_code == 422
    assert r.json() == {"detail": "v.json: nothing imported for Version College: every row was rejected (2 row(s))",
                        "kind": "malformed", "rejected": rejected}
    r = post("rules.csv", b"course,ace_id,ace_version\n")
    assert r.status_code == 422
    assert r.json() == {"detail": "rules.csv: nothing imported for Version College: the file has no articulation rows",
                        "kind": "malformed", "rejected": []}
    assert c.get("/colleges", headers=ADMIN).json() == []
    # some rows stored: created, with the rows rejected listed
    r = post("v.json", [*bad, {"course": "X 3", "units": 1, "ace_id": "NV-0702-0014", "ace_version": "V02"}])
    assert r.status_code == 201
    assert r.json() == {"college": "Version College", "format": "hub", "rules_new": 1, "rules_updated": 0,
                        "rules_unchanged": 0, "courses_new": 1, "rejected": rejected}
