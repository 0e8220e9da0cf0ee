"""Every error answers one shape, {"detail", "kind", ...}, and the OpenAPI document says so."""

from __future__ import annotations

from pathlib import Path

import httpx
import jsonschema
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hub_server import ADMIN_KEY, DATA, running_hub
from plugin_samples import plugin_sample

from passport_hub.config import Settings
from passport_hub.service import auth, cpl, routes_admin, routes_holders, routes_shares
from passport_hub.service.app import create_app
from passport_hub.testing.loopback import LoopbackIssuer, Reply

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
BADGE = DATA / "wgu_aws_cloud_devops.ob3.unsigned.json"
LIMIT = 50_000
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


def _error_body_validator(spec: dict) -> jsonschema.Draft202012Validator:
    """ErrorBody as the served document defines it (its $refs resolved within that document)."""
    return jsonschema.Draft202012Validator({**ERROR_BODY, "components": spec["components"]})


def _documented_error(spec: dict, method: str, template: str, status: int) -> dict:
    return spec["paths"][template][method.lower()]["responses"][str(status)]["content"]["application/json"]["schema"]


def test_every_kind_of_error_answers_the_documented_shape(hub_db_url, tmp_path):
    with running_hub(hub_db_url, tmp_path, PASSPORT_HUB_MAX_DOCUMENT_BYTES=str(LIMIT)) as base, \
            httpx.Client(base_url=base, timeout=30) as c:
        spec = c.get("/openapi.json").json()
        validator = _error_body_validator(spec)
        # the schema is strict enough to fail: kind is required and one of the documented ones
        assert not validator.is_valid({"detail": "holder not found"})
        assert not validator.is_valid({"detail": "holder not found", "kind": "nonsense"})

        r = c.post("/holders", headers=ADMIN)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        with open(BADGE, "rb") as fh:
            [record] = c.post(f"/holders/{holder}/documents", headers=me, files={"file": ("b.json", fh)}).json()[
                "records"]
        share = c.post(f"/holders/{holder}/shares", headers=me, json={"record_ids": [record["id"]]}).json()
        assert c.delete(f"/holders/{holder}/shares/{share['id']}", headers=me).status_code == 204
        docs, fetch = f"/holders/{holder}/documents", f"/holders/{holder}/fetch"

        def streamed():  # no Content-Length: the limit is found while the body streams in
            yield b"--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
            for _ in range(200):
                yield b"x" * 1024

        # (method, URL, the operation's path template, request options, status, kind)
        cases = [
            ("GET", "/holders/h_0000000000000000", "/holders/{holder_id}", {"headers": ADMIN}, 404, "not_found"),
            ("GET", "/holders", "/holders", {"headers": {"Authorization": "Bearer phh_not-a-token"}}, 401, "auth"),
            ("GET", "/holders", "/holders", {}, 401, "auth"),
            ("GET", "/holders", "/holders", {"headers": me}, 403, "auth"),
            ("GET", f"/holders/{holder}/records?kind=nonsense", "/holders/{holder_id}/records", {"headers": me},
             422, "invalid_request"),
            ("POST", f"/holders/{holder}/shares", "/holders/{holder_id}/shares",
             {"headers": me | {"Content-Type": "application/json"}, "content": b"{not json"}, 422, "invalid_request"),
            ("POST", "/holders", "/holders", {"headers": ADMIN, "json": {"display_name": "x" * (1024 * 1024)}},
             413, "too_large"),
            ("POST", docs, "/holders/{holder_id}/documents",
             {"headers": me, "files": {"file": ("big.json", b"{" + b" " * (LIMIT + 70_000) + b"}")}}, 413, "too_large"),
            ("POST", docs, "/holders/{holder_id}/documents",
             {"headers": me | {"Content-Type": "multipart/form-data; boundary=abc"}, "content": streamed()},
             413, "too_large"),
            ("POST", docs, "/holders/{holder_id}/documents",
             {"headers": me, "files": {"file": ("big.json", b"{" + b" " * (LIMIT + 10) + b"}")}}, 413, "too_large"),
            ("POST", docs, "/holders/{holder_id}/documents", {"headers": me, "json": {"file": "x"}},
             415, "unsupported_media_type"),
            ("POST", docs, "/holders/{holder_id}/documents",
             {"headers": me | {"Content-Type": "multipart/form-data"}, "content": b"--x\r\n"}, 400, "invalid_request"),
            ("POST", docs, "/holders/{holder_id}/documents", {"headers": me, "files": {"other": ("a.json", b"{}")}},
             422, "invalid_request"),
            ("POST", docs, "/holders/{holder_id}/documents",
             {"headers": me, "files": {"file": ("junk.bin", b"\x00\x01 not a credential")}}, 422, "unrecognized"),
            ("GET", f"/shares/{share['token']}", "/shares/{token}", {}, 410, "gone"),
            ("GET", "/shares/phs_unknown", "/shares/{token}", {}, 404, "not_found"),
            # PassportHubErrors: their own kinds
            ("POST", fetch, "/holders/{holder_id}/fetch", {"headers": me, "json": {"source": "nope"}}, 404,
             "not_found"),
            # a source that only reads files cannot fetch: the caller's mistake, no setting the hub lacks (`config`)
            ("POST", fetch, "/holders/{holder_id}/fetch", {"headers": me, "json": {"source": "etranscript"}}, 422,
             "invalid_request"),
            # answered before any route: by the middleware or by Starlette's routing
            ("GET", f"/holders/{holder}/records?q=%00", "/holders/{holder_id}/records", {"headers": me},
             400, "invalid_request"),
            ("DELETE", "/health", None, {}, 405, "invalid_request"),
            ("GET", "/no/such/path", None, {}, 404, "not_found"),
        ]
        for method, url, template, options, status, kind in cases:
            r = c.request(method, url, **options)
            assert r.status_code == status, (method, url, r.text)
            body = r.json()
            assert body["kind"] == kind and body["detail"], (method, url, body)
            validator.validate(body)
            if template:
                assert _documented_error(spec, method, template, status) == ERROR_BODY, (method, template, status)

        # the extras, and the headers that go with some statuses
        r = c.get("/holders", headers={"Authorization": "Bearer phh_not-a-token"})
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.json() == {"detail": "a valid admin API key or holder token is required", "kind": "auth"}
        r = c.get(f"/holders/{holder}/records", headers=me, params={"kind": "nonsense"})
        assert r.json()["detail"].startswith("invalid request: query.kind: ")
        assert [e.split(":")[0] for e in r.json()["errors"]] == ["query.kind"]
        r = c.get(f"/shares/{share['token']}")
        assert r.json()["state"] == "revoked" and "revoked by the holder" in r.json()["detail"]
        assert set(r.json()) == {"detail", "kind", "state"}
        r = c.post("/holders", headers=ADMIN, json={"display_name": "x" * (1024 * 1024)})
        assert r.json()["detail"] == "request body is over the limit of 1,048,576 bytes"
        assert r.headers["connection"] == "close"
        # an upload is refused by the document limit the user set, whether the body or the file is over it
        r = c.post(docs, headers=me, files={"file": ("big.json", b"{" + b" " * (LIMIT + 70_000) + b"}")})
        assert r.json()["detail"] == "the upload is over the limit of 50,000 bytes for a document " \
                                     "(PASSPORT_HUB_MAX_DOCUMENT_BYTES)"
        r = c.post(docs, headers=me, files={"file": ("big.json", b"{" + b" " * (LIMIT + 10) + b"}")})
        assert r.json()["detail"] == "big.json: over the limit of 50,000 bytes (PASSPORT_HUB_MAX_DOCUMENT_BYTES)"
        assert "GET" in c.delete("/health").headers["allow"]


@pytest.fixture
def app(hub_db_url, tmp_path):
    settings = Settings.from_env({"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
                                  "PASSPORT_HUB_ADMIN_API_KEY": ADMIN_KEY})
    return create_app(settings)


def _operations(spec: dict):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def _needs(route: APIRoute, dependency) -> bool:
    pending = list(route.dependant.dependencies)
    while pending:
        dep = pending.pop()
        if dep.call is dependency:
            return True
        pending.extend(dep.dependencies)
    return False


def test_authenticated_operations_document_401_and_only_they_do(app):
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
    routes = [route for module in (routes_admin, routes_holders, routes_shares, cpl) for route in module.router.routes]
    admin_only = {(method, route.path) for route in routes if isinstance(route, APIRoute) and _needs(route, auth.admin)
                  for method in route.methods}
    assert ("GET", "/plugins") in admin_only and ("POST", "/holders") in admin_only
    authenticated = set()
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        if operation.get("security"):
            authenticated.add((method, path))
            assert _documented_error(spec, method, path, 401) == ERROR_BODY, (method, path)
            assert "WWW-Authenticate" in responses["401"]["headers"], (method, path)
        else:
            assert "401" not in responses and "403" not in responses, (method, path)
        assert ("403" in responses) == ((method, path) in admin_only), (method, path)
        if "403" in responses:
            assert _documented_error(spec, method, path, 403) == ERROR_BODY
    public = {(m, p) for m, p, _op in _operations(spec)} - authenticated
    assert public == {("GET", "/health"), ("GET", "/ns/passport-hub-v1.jsonld"), ("GET", "/shares/{token}"),
                      ("GET", "/shares/{token}.html")}
    assert len(authenticated) > 20


def test_operations_with_input_document_422_and_no_other_error_shape(app):
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
    # FastAPI's own 422 body ({"detail": [...]}) is not what the API answers: it is documented nowhere
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", ())):
            assert _documented_error(spec, method, path, 422) == ERROR_BODY, (method, path)
        if "{holder_id}" in path:
            assert _documented_error(spec, method, path, 404) == ERROR_BODY, (method, path)
        for status in ("400", "500", "default"):
            assert responses[status]["content"]["application/json"]["schema"] == ERROR_BODY, (method, path, status)
        for status, response in responses.items():
            if status.startswith(("4", "5")) and "application/json" in response.get("content", {}):
                assert response["content"]["application/json"]["schema"] == ERROR_BODY, (method, path, status)
    # the share page answers its own 404 and 410 in HTML, and claims no 422: any token is a lookup
    page = spec["paths"]["/shares/{token}.html"]["get"]["responses"]
    assert set(page["404"]["content"]) == set(page["410"]["content"]) == {"text/html"}
    assert "422" not in page
    view = spec["paths"]["/shares/{token}"]["get"]["responses"]
    assert set(view["410"]["content"]) == {"application/json", "text/html"}


NO_MATCH = Path(__file__).resolve().parent.parent / "plugins" / "red_cross" / "tests" / "data" / \
    "lookup_certnumber_no_match.html"


def test_a_document_or_issuer_answer_naming_no_credential_is_422_and_404_stays_a_missing_holder(hub_db_url, tmp_path,
                                                                                                monkeypatch):
    # the Red Cross lookup's no-match answer: uploaded as a saved page, and answered by the issuer to a fetch
    no_match = NO_MATCH.read_bytes()
    with LoopbackIssuer([Reply(200, body=no_match, content_type="text/html")]) as issuer:
        settings = Settings.from_env({
            "PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url,
            "PASSPORT_HUB_ADMIN_API_KEY": ADMIN_KEY, "PASSPORT_HUB_ALLOW_PRIVATE_HOSTS": "1",
            "PASSPORT_HUB_RED_CROSS_LOOKUP_URL": issuer.url("/lookup")})
        with TestClient(create_app(settings)) as c:
            r = c.post("/holders", headers=ADMIN)
            holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}

            r = c.post(f"/holders/{holder}/documents", headers=me, files={"file": (NO_MATCH.name, no_match)})
            assert (r.status_code, r.json()) == (422, {
                "detail": "lookup_certnumber_no_match.html: the Red Cross lookup found no certificate for this search",
                "kind": "not_found"})
            configs_built = []  # the fetch uses the config the hub's import already built
            built = Settings.component_config
            monkeypatch.setattr(Settings, "component_config",
                                lambda self, name, model: configs_built.append(name) or built(self, name, model))
            r = c.post(f"/holders/{holder}/fetch", headers=me,
                       json={"source": "red_cross", "query": {"certificate_id": "0SYN0A1"}})
            assert configs_built == []
            assert (r.status_code, r.json()) == (422, {
                "detail": "red_cross_lookup_0SYN0A1.html: the Red Cross lookup found no certificate for this search",
                "kind": "not_found"})
            assert "certnumber=0SYN0A1" in issuer.requests[0].query
            assert c.get(f"/holders/{holder}/records", headers=me).json() == []

            # 404 still means what the request names is missing: the holder, or the source asked to fetch
            r = c.post("/holders/h_0000000000000000/documents", headers=ADMIN,
                       files={"file": (NO_MATCH.name, no_match)})
            assert (r.status_code, r.json()) == (404, {"detail": "holder not found", "kind": "not_found"})
            r = c.post(f"/holders/{holder}/fetch", headers=me, json={"source": "nosuch", "query": {"a": "b"}})
            assert r.status_code == 404 and r.json()["detail"].startswith("no source named 'nosuch'")
            assert len(issuer.requests) == 1
            # a saved page saying the issuer refused the lookup reads no better on a retry: 422, not 503
            denied = NO_MATCH.with_name("lookup_access_denied.html")
            r = c.post(f"/holders/{holder}/documents", headers=me, files={"file": (denied.name, denied.read_bytes())})
            assert (r.status_code, r.json()["kind"]) == (422, "unavailable")

            spec = c.get("/openapi.json").json()
    for path in ("/holders/{holder_id}/documents", "/holders/{holder_id}/fetch"):
        responses = spec["paths"][path]["post"]["responses"]
        assert "names no credential (`not_found`)" in responses["422"]["description"]
        assert "names no credential is 422" in responses["404"]["description"]


def test_only_a_request_that_does_not_validate_lists_errors_and_415_is_only_for_uploads(app):
    with TestClient(app) as c:
        r = c.post("/holders", headers=ADMIN)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        docs = f"/holders/{holder}/documents"
        # a JSON endpoint given a body that is not JSON, whatever it is labelled: 422 listing the problem
        for label, body in (("application/json", b"{not json"), ("text/plain", b"hello"), ("multipart/form-data", b"")):
            r = c.post(f"/holders/{holder}/shares", headers=me | {"Content-Type": label}, content=body)
            assert (r.status_code, r.json()["kind"]) == (422, "invalid_request"), label
            assert r.json()["errors"] and all(e.startswith("body") for e in r.json()["errors"]), label
        # the other 422s carry no `errors`: an upload without its `file` part, a document the hub cannot use
        r = c.post(docs, headers=me, files={"other": ("badge.json", BADGE.read_bytes())})
        assert (r.status_code, r.json()) == (422, {
            "detail": "the multipart body needs a `file` part holding the document", "kind": "invalid_request"})
        r = c.post(docs, headers=me, files={"file": ("junk.bin", b"\x00\x01 not a credential")})
        assert r.status_code == 422 and set(r.json()) == {"detail", "kind"} and r.json()["kind"] == "unrecognized"
        # 415 is a document upload that is not multipart
        r = c.post(docs, headers=me, json={"file": "x"})
        assert (r.status_code, r.json()["kind"]) == (415, "unsupported_media_type")
        spec = c.get("/openapi.json").json()
    described = spec["paths"]["/holders/{holder_id}/documents"]["post"]["responses"]["422"]["description"]
    assert described.startswith("Parameters or a JSON body that do not validate (`invalid_request`; `errors` lists "
                                "each problem), an upload without its `file` part (`invalid_request`)")
    assert spec["components"]["schemas"]["ErrorBody"]["properties"]["errors"]["description"].startswith(
        "`invalid_request` (422) for parameters or a JSON body that do not validate")


def test_export_resolves_record_ids_as_the_cli_does_and_names_every_one_the_holder_has_not(app):
    """An export's record ids are resolved as `passport-hub export` and Hub.export resolve them,
    among the holder's own records: none is dropped silently, as none is for verify."""
    transcript = plugin_sample("etranscript", "pesc-edexchange-json_sacramento-city-college_unprefixed-root.json")
    with TestClient(app) as c:
        holders = []
        for sample in (transcript, BADGE):
            r = c.post("/holders", headers=ADMIN)
            holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
            r = c.post(f"/holders/{holder}/documents", headers=me, files={"file": (sample.name, sample.read_bytes())})
            assert r.status_code == 201, r.text
            holders.append((holder, me, r.json()["records"]))
        (maria, me, courses), (_other, _, [badge]) = holders
        algebra = next(r["id"] for r in courses if r["achievement"]["title"] == "Intermediate Algebra")
        export = f"/holders/{maria}/export"

        def exported(*ids):
            return c.get(export, headers=me, params={"format": "json-resume", "record_id": list(ids)})

        # another holder's record is one this holder does not have, like an id no record has
        r = exported(algebra, "rec_bogus", badge["id"])
        assert (r.status_code, r.json()) == (404, {
            "detail": f"no records 'rec_bogus', '{badge['id']}' for holder '{maria}'", "kind": "not_found"})
        r = c.post(f"/holders/{maria}/verify", headers=me, json={"record_ids": [algebra, "rec_bogus"]})
        assert r.status_code == 404 and "rec_bogus" in r.json()["detail"]

        r = exported(algebra[:12])  # shortened as the CLI's tables show ids
        assert r.status_code == 200, r.text
        [course] = r.json()["education"]
        assert (course["x-passport-credentialId"], course["institution"], course["score"]) == (
            algebra, "Sacramento City College", "B")
        r = exported("rec_")
        assert r.status_code == 422 and r.json()["kind"] == "ambiguous"
        assert r.json()["detail"].startswith("'rec_' begins several record ids (")
        assert len(c.get(export, headers=me, params={"format": "json-resume"}).json()["education"]) == 7
        # nothing to export is no empty CLR (its schema wants one credential at least): 404, as for Hub.export
        r = c.post("/holders", headers=ADMIN)
        empty, token = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        r = c.get(f"/holders/{empty}/export", headers=token, params={"format": "clr"})
        assert (r.status_code, r.json()) == (404, {"detail": f"no records for holder '{empty}'", "kind": "not_found"})


def test_a_fetch_query_is_bounded_and_a_bad_id_is_quoted_short(app):
    """The terms of a fetch are bounded as every other string a client sends, and neither a bound
    nor the source's own refusal echoes the whole input (it was a 100,107-character detail)."""
    with TestClient(app) as c:
        r = c.post("/holders", headers=ADMIN)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        fetch = f"/holders/{holder}/fetch"
        for query, where in (({"certificate_id": "A" * 100_000}, "body.query.certificate_id: "),
                             ({"K" * 100_000: "02AK63B"}, "body.query." + "K" * 40 + "…"),
                             ({f"k{i}": "v" for i in range(21)}, "body.query: ")):
            r = c.post(fetch, headers=me, json={"source": "red_cross", "query": query})
            assert (r.status_code, r.json()["kind"]) == (422, "invalid_request"), r.text[:300]
            assert len(r.text) < 1000 and r.json()["errors"][0].startswith(where), r.text[:300]
        # within the bounds, the source's refusal quotes the beginning of what is no certificate ID
        r = c.post(fetch, headers=me, json={"source": "red_cross", "query": {"certificate_id": "A" * 2000}})
        assert (r.status_code, r.json()) == (422, {
            "detail": f"red_cross: {'A' * 40!r}… is not a Red Cross certificate ID (6 or 7 letters and digits, "
                      "as printed on the certificate)", "kind": "malformed"})
        r = c.post(fetch, headers=me, json={"source": "red_cross", "query": {"certificate_id": "  12 "}})
        assert r.json()["detail"].startswith("red_cross: '12' is not a Red Cross certificate ID")
        # a source that only reads files: the caller's mistake (422), not a setting the hub lacks (400 `config`)
        r = c.post(fetch, headers=me, json={"source": "etranscript", "query": {"certificate_id": "02AK63B"}})
        assert (r.status_code, r.json()["kind"]) == (422, "invalid_request")
        assert r.json()["detail"].startswith("source 'etranscript' reads files only and cannot fetch (sources that "
                                             "fetch: ")
        # terms the source cannot use are the source's own 422
        r = c.post(fetch, headers=me, json={"source": "red_cross", "query": {"certnum": "02AK63B"}})
        assert (r.status_code, r.json()) == (422, {
            "detail": "red_cross: fetch needs certificate_id=<ID> or email=<address>", "kind": "malformed"})
        spec = c.get("/openapi.json").json()
    query = spec["components"]["schemas"]["FetchRequest"]["properties"]["query"]
    assert query["maxProperties"] == 20 and query["propertyNames"]["maxLength"] == 100
    assert [v["maxLength"] for v in query["patternProperties"].values()] == [2000]
    responses = spec["paths"]["/holders/{holder_id}/fetch"]["post"]["responses"]
    assert "a fetch from a source that only reads files (`invalid_request`)" in responses["422"]["description"]
    assert "(`config`)" in responses["400"]["description"] and "cannot do" not in responses["400"]["description"]


def test_a_query_parameter_an_operation_does_not_take_is_refused_by_name(app):
    """A misspelt parameter is no longer ignored: `record_ids` (the name of the verify and share
    bodies' field) exported every record."""
    with TestClient(app) as c:
        r = c.post("/holders", headers=ADMIN)
        holder, me = r.json()["id"], {"Authorization": f"Bearer {r.json()['token']}"}
        [record] = c.post(f"/holders/{holder}/documents", headers=me,
                          files={"file": (BADGE.name, BADGE.read_bytes())}).json()["records"]
        export = f"/holders/{holder}/export"
        r = c.get(export, headers=me, params={"format": "ob3", "record_ids": record["id"][:10]})
        assert (r.status_code, r.json()) == (422, {
            "detail": "invalid request: query.record_ids: unknown parameter; did you mean 'record_id'?",
            "kind": "invalid_request", "errors": ["query.record_ids: unknown parameter; did you mean 'record_id'?"]})
        r = c.get(export, headers=me, params={"format": "ob3", "foo": "bar", "Link": "x"})
        assert r.status_code == 422 and r.json()["errors"] == [
            "query.foo: unknown parameter (this operation takes format, link, record_id)",
            "query.Link: unknown parameter; did you mean 'link'?"]
        assert c.get(export, headers=me, params={"format": "ob3", "record_id": record["id"][:10]}).status_code == 200
        # a client's cache-buster (jQuery's cache: false) names nothing and is let through
        busted = c.get(export, headers=me, params={"format": "ob3", "record_id": record["id"][:10], "_": "1733300000"})
        assert busted.status_code == 200 and busted.json() == c.get(export, headers=me, params={
            "format": "ob3", "record_id": record["id"][:10]}).json()
        # every operation a caller authenticates for, the admin's, the holder's and the colleges' alike
        for url, params, named in (
                (f"/holders/{holder}", {"x": "1"}, "query.x: unknown parameter (this operation takes none)"),
                (f"/holders/{holder}/records", {"kinds": "course"}, "query.kinds: unknown parameter; did you mean "
                                                                   "'kind'?"),
                (f"/holders/{holder}/cpl", {"college": "X", "colege": "X"}, "query.colege: unknown parameter; did you "
                                                                           "mean 'college'?"),
                ("/holders", {"limt": "1"}, "query.limt: unknown parameter; did you mean 'limit'?"),
                ("/catalog", {"query": "aws"}, "query.query: unknown parameter (this operation takes limit, offset, "
                                               "q)"),
                ("/colleges", {"q": "x"}, "query.q: unknown parameter (this operation takes none)")):
            r = c.get(url, headers=me if url.startswith(f"/holders/{holder}") else ADMIN, params=params)
            assert (r.status_code, r.json()["errors"]) == (422, [named]), (url, r.text)
        assert c.post(f"/holders/{holder}/verify?record_id=x", headers=me).status_code == 422
        # who may not call the operation learns that first, as before
        assert c.get("/holders?limt=1").status_code == 401
        assert c.get("/holders?limt=1", headers=me).status_code == 403
        # the share views need no login and stay as lenient as a link pasted around has to be
        share = c.post(f"/holders/{holder}/shares", headers=me, json={"record_ids": [record["id"]]}).json()
        for params in ({"format": "html"}, {"format": "html", "utm_source": "newsletter"}):
            r = c.get(f"/shares/{share['token']}", params=params)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), params
        assert c.get(f"/shares/{share['token']}", params={"format": "json"}).json()["records"][0]["id"] == record["id"]
        spec = c.get("/openapi.json").json()
    # the check adds no parameter to any operation
    export_op = spec["paths"]["/holders/{holder_id}/export"]["get"]
    assert sorted(p["name"] for p in export_op["parameters"]) == ["format", "holder_id", "link", "record_id"]
    assert "unknown" not in str(spec["paths"]["/shares/{token}"]["get"].get("parameters"))


def test_a_body_that_is_not_json_is_said_to_be_so_and_where(app):
    """Was "body.0: JSON decode error": neither what was wrong nor where."""
    with TestClient(app) as c:
        r = c.post("/holders", headers=ADMIN)
        holder = r.json()["id"]
        me = {"Authorization": f"Bearer {r.json()['token']}", "Content-Type": "application/json"}
        for body, said in ((b"record_ids=abc", "Expecting value, at character 0"),
                           (b'{"record_ids": ["rec_1",', "Expecting value, at character 24")):
            r = c.post(f"/holders/{holder}/shares", headers=me, content=body)
            assert (r.status_code, r.json()) == (422, {"detail": f"invalid request: body: not valid JSON ({said})",
                                                       "kind": "invalid_request",
                                                       "errors": [f"body: not valid JSON ({said})"]})
