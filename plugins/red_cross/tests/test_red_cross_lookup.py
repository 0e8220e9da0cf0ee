"""Fetch and verify against a real HTTP server on 127.0.0.1 serving the sample fragments."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from passport_hub_red_cross.config import RedCrossConfig
from passport_hub_red_cross.ids import DEFAULT_LOOKUP_URL
from passport_hub_red_cross.source import RedCrossSource
from passport_hub_red_cross.verifier import RedCrossVerifier
from pydantic import ValidationError
from pytest_httpserver import HTTPServer
from werkzeug import Response

from passport_hub.contract import Document, VerifyContext
from passport_hub.errors import ConfigError, MalformedError, NotFoundError, UnavailableError
from passport_hub.http import IssuerClient

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "passport_hub_red_cross" / "samples"


def data_path(name: str) -> Path:
    """A fixture file: the bundled samples first (shipped with the package), then tests/data."""
    bundled = SAMPLES / name
    return bundled if bundled.exists() else DATA / name
PATH = "/on/demandware.store/Sites-RedCross-Site/default/Certificates-SearchCertificates"
TODAY = date(2026, 12, 3)


def body(name: str) -> str:
    return data_path(name).read_text()


@pytest.fixture(scope="module")
def _servers():
    main = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    other = HTTPServer(host="localhost", port=0, threaded=True)  # another host name
    main.start()
    other.start()
    yield main, other
    main.stop()
    other.stop()


@pytest.fixture
def server(_servers):
    srv = _servers[0]
    srv.clear()
    yield srv
    srv.clear()


@pytest.fixture
def other_server(_servers):
    """A second server on another host name: no request may reach it."""
    srv = _servers[1]
    srv.clear()
    srv.expect_request("/", method="GET").respond_with_data("should never be asked")
    yield srv
    srv.clear()


def html(srv: HTTPServer, name: str, status: int = 200, **match) -> None:
    srv.expect_request(PATH, method="GET", **match).respond_with_data(
        body(name), status=status, content_type="text/html; charset=utf-8"
    )


def make_source(srv: HTTPServer | None, url: str | None = None) -> RedCrossSource:
    src = RedCrossSource(RedCrossConfig(lookup_url=url or srv.url_for(PATH)))
    src.clock = lambda: TODAY
    return src


def client(hosts, *, retries: int = 2, timeout: float = 2.0) -> IssuerClient:
    return IssuerClient(allowed_hosts=hosts, name="red_cross", allow_private=True, retries=retries, timeout=timeout)


def fetch(src: RedCrossSource, query: dict, **kw) -> list[Document]:
    async def go():
        async with client(kw.pop("hosts", src.allowed_hosts()), **kw) as http:
            src.http = http
            return [d async for d in src.fetch(query)]

    return asyncio.run(go())


def verify(record, srv_or_url, **kw):
    url = srv_or_url if isinstance(srv_or_url, str) else srv_or_url.url_for(PATH)
    verifier = RedCrossVerifier(RedCrossConfig(lookup_url=url))

    async def go():
        async with client(verifier.allowed_hosts(), **kw) as http:
            ctx = VerifyContext(http=http, catalog=None, now=datetime(2026, 12, 3, 12, tzinfo=UTC))
            return await verifier.verify(record, ctx)

    checks = asyncio.run(go())
    return {c.name: c for c in checks}


def parse_file(name: str):
    src = RedCrossSource()
    src.clock = lambda: TODAY
    return list(src.parse(Document(data_path(name).read_bytes(), name=name)))


# -- fetch -----------------------------------------------------------------------------------


def test_fetch_by_certificate_id_found(server):
    html(
        server,
        "lookup_certnumber_single_valid.html",
        query_string={"certnumber": "0SYN0A1", "format": "ajax"},
        headers={
            "X-Requested-With": "XMLHttpRequest",
            "Referer": "https://www.redcross.org/take-a-class/digital-certificate",
        },
    )
    src = make_source(server)
    (document,) = fetch(src, {"certificate_id": " 0syn0a1 "})  # typed in lower case with spaces
    assert document.media_type == "text/html" and document.origin == "fetch"
    assert document.name == "red_cross_lookup_0SYN0A1.html"
    assert document.data == data_path("lookup_certnumber_single_valid.html").read_bytes()
    assert src.sniff(document)
    (record,) = list(src.parse(document))
    assert record.holder.name == "Jordan Example"
    assert record.expires_on == date(2028, 5, 12) and record.status == "active"
    assert record.id == parse_file("certificate_full_0SYN0A1.pdf")[0].id
    assert len(server.log) == 1


def test_fetch_accepts_a_pasted_qrcode_link(server):
    html(server, "lookup_certnumber_single_valid.html", query_string={"certnumber": "0SYN0A1", "format": "ajax"})
    link = "https://www.redcross.org/take-a-class/qrCode?certnumber=0SYN0A1"
    (document,) = fetch(make_source(server), {"certificate_id": link})
    assert b"0SYN0A1" in document.data


def test_fetch_by_email_gives_several_rows(server):
    html(
        server,
        "lookup_email_multiple_mixed.html",
        query_string={"email": "alex.sample@example.com", "format": "ajax"},
    )
    src = make_source(server)
    (document,) = fetch(src, {"email": "alex.sample@example.com"})
    assert "alex" not in document.name  # the email never goes into names or locators
    records = list(src.parse(document))
    assert [r.achievement.identifiers[0].value for r in records] == ["0SYN0B2", "0SYN0C3", "0SYN0D4", "0SYN0E5"]
    assert [r.status for r in records] == ["active", "expired", "active", "active"]
    assert all("alex" not in (r.source.locator or "") for r in records)


def test_fetch_not_found(server):
    html(server, "lookup_certnumber_no_match.html", query_string={"certnumber": "0SYN000", "format": "ajax"})
    with pytest.raises(NotFoundError) as info:
        fetch(make_source(server), {"certificate_id": "0SYN000"})
    assert info.value.kind == "not_found"


def test_fetch_access_denied_403_is_unavailable_and_not_retried(server):
    html(server, "lookup_access_denied.html", status=403)
    with pytest.raises(UnavailableError) as info:
        fetch(make_source(server), {"certificate_id": "0SYN0A1"})
    assert info.value.kind == "unavailable"
    assert "could not be checked" in str(info.value)
    assert len(server.log) == 1


def test_fetch_access_denied_page_served_with_200_is_unavailable(server):
    html(server, "lookup_access_denied.html", status=200)
    with pytest.raises(UnavailableError, match="Access Denied"):
        fetch(make_source(server), {"certificate_id": "0SYN0A1"})


def test_fetch_503_then_success_is_retried(server):
    server.expect_oneshot_request(PATH).respond_with_data("busy", status=503)
    html(server, "lookup_certnumber_single_valid.html")
    src = make_source(server)
    (document,) = fetch(src, {"certificate_id": "0SYN0A1"})
    assert [r.holder.name for r in src.parse(document)] == ["Jordan Example"]
    assert [resp.status_code for _req, resp in server.log] == [503, 200]


def test_fetch_503_every_time_is_unavailable_after_the_retries(server):
    server.expect_request(PATH).respond_with_data("down", status=503)
    with pytest.raises(UnavailableError, match="unavailable"):
        fetch(make_source(server), {"certificate_id": "0SYN0A1"}, retries=2)
    assert len(server.log) == 3  # first try + 2 retries


class SlowHandler:
    """Answers after ``delay`` seconds; counts requests as they arrive."""

    def __init__(self, delay: float):
        self.delay = delay
        self.started = 0
        self.finished = 0
        self.lock = threading.Lock()

    def __call__(self, request):
        with self.lock:
            self.started += 1
        time.sleep(self.delay)
        with self.lock:
            self.finished += 1
        return Response(body("lookup_certnumber_single_valid.html"), content_type="text/html")

    def drain(self) -> None:
        """Wait for cut-off requests to end, so they do not land in the next test's log."""
        deadline = time.monotonic() + 5
        while self.finished < self.started and time.monotonic() < deadline:
            time.sleep(0.05)


def test_fetch_timeout_is_unavailable_and_retried(server):
    slow = SlowHandler(1.0)
    server.expect_request(PATH).respond_with_handler(slow)
    try:
        with pytest.raises(UnavailableError, match="did not answer in time"):
            fetch(make_source(server), {"certificate_id": "0SYN0A1"}, retries=1, timeout=0.3)
        assert slow.started == 2  # first try + 1 retry, each cut off by the client's timeout
    finally:
        slow.drain()


def test_fetch_404_from_a_moved_endpoint_is_unavailable_not_not_found(server):
    html(server, "lookup_endpoint_moved_404.html", status=404)
    with pytest.raises(UnavailableError, match="endpoint may have moved") as info:
        fetch(make_source(server), {"certificate_id": "0SYN0A1"})
    assert not isinstance(info.value, NotFoundError)
    assert len(server.log) == 1


def test_fetch_changed_markup_is_malformed(server):
    html(server, "lookup_markup_changed.html")
    with pytest.raises(MalformedError, match="layout may have changed"):
        fetch(make_source(server), {"certificate_id": "0SYN0A1"})


def test_fetch_answer_for_another_certificate_is_malformed(server):
    html(server, "lookup_certnumber_single_valid.html")
    with pytest.raises(MalformedError, match="other certificates than 0SYN0Z9"):
        fetch(make_source(server), {"certificate_id": "0SYN0Z9"})


def test_fetch_rejects_bad_queries_without_asking(server):
    src = make_source(server)
    for query in (
        {"certificate_id": "12345678"},
        {"email": "not-an-email"},
        {},
        {"certificate_id": "0SYN0A1", "email": "a@b.org"},
    ):
        with pytest.raises(MalformedError):
            fetch(src, query)
    assert server.log == []


def test_no_request_leaves_the_configured_host(server, other_server):
    # the client built for the configured host refuses a lookup_url on another host
    src = make_source(None, url=other_server.url_for(PATH))
    with pytest.raises(ConfigError, match="not allowed"):
        fetch(src, {"certificate_id": "0SYN0A1"}, hosts=["127.0.0.1"])
    # a redirect to another host is not followed: the lookup is unavailable
    server.expect_request(PATH).respond_with_data("", status=302, headers={"Location": other_server.url_for("/")})
    with pytest.raises(UnavailableError):
        fetch(make_source(server), {"certificate_id": "0SYN0A1"})
    assert len(server.log) == 1
    assert other_server.log == []


def test_config_default_endpoint_and_host_rules():
    config = RedCrossConfig()
    assert config.lookup_url == DEFAULT_LOOKUP_URL
    assert RedCrossSource(config).allowed_hosts() == ["www.redcross.org"]
    assert RedCrossVerifier(config).allowed_hosts() == ["www.redcross.org"]
    with pytest.raises(ValidationError):
        RedCrossConfig(lookup_url="http://www.redcross.org/x")  # plain http only for loopback
    with pytest.raises(ValidationError):
        RedCrossConfig(lookup_url="file:///etc/passwd")


def test_core_fetch_reads_the_lookup_url_from_the_environment(server):
    from passport_hub.config import Settings
    from passport_hub.fetching import fetch_documents
    from passport_hub.loader import load_plugins

    html(server, "lookup_certnumber_single_valid.html", query_string={"certnumber": "0SYN0A1", "format": "ajax"})
    env = {
        "PASSPORT_HUB_RED_CROSS_LOOKUP_URL": server.url_for(PATH),
        "PASSPORT_HUB_ALLOW_PRIVATE_HOSTS": "1",
        "PASSPORT_HUB_LOAD_PLUGINS": "red_cross",
    }
    settings = Settings.from_env(env)
    registry = load_plugins(settings)
    documents = asyncio.run(fetch_documents(registry, settings, "red_cross", {"certificate_id": "0SYN0A1"}))
    assert [d.origin for d in documents] == ["fetch"]
    assert len(server.log) == 1


def test_check_reports_reachable_and_unreachable(server):
    html(server, "lookup_certnumber_no_match.html", query_string={"certnumber": "0000000", "format": "ajax"})
    src = make_source(server)

    async def go(source):
        async with client(source.allowed_hosts(), retries=0) as http:
            source.http = http
            return await source.check()

    assert asyncio.run(go(src)).ok
    server.clear()
    html(server, "lookup_access_denied.html", status=403)
    result = asyncio.run(go(make_source(server)))
    assert not result.ok and result.error_kind == "unavailable"


# -- verify ----------------------------------------------------------------------------------


def test_verify_pdf_record_against_the_lookup_passes(server):
    html(server, "lookup_certnumber_single_valid.html", query_string={"certnumber": "0SYN0A1", "format": "ajax"})
    (record,) = parse_file("certificate_full_0SYN0A1.pdf")
    verifier = RedCrossVerifier()
    assert verifier.supports(record)
    checks = verify(record, server)
    assert {n: c.status for n, c in checks.items()} == {
        "issuer_confirms": "passed",
        "holder_matches": "passed",
        "course_matches": "passed",
        "not_expired": "passed",
    }
    assert "2028-05-12" in checks["not_expired"].detail
    assert len(server.log) == 1


def test_verify_holder_mismatch_fails(server):
    html(server, "lookup_certnumber_single_valid.html")
    (record,) = parse_file("certificate_full_0SYN0A1.pdf")
    record = record.model_copy(update={"holder": record.holder.model_copy(update={"name": "Someone Else"})})
    checks = verify(record, server)
    assert checks["issuer_confirms"].status == "passed"
    assert checks["holder_matches"].status == "failed"
    assert "Jordan Example" in checks["holder_matches"].detail


def test_verify_expired_row_fails_not_expired(server):
    html(server, "lookup_email_multiple_mixed.html", query_string={"certnumber": "0SYN0C3", "format": "ajax"})
    record = parse_file("lookup_email_multiple_mixed.html")[1]
    checks = verify(record, server)
    assert checks["issuer_confirms"].status == "passed"
    assert checks["holder_matches"].status == "passed"
    assert checks["not_expired"].status == "failed"
    assert "2025-03-10" in checks["not_expired"].detail


def test_verify_not_found_fails_issuer_confirms(server):
    html(server, "lookup_certnumber_no_match.html")
    (record,) = parse_file("certificate_wallet_0SYN0B2.pdf")
    checks = verify(record, server)
    assert checks["issuer_confirms"].status == "failed"
    assert checks["holder_matches"].status == "not_checked"


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (403, "lookup_access_denied.html"),
        (200, "lookup_access_denied.html"),
        (503, "lookup_access_denied.html"),
        (404, "lookup_endpoint_moved_404.html"),
        (200, "lookup_markup_changed.html"),
    ],
)
def test_verify_unavailable_or_malformed_is_never_invalid(server, status, name):
    html(server, name, status=status)
    (record,) = parse_file("certificate_full_0SYN0A1.pdf")
    checks = verify(record, server, retries=1)
    assert checks["issuer_confirms"].status == "not_checked"
    assert checks["holder_matches"].status == "not_checked"
    assert all(c.status != "failed" for c in checks.values())
    # the record's own expiry still answers not_expired, labelled as not confirmed by the issuer
    assert checks["not_expired"].status == "passed" and "not confirmed" in checks["not_expired"].detail
    assert len(server.log) == (2 if status == 503 else 1)


def test_verify_timeout_is_not_checked(server):
    slow = SlowHandler(0.8)
    server.expect_request(PATH).respond_with_handler(slow)
    (record,) = parse_file("certificate_full_0SYN0A1.pdf")
    try:
        checks = verify(record, server, retries=0, timeout=0.3)
    finally:
        slow.drain()
    assert checks["issuer_confirms"].status == "not_checked"
    assert "did not answer in time" in checks["issuer_confirms"].detail
    assert slow.started == 1


def test_verify_stays_on_the_configured_host(server, other_server):
    (record,) = parse_file("certificate_full_0SYN0A1.pdf")
    verifier = RedCrossVerifier(RedCrossConfig(lookup_url=other_server.url_for(PATH)))

    async def go():
        async with client(["127.0.0.1"]) as http:  # the client the core built for another host
            return await verifier.verify(
                record, VerifyContext(http=http, catalog=None, now=datetime(2026, 12, 3, tzinfo=UTC))
            )

    checks = {c.name: c for c in asyncio.run(go())}
    assert checks["issuer_confirms"].status == "not_checked"
    assert other_server.log == []
