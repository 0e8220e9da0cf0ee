"""credential_engine fetch: against a real HTTP server on 127.0.0.1 serving the samples as the registry would."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import passport_hub_credential_engine
import pytest
from passport_hub_credential_engine.source import CredentialEngineConfig, CredentialEngineSource
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from passport_hub.errors import AuthError, ConfigError, MalformedError, NotFoundError, TransientError
from passport_hub.http import IssuerClient

DATA = Path(__file__).parent / "data"
SAMPLES = Path(passport_hub_credential_engine.__file__).parent / "samples"


def path_of(name: str) -> Path:
    """The plugin's bundled samples, else the test-only data (non-credential and foreign documents)."""
    return SAMPLES / name if (SAMPLES / name).exists() else DATA / name
CAPELLA = "ce-53bc7e5d-d39c-4687-ac89-0474f691055d"
MBA = "ce-6977cef9-298a-4f1e-bdac-d66509887ebf"
ACCOUNTING = "ce-b75970c9-d352-46a0-b67d-3256c9cdbb31"
LIIT = "ce-f4ddd65d-f565-4537-a105-04523357f54d"
BROOKDALE = "ce-1ad923c7-7d80-4b13-81c8-e688ea8b3ccd"
MISSING = "ce-11111111-2222-3333-4444-555555555555"
API_KEY = "test-search-key-123"


def raw(name: str) -> bytes:
    return path_of(name).read_bytes()


@pytest.fixture
def server():
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


def base(server: HTTPServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def make_source(server: HTTPServer, client: dict | None = None, **config) -> CredentialEngineSource:
    cfg = CredentialEngineConfig(registry_url=base(server), search_url=base(server), **config)
    source = CredentialEngineSource(cfg)
    source.http = IssuerClient(allowed_hosts=source.allowed_hosts(), name="credential_engine", allow_private=True,
                               **(client or {}))
    return source


def run_fetch(source: CredentialEngineSource, query: dict) -> tuple[list, BaseException | None]:
    async def go():
        docs, error = [], None
        try:
            async for document in source.fetch(query):
                docs.append(document)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            error = exc
        finally:
            await source.http.aclose()
        return docs, error

    return asyncio.run(go())


def requests_to(server: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in server.log if request.path == path]


def parse_all(source, documents):
    return [entry for document in documents for entry in source.parse(document)]


def serve_registry(server: HTTPServer) -> None:
    server.expect_request(f"/graph/{CAPELLA}").respond_with_data(
        raw("capella_mba_selfdesigned_masterdegree.graph.json"), content_type="application/json")
    server.expect_request(f"/graph/{MBA}").respond_with_data("", status=404)
    server.expect_request(f"/resources/{MBA}").respond_with_data(
        raw("wgu_mba_masterdegree.resource.json"), content_type="application/json")
    server.expect_request(f"/resources/{ACCOUNTING}").respond_with_data(
        raw("wgu_bs_accounting_bachelorofsciencedegree.resource.json"), content_type="application/json")
    server.expect_request(f"/graph/{MISSING}").respond_with_data('{"errors":["not found"]}', status=404)
    server.expect_request(f"/resources/{MISSING}").respond_with_data('{"errors":["not found"]}', status=404)


def test_fetch_by_ctid_graph_then_resources_fallback(server):
    serve_registry(server)
    source = make_source(server)
    # an upper-case CTID and a registry IRI both name records; the registry is asked in lower case
    docs, error = run_fetch(
        source, {"ctid": f"{CAPELLA.upper()}, https://credentialengineregistry.org/resources/{MBA}"})
    assert error is None
    assert [d.origin for d in docs] == [f"{base(server)}/graph/{CAPELLA}", f"{base(server)}/resources/{MBA}"]
    assert [d.name for d in docs] == [f"{CAPELLA}.graph.json", f"{MBA}.resource.json"]
    entries = parse_all(source, docs)
    assert [(e.achievement.ctid, e.source.format) for e in entries] == [
        (CAPELLA, "ctdl-jsonld/graph"), (MBA, "ctdl-jsonld/resource")]
    assert len(requests_to(server, f"/graph/{CAPELLA}")) == 1
    assert len(requests_to(server, f"/graph/{MBA}")) == 1
    assert len(requests_to(server, f"/resources/{MBA}")) == 1
    assert all("Authorization" not in r.headers for r, _ in server.log)  # reading by CTID needs no key


def test_fetch_flat_resource_form_only(server):
    serve_registry(server)
    docs, error = run_fetch(make_source(server), {"ctid": ACCOUNTING, "form": "resources"})
    assert error is None
    assert [d.origin for d in docs] == [f"{base(server)}/resources/{ACCOUNTING}"]
    assert requests_to(server, f"/graph/{ACCOUNTING}") == []


def test_404_is_not_in_registry_not_a_crash(server):
    serve_registry(server)
    source = make_source(server)
    docs, error = run_fetch(source, {"ctid": f"{MISSING},{CAPELLA}"})
    assert isinstance(error, NotFoundError)
    assert MISSING in error.user_message and "not in the registry" in error.user_message
    # the record that exists still arrived, once
    assert [d.origin for d in docs] == [f"{base(server)}/graph/{CAPELLA}"]
    assert len(requests_to(server, f"/graph/{MISSING}")) == 1  # a 404 is never retried
    assert len(requests_to(server, f"/resources/{MISSING}")) == 1


def test_503_then_success_is_retried(server):
    server.expect_oneshot_request(f"/graph/{CAPELLA}").respond_with_data("busy", status=503)
    server.expect_request(f"/graph/{CAPELLA}").respond_with_data(
        raw("capella_mba_selfdesigned_masterdegree.graph.json"), content_type="application/json")
    source = make_source(server)
    docs, error = run_fetch(source, {"ctid": CAPELLA})
    assert error is None
    assert len(docs) == 1
    assert [e.achievement.ctid for e in parse_all(source, docs)] == [CAPELLA]
    assert [r.status_code for _, r in server.log] == [503, 200]


def test_registry_down_is_a_transient_error(server):
    server.expect_request(f"/graph/{CAPELLA}").respond_with_data("down", status=503)
    docs, error = run_fetch(make_source(server, client={"retries": 2}), {"ctid": CAPELLA})
    assert docs == []
    assert isinstance(error, TransientError)
    assert len(requests_to(server, f"/graph/{CAPELLA}")) == 3  # tried again twice before giving up


def _search_nodes() -> list[dict]:
    liit = json.loads(raw("liit_triple_certification_certification.search_result.json"))[0]
    brookdale = json.loads(raw("brookdale_comptia_linux_certificateofcompletion.search_result.json"))[0]
    mba = json.loads(raw("wgu_mba_masterdegree.resource.json"))
    accounting = json.loads(raw("wgu_bs_accounting_bachelorofsciencedegree.resource.json"))
    return [liit, brookdale, mba, accounting]


def serve_search(server: HTTPServer, nodes: list[dict], *, shift_after_first_page: bool = False) -> list[dict]:
    """The search API: Bearer key, Skip/Take paging, {"data", "valid", "extra": {"TotalResults"}}."""
    bodies: list[dict] = []

    def handler(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return Response('{"valid": false, "messages": ["bad key"]}', status=401,
                            content_type="application/json")
        body = request.get_json()
        body["_at"] = time.monotonic()
        bodies.append(body)
        skip, take = body["Skip"], body["Take"]
        listing = nodes
        if shift_after_first_page and skip > 0:
            # a record was published meanwhile: everything moves down one place
            listing = [nodes[0], *nodes]
        page = listing[skip:skip + take]
        answer = {"data": page, "valid": True, "extra": {"TotalResults": len(listing)}}
        return Response(json.dumps(answer), content_type="application/json")

    server.expect_request("/assistant/search/ctdl", method="POST").respond_with_handler(handler)
    return bodies


def test_search_pages_each_record_once_with_429_and_503(server):
    # first page: 503 once; second page: 429 with Retry-After once; then the real handler
    query = {
        "@type": {"search:value": "ceterms:Credential", "search:matchType": "search:subClassOf"},
        "search:termGroup": {"search:operator": "search:orTerms", "ceterms:name": "computer",
                             "ceterms:description": "computer", "ceterms:keyword": "computer"},
    }

    def page(skip):
        return {"Query": query, "Skip": skip, "Take": 2, "Sort": "^search:recordCreated"}

    server.expect_oneshot_request("/assistant/search/ctdl", method="POST", json=page(0)).respond_with_data(
        "unavailable", status=503)
    limited_at: list[float] = []

    def rate_limited(request: Request) -> Response:
        limited_at.append(time.monotonic())
        return Response("slow down", status=429, headers={"Retry-After": "1"})

    server.expect_oneshot_request("/assistant/search/ctdl", method="POST", json=page(2)).respond_with_handler(
        rate_limited)
    bodies = serve_search(server, _search_nodes(), shift_after_first_page=True)
    source = make_source(server, api_key=API_KEY, page_size=2)
    docs, error = run_fetch(source, {"query": "computer"})
    assert error is None
    entries = parse_all(source, docs)
    # page 2 repeats Brookdale (records shifted): it still arrives once
    assert [e.achievement.ctid for e in entries] == [LIIT, BROOKDALE, MBA, ACCOUNTING]
    assert len({e.id for e in entries}) == 4
    assert {e.source.format for e in entries} == {"ctdl-jsonld/resource"}
    assert [d.name for d in docs][0] == f"{LIIT}.search_result.json"
    assert [(r.get_json()["Skip"], resp.status_code) for r, resp in server.log] == [
        (0, 503), (0, 200), (2, 429), (2, 200), (4, 200)]
    assert [(b["Skip"], b["Take"]) for b in bodies] == [(0, 2), (2, 2), (4, 2)]
    assert bodies[1]["_at"] - limited_at[0] >= 0.9  # the client waited what Retry-After asked
    assert all(r.headers["Authorization"] == f"Bearer {API_KEY}" for r, _ in server.log)


def test_search_stops_at_total_and_max(server):
    bodies = serve_search(server, _search_nodes())
    docs, error = run_fetch(make_source(server, api_key=API_KEY, page_size=3), {"query": "wgu", "max": "2"})
    assert error is None
    assert len(docs) == 2
    assert len(bodies) == 1
    server.clear_log()
    bodies.clear()
    query = {"type": "MasterDegree", "owner": "CE-036D082D-D80E-41A7-99A0-2D63A4AD3A4A"}
    docs, error = run_fetch(make_source(server, api_key=API_KEY, page_size=2), query)
    assert error is None
    assert len(docs) == 4
    assert [(b["Skip"], b["Take"]) for b in bodies] == [(0, 2), (2, 2)]  # stopped at TotalResults
    assert bodies[0]["Query"]["@type"] == ["ceterms:MasterDegree"]
    assert bodies[0]["Query"]["ceterms:ownedBy"] == {"ceterms:ctid": "ce-036d082d-d80e-41a7-99a0-2d63a4ad3a4a"}


def test_search_with_a_wrong_key_is_an_auth_error_never_retried(server):
    serve_search(server, _search_nodes())
    source = make_source(server, api_key="wrong-key")
    docs, error = run_fetch(source, {"query": "computer"})
    assert docs == []
    assert isinstance(error, AuthError)
    assert "wrong-key" not in error.user_message
    assert len(server.log) == 1


def test_search_needs_url_and_key(server):
    source = CredentialEngineSource(CredentialEngineConfig(registry_url=base(server)))
    source.http = IssuerClient(allowed_hosts=source.allowed_hosts(), name="credential_engine", allow_private=True)
    docs, error = run_fetch(source, {"query": "x"})
    assert isinstance(error, ConfigError) and "SEARCH_URL" in error.user_message
    docs, error = run_fetch(make_source(server), {"query": "x"})
    assert isinstance(error, ConfigError) and "API_KEY" in error.user_message
    assert len(server.log) == 0


def test_bad_queries_never_reach_the_network(server):
    for query, kind in (({"ctid": "../../admin"}, MalformedError), ({"ctid": "ce-test-123"}, MalformedError),
                        ({}, ConfigError), ({"ctid": CAPELLA, "form": "envelopes"}, ConfigError)):
        docs, error = run_fetch(make_source(server), query)
        assert isinstance(error, kind), query
    assert len(server.log) == 0


def test_config_hosts_and_secret():
    cfg = CredentialEngineConfig(
        registry_url="https://sandbox.credentialengineregistry.org/",
        search_url="https://sandbox.credentialengine.org",
        api_key="s3cret",
    )
    source = CredentialEngineSource(cfg)
    assert cfg.registry_url == "https://sandbox.credentialengineregistry.org"
    assert source.allowed_hosts() == ["sandbox.credentialengineregistry.org", "sandbox.credentialengine.org"]
    assert "s3cret" not in repr(cfg) and "s3cret" not in str(cfg.model_dump())
    assert CredentialEngineSource().allowed_hosts() == ["credentialengineregistry.org"]
    with pytest.raises(ValueError):
        CredentialEngineConfig(registry_url="ftp://example.org")
    schema = CredentialEngineConfig.model_json_schema()
    assert {"registry_url", "search_url", "api_key"} <= set(schema["properties"])


def test_check_never_raises(server):
    server.expect_request("/resources/ce-00000000-0000-0000-0000-000000000000").respond_with_data("", status=404)
    serve_search(server, _search_nodes())

    async def check(source):
        try:
            return await source.check()
        finally:
            if source.http is not None:
                await source.http.aclose()

    result = asyncio.run(check(make_source(server, api_key=API_KEY)))
    assert result.ok and "HTTP 404" in result.message and "accepted the key" in result.message
    bad = asyncio.run(check(make_source(server, api_key="nope")))
    assert not bad.ok and bad.error_kind == "auth"
    no_client = asyncio.run(check(CredentialEngineSource()))
    assert not no_client.ok and no_client.error_kind == "config"
    down = CredentialEngineSource(CredentialEngineConfig(registry_url="http://127.0.0.1:9"))
    down.http = IssuerClient(allowed_hosts=down.allowed_hosts(), name="credential_engine", allow_private=True,
                             timeout=1.0, retries=0)
    result = asyncio.run(check(down))
    assert not result.ok and result.error_kind == "transient"


def test_cli_fetch_through_the_core(server, tmp_path, monkeypatch):
    """`passport-hub fetch credential_engine ctid=...` with the config from the environment."""
    from click.testing import CliRunner

    from passport_hub.cli import main

    serve_registry(server)
    monkeypatch.setenv("PASSPORT_HUB_HOME", str(tmp_path))
    monkeypatch.setenv("PASSPORT_HUB_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("PASSPORT_HUB_CREDENTIAL_ENGINE_REGISTRY_URL", base(server))
    result = CliRunner().invoke(main, ["fetch", "credential_engine", f"ctid={CAPELLA}", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [(x["schema"], x["achievement"]["ctid"]) for x in lines] == [("passport-hub/catalog-entry@1", CAPELLA)]
    result = CliRunner().invoke(main, ["fetch", "credential_engine", f"ctid={MISSING}", "--json"])
    assert result.exit_code == 1
    assert "not in the registry" in result.output


def test_config_from_the_environment():
    from passport_hub.config import Settings

    settings = Settings.from_env({
        "PASSPORT_HUB_CREDENTIAL_ENGINE_REGISTRY_URL": "https://sandbox.credentialengineregistry.org",
        "PASSPORT_HUB_CREDENTIAL_ENGINE_SEARCH_URL": "https://sandbox.credentialengine.org/",
        "PASSPORT_HUB_CREDENTIAL_ENGINE_API_KEY": "env-key-42",
    })
    cfg = settings.component_config("credential_engine", CredentialEngineConfig)
    assert cfg.registry_url == "https://sandbox.credentialengineregistry.org"
    assert cfg.search_url == "https://sandbox.credentialengine.org"
    assert cfg.api_key.get_secret_value() == "env-key-42"
    assert "env-key-42" not in repr(cfg)
