"""The share view's fast path (stored JSON, one query) answers exactly what the model path
would, audits every view, and re-verifies stale records once for concurrent viewers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hub_server import ADMIN_KEY, DATA
from plugin_samples import plugin_sample
from starlette.testclient import TestClient

from passport_hub.config import Settings
from passport_hub.model import Check, Verification
from passport_hub.service import routes_shares
from passport_hub.service.app import create_app

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
TRANSCRIPT = plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
BADGE = DATA / "wgu_aws_cloud_devops.ob3.unsigned.json"


@pytest.fixture
def hub(hub_db_url, tmp_path):
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": ADMIN_KEY,
                                  "PASSPORT_HUB_SHARE_VERIFY_MAX_AGE": "3600"})
    app = create_app(settings)
    with TestClient(app, headers={"User-Agent": "Viewer/1.0"}) as client:
        r = client.post("/holders", headers=ADMIN)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        ids = []
        for path, pick in ((TRANSCRIPT, 1), (BADGE, 0)):
            with open(path, "rb") as fh:
                r = client.post(f"/holders/{holder}/documents", headers=me, files={"file": (path.name, fh)})
            assert r.status_code == 201, r.text
            ids.append(r.json()["records"][pick]["id"])
        r = client.post(f"/holders/{holder}/shares", headers=me, json={"record_ids": ids})
        yield app, client, holder, me, ids, r.json()["token"]


def _model_view(app, holder, ids):
    """What the view showed when it validated every record through the model."""
    out = []
    for record in app.state.hub.store.records(holder, ids):
        data = record.to_json_dict()
        if holder := data.get("holder"):
            data["holder"] = {k: v for k, v in holder.items() if k in ("name", "given_name", "family_name")}
        data["credential_valid_until"] = data.get("expires_on")
        out.append(data)
    return out


def test_view_matches_the_model_path_and_audits_every_view(hub):
    app, client, holder, me, ids, token = hub
    first = client.get(f"/shares/{token}")  # nothing verified yet: verifies now
    assert first.status_code == 200
    second = client.get(f"/shares/{token}")  # fresh enough: reused
    assert second.json()["records"] == first.json()["records"]
    assert second.json()["records"] == _model_view(app, holder, ids)
    assert [r["id"] for r in second.json()["records"]] == ids
    for rec in second.json()["records"]:
        assert rec["verification"]["checks"] and "birth_date" not in rec.get("holder", {})
    page = client.get(f"/shares/{token}.html")
    assert page.status_code == 200 and page.text.count("<section") == 2
    # a person's records, reached by a token in the URL: kept by no cache, sent to no other site
    for view in (first, page):
        assert (view.headers["cache-control"], view.headers["referrer-policy"]) == ("no-store", "no-referrer")
    events = client.get(f"/holders/{holder}/audit", headers=me).json()
    assert [(e["action"], e["format"], e["user_agent"]) for e in events] == [
        ("share.viewed", "html", "Viewer/1.0"), ("share.viewed", "json", "Viewer/1.0"),
        ("share.viewed", "json", "Viewer/1.0")]
    assert all(sorted(e["records"]) == sorted(ids) for e in events)
    # a format a pasted link picked up is no reason to refuse it: as if absent (JSON unless Accept asks for HTML)
    odd = client.get(f"/shares/{token}", params={"format": "pdf"})
    assert odd.status_code == 200 and odd.json()["records"] == second.json()["records"]
    assert "<section" in client.get(f"/shares/{token}", params={"format": "pdf"}, headers={"Accept": "text/html"}).text


def test_stale_verification_is_redone_once_for_concurrent_views(hub, monkeypatch):
    app, client, holder, me, ids, token = hub
    state = app.state.hub
    calls = []

    async def fake_verify(registry, settings, store, rows, **kw):
        calls.append([pk for pk, _r in rows])
        await asyncio.sleep(0.05)
        now = datetime.now(UTC)
        out = {}
        for pk, record in rows:
            v = Verification(status="verified", checked_at=now, checks=[Check(name="fake", status="passed")])
            store.add_verification(pk, v)
            out[record.id] = v
        return out

    monkeypatch.setattr("passport_hub.verify.verify_stored", fake_verify)
    state.share_verify_max_age = 0.0
    _info, rows = state.repo.open_share(token)

    async def views():
        return await asyncio.gather(*(routes_shares._reverify(state, rows) for _ in range(8)))

    results = asyncio.run(views())
    assert len(calls) == 1 and sorted(calls[0]) == sorted(r.pk for r in rows)
    assert all(set(res) == {r.pk for r in rows} for res in results)
    assert state.reverifying == {}
    started = datetime.now(UTC) - timedelta(seconds=1)
    view = client.get(f"/shares/{token}").json()
    for rec in view["records"]:
        assert rec["verification"]["checks"] == [{"name": "fake", "status": "passed"}]
        assert datetime.fromisoformat(rec["verification"]["checked_at"]) >= started


JST = plugin_sample("military_jst", "jst_navy_unofficial.pdf")
CPL_RULES = DATA / "cpl" / "map_existing_articulations_sample.csv"
COLLEGE = "Fictional Valley Community College"


def test_the_shares_cpl_section_sees_the_verification_its_records_show(hub_db_url, tmp_path):
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": ADMIN_KEY})
    app = create_app(settings)
    with TestClient(app) as c:
        r = c.post("/holders", headers=ADMIN)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        with open(JST, "rb") as fh:
            assert c.post(f"/holders/{holder}/documents", headers=me, files={"file": (JST.name, fh)}).status_code == 201
        r = c.post(f"/colleges/{COLLEGE}/articulations", params={"format": "map"}, headers=ADMIN,
                   files={"file": (CPL_RULES.name, CPL_RULES.read_bytes(), "text/csv")})
        assert r.status_code == 201, r.text
        records = c.get(f"/holders/{holder}/records", headers=me).json()
        [record_id] = [rec["id"] for rec in records for i in rec["achievement"]["identifiers"]
                       if i["scheme"] == "ace" and i["value"] == "NV-0702-0014"]
        token = c.post(f"/holders/{holder}/shares", headers=me,
                       json={"record_ids": [record_id], "cpl_college": COLLEGE}).json()["token"]

        view = c.get(f"/shares/{token}").json()  # never verified: the view checks the record now
        [shown] = view["records"]
        assert shown["verification"]["status"] == "unverifiable"  # an unofficial JST copy
        [course] = view["cpl"]["eligible"]
        assert (course["course"]["code"], course["earned_by"]["record_id"]) == ("BIO 45", record_id)
        assert course["earned_by"]["verification"] == "unverifiable"
        own = c.get(f"/holders/{holder}/cpl", params={"college": COLLEGE}, headers=me).json()
        assert [e["earned_by"]["verification"] for e in own["eligible"]] == ["unverifiable"]
        page = c.get(f"/shares/{token}.html").text
        credit = page[page.index(f"Credit for prior learning at {COLLEGE}"):]
        assert "<th scope='col'>Issuer check</th>" in credit and "<td>Could not be verified</td>" in credit

        # a failed check (fresh, so the view shows it as stored) earns nothing on the share either
        pk, _record = app.state.hub.store.find_record(record_id, holder)
        failed = Verification(status="failed", checked_at=datetime.now(UTC),
                              checks=[Check(name="official_copy", status="failed")])
        app.state.hub.store.add_verification(pk, failed)
        view = c.get(f"/shares/{token}").json()
        assert view["records"][0]["verification"]["status"] == "failed"
        assert view["cpl"]["eligible"] == []
        assert [(m["course"]["code"], m["verification"], m["missing"]) for m in view["cpl"]["near_misses"]] == [
            ("BIO 45", "failed", [f"the issuer check failed on {failed.checked_at:%Y-%m-%d} (verify it again)"])]


# -- what "Verified" is said of: a hub's re-export, a key naming a well-known issuer --------------


def _ed25519_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _new_holder(c) -> tuple[str, dict]:
    r = c.post("/holders", headers=ADMIN)
    return r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}


def _upload(c, holder, me, name: str, data: bytes) -> list[dict]:
    r = c.post(f"/holders/{holder}/documents", headers=me, files={"file": (name, data)})
    assert r.status_code == 201, r.text
    return r.json()["records"]


def test_a_hub_signed_re_export_of_an_unofficial_jst_is_not_verified_as_the_navys(hub_db_url, tmp_path):
    """A new user's finding: an unofficial Navy JST course (unverifiable) exported as ob3 by a hub with
    a signing key, imported into another holder's wallet, became 'Verified' with 'Issuer U.S. Navy' on
    the share page and 'issuer check: verified' for CPL, because the hub's own signature passed."""
    import html

    from passport_hub.exports.signing import Signer

    (tmp_path / "hub.pem").write_bytes(_ed25519_pem())
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": ADMIN_KEY,
                                  "PASSPORT_HUB_SIGNING_KEY_FILE": str(tmp_path / "hub.pem")})
    with TestClient(create_app(settings)) as c:
        r = c.post(f"/colleges/{COLLEGE}/articulations", params={"format": "map"}, headers=ADMIN,
                   files={"file": (CPL_RULES.name, CPL_RULES.read_bytes(), "text/csv")})
        assert r.status_code == 201, r.text
        first, first_auth = _new_holder(c)
        _upload(c, first, first_auth, JST.name, JST.read_bytes())
        wallet = c.get(f"/holders/{first}/export", params={"format": "ob3"}, headers=first_auth)
        assert wallet.is_success and all(isinstance(jwt, str) for jwt in wallet.json())  # signed by the hub
        hub_did = Signer.from_pem((tmp_path / "hub.pem").read_bytes()).issuer  # the hub's did:key

        second, second_auth = _new_holder(c)
        _upload(c, second, second_auth, "wallet.ob3.json", wallet.content)
        [course] = [rec for rec in c.get(f"/holders/{second}/records", headers=second_auth).json()
                    for i in rec["achievement"]["identifiers"] if i["scheme"] == "ace" and i["value"] == "NV-0702-0014"]
        assert course["issuer"]["name"] == "U.S. Navy" and course["source"]["copy_of"]
        token = c.post(f"/holders/{second}/shares", headers=second_auth,
                       json={"record_ids": [course["id"]], "cpl_college": COLLEGE}).json()["token"]

        [shown] = c.get(f"/shares/{token}").json()["records"]
        checks = {check["name"]: check for check in shown["verification"]["checks"]}
        assert shown["verification"]["status"] == "unverifiable"
        assert checks["signature"]["status"] == "not_checked"
        assert checks["signature"]["detail"].startswith("hub_export: ")
        assert checks["export_signature"]["status"] == "passed"  # the hub's signature is still checked
        assert checks["export_signature"]["detail"].startswith(f"valid: signed by the hub {hub_did} that exported it")
        view = c.get(f"/shares/{token}").json()
        assert [e["earned_by"]["verification"] for e in view["cpl"]["eligible"]] == ["unverifiable"]

        page = c.get(f"/shares/{token}.html").text
        assert "Verification: Verified" not in page
        said = (f"Verification: Could not be verified: signed by the hub {hub_did} that exported it, not by "
                "U.S. Navy; verify the original, U.S. Navy's own document")
        assert html.escape(said) in page
        credit = page[page.index(f"Credit for prior learning at {COLLEGE}"):]
        assert "<td>Could not be verified: signed by the hub" in credit and ">Verified" not in credit


def test_a_self_signed_credential_naming_the_navy_says_who_signed_it(hub_db_url, tmp_path):
    """Cryptographically a valid Open Badge (a fresh key signs a credential whose issuer is its own
    did:key named 'U.S. Navy'); the page says the key signed it and the name is the credential's claim."""
    import html

    from passport_hub.exports import export_records
    from passport_hub.exports.signing import Signer
    from passport_hub.model import CredentialRecord

    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": ADMIN_KEY})
    with TestClient(create_app(settings)) as c:
        holder, me = _new_holder(c)
        _upload(c, holder, me, BADGE.name, BADGE.read_bytes())
        record = CredentialRecord.model_validate(c.get(f"/holders/{holder}/records", headers=me).json()[0])
        attacker = Signer.from_pem(_ed25519_pem())
        forged = export_records([record], "ob3")[0]
        forged.pop("passportHub")
        forged["@context"] = forged["@context"][:2]
        forged["issuer"] = {"id": attacker.issuer, "type": ["Profile"], "name": "U.S. Navy"}

        def shared(name: str, token_bytes: bytes) -> tuple[dict, dict, str]:
            """The uploaded credential as a share shows it: the record, its checks by name, the page."""
            [record] = _upload(c, holder, me, name, token_bytes)
            token = c.post(f"/holders/{holder}/shares", headers=me, json={"record_ids": [record["id"]]}).json()["token"]
            [shown] = c.get(f"/shares/{token}").json()["records"]
            checks = {check["name"]: check for check in shown["verification"]["checks"]}
            return shown, checks, c.get(f"/shares/{token}.html").text

        shown, checks, page = shared("navy.jwt", attacker.sign(forged).encode())
        # the cryptography is unchanged: the key the credential names signed it
        assert shown["verification"]["status"] == "verified" and checks["signature"]["status"] == "passed"
        assert checks["issuer_key_binding"]["status"] == "passed"
        said = (f"signed by key {attacker.issuer}; the name \"U.S. Navy\" is the credential's own claim "
                "(a bare key is tied to no organization)")
        assert checks["issuer_identity"] == {"name": "issuer_identity", "status": "not_checked",
                                             "detail": f"bare_key: {said}"}
        assert html.escape(f"Verification: Verified: {said}") in page
        assert "U.S. Navy <small>(the name the credential states; who signed it is under Verification)</small>" in page

        # the same key naming the Navy's own DID as the issuer: a valid signature, but not the Navy's key
        navy_did = Signer.from_pem(_ed25519_pem(), "did:web:navy.mil")
        assert navy_did.issuer == "did:web:navy.mil"
        forged["issuer"] = navy_did.profile() | {"name": "U.S. Navy"}
        shown, checks, page = shared("posing.jwt", navy_did.sign(forged).encode())
        assert checks["signature"]["status"] == "passed" and checks["issuer_key_binding"]["status"] == "not_checked"
        assert shown["verification"]["status"] == "unverifiable"
        assert "Verification: Could not be verified" in page and ">Verified" not in page


def test_every_answer_under_shares_is_kept_by_no_cache_the_refusals_too(hub):
    """The token is in the URL whatever the answer: an unknown or revoked link, one too long to look
    up, a URL refused before any route (a control character), a method the view does not take."""
    app, client, holder, me, ids, token = hub
    gone = client.post(f"/holders/{holder}/shares", headers=me, json={"record_ids": ids}).json()
    assert client.delete(f"/holders/{holder}/shares/{gone['id']}", headers=me).status_code == 204
    answers = {
        "unknown": client.get("/shares/nosuchtoken"),
        "unknown page": client.get("/shares/nosuchtoken.html"),
        "too long": client.get("/shares/" + "x" * 300),
        "revoked": client.get(f"/shares/{gone['token']}"),
        "revoked page": client.get(f"/shares/{gone['token']}.html"),
        "control character": client.get(f"/shares/{token}%00"),
        "method": client.post(f"/shares/{token}"),
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "unknown": 404, "unknown page": 404, "too long": 404, "revoked": 410, "revoked page": 410,
        "control character": 400, "method": 405}
    for name, r in answers.items():
        assert (r.headers.get("cache-control"), r.headers.get("referrer-policy")) == ("no-store", "no-referrer"), name
    # the holder's own routes about shares are not share views: no such rule there
    listed = client.get(f"/holders/{holder}/shares", headers=me)
    assert listed.status_code == 200 and "referrer-policy" not in listed.headers
