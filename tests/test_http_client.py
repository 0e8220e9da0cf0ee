"""The shared issuer client against real loopback servers (pytest-httpserver, raw sockets)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from passport_hub import __version__
from passport_hub.errors import (
    AuthError,
    ConfigError,
    ErrorKind,
    NotFoundError,
    RateLimitedError,
    TransientError,
    UpstreamError,
)
from passport_hub.http import (
    HttpSettings,
    IssuerClient,
    RedirectRefusedError,
    parse_retry_after,
    redact_url,
)

FAST = HttpSettings(backoff_base=0.01, backoff_max=0.05, allow_private=True, connect_timeout=1, read_timeout=2)


@pytest.fixture(scope="module")
def server():
    srv = HTTPServer(host="127.0.0.1", threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture
def issuer(server):
    server.clear()
    yield server
    server.clear()


def client(**overrides) -> IssuerClient:
    settings = FAST.model_copy(update=overrides)
    return IssuerClient(allowed_hosts=["127.0.0.1"], name="test_issuer", settings=settings)


def run(coro):
    return asyncio.run(coro)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _call(c: IssuerClient, method: str, url: str, **kw):
    async with c:
        return await c.request(method, url, **kw)


# -- retries -----------------------------------------------------------------------------


def test_503_then_200_is_retried_and_succeeds(issuer):
    issuer.expect_ordered_request("/cert/1").respond_with_data("busy", status=503)
    issuer.expect_ordered_request("/cert/1").respond_with_json({"id": "1", "status": "active"})
    c = client()
    response = run(_call(c, "GET", issuer.url_for("/cert/1")))
    assert response.status_code == 200
    assert response.json() == {"id": "1", "status": "active"}
    assert len(issuer.log) == 2
    assert c.stats.retries == 1
    assert c.stats.retry_reasons == {"503": 1}
    assert c.stats.statuses == {503: 1, 200: 1}
    issuer.check_assertions()


@pytest.mark.parametrize("status", [408, 500, 502, 504])
def test_other_transient_statuses_are_retried(issuer, status):
    issuer.expect_ordered_request("/t").respond_with_data("x", status=status)
    issuer.expect_ordered_request("/t").respond_with_data("ok")
    c = client()
    assert run(_call(c, "GET", issuer.url_for("/t"))).text == "ok"
    assert c.stats.retry_reasons == {str(status): 1}


def test_a_post_that_may_have_been_acted_on_is_not_sent_twice(issuer):
    issuer.expect_request("/enrol", method="POST").respond_with_data("busy", status=502)
    c = client()
    with pytest.raises(TransientError, match="HTTP 502"):
        run(_call(c, "POST", issuer.url_for("/enrol"), json={"id": 1}))
    assert len(issuer.log) == 1 and c.stats.retries == 0

    # unless the issuer asks for it, the caller says it is harmless, or nothing was sent
    issuer.clear()
    issuer.expect_ordered_request("/enrol", method="POST").respond_with_data(
        "later", status=503, headers={"Retry-After": "0"})
    issuer.expect_ordered_request("/enrol", method="POST").respond_with_data("ok")
    issuer.expect_ordered_request("/search", method="POST").respond_with_data("busy", status=502)
    issuer.expect_ordered_request("/search", method="POST").respond_with_data("found")
    c = client()
    assert run(_call(c, "POST", issuer.url_for("/enrol"), json={"id": 1})).text == "ok"
    assert run(_call(c, "POST", issuer.url_for("/search"), json={"q": "x"}, idempotent=True)).text == "found"
    assert c.stats.retry_reasons == {"503": 1, "502": 1}
    dead = client(retries=2)
    with pytest.raises(TransientError, match="could not connect"):
        run(_call(dead, "POST", f"http://127.0.0.1:{free_port()}/enrol", json={"id": 1}))
    assert dead.stats.retry_reasons == {"connect": 2}


def test_503_exhausts_retries_as_transient_with_user_and_internal_messages(issuer):
    issuer.expect_request("/t").respond_with_data("busy", status=503)
    c = client(retries=2)
    with pytest.raises(TransientError) as info:
        run(_call(c, "GET", issuer.url_for("/t"), params={"api_key": "k-123"}))
    assert len(issuer.log) == 3
    assert c.stats.retries == 2
    err = info.value
    assert err.kind == ErrorKind.TRANSIENT
    assert err.user_message == "test_issuer: the issuer is unavailable (HTTP 503)"
    assert "k-123" not in err.internal_message and "api_key=***" in err.internal_message
    assert "HTTP 503" in err.internal_message


def test_429_with_retry_after_one_second_waits_about_a_second(issuer):
    issuer.expect_ordered_request("/r").respond_with_data("slow down", status=429, headers={"Retry-After": "1"})
    issuer.expect_ordered_request("/r").respond_with_data("ok")
    c = client()
    start = time.monotonic()
    response = run(_call(c, "GET", issuer.url_for("/r")))
    elapsed = time.monotonic() - start
    assert response.text == "ok"
    assert 0.95 <= elapsed < 1.8, elapsed
    assert c.stats.retry_reasons == {"429": 1}
    assert c.stats.retry_wait_seconds == pytest.approx(1.0)


def test_503_with_retry_after_http_date_is_honoured(issuer):
    when = datetime.now(UTC) + timedelta(seconds=2)
    issuer.expect_ordered_request("/d").respond_with_data(
        "maintenance", status=503, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )
    issuer.expect_ordered_request("/d").respond_with_data("ok")
    c = client()
    start = time.monotonic()
    assert run(_call(c, "GET", issuer.url_for("/d"))).text == "ok"
    elapsed = time.monotonic() - start
    # an HTTP-date has whole seconds: the wait is between 1 and 2 seconds
    assert 0.9 <= elapsed < 2.8, elapsed


def test_retry_after_over_the_cap_is_rate_limited_without_waiting(issuer):
    issuer.expect_request("/cap").respond_with_data("later", status=429, headers={"Retry-After": "120"})
    c = client(retry_after_cap=5)
    start = time.monotonic()
    with pytest.raises(RateLimitedError) as info:
        run(_call(c, "GET", issuer.url_for("/cap")))
    assert time.monotonic() - start < 0.5
    assert len(issuer.log) == 1
    assert info.value.kind == ErrorKind.RATE_LIMITED
    assert "120s" in info.value.user_message


def test_429_after_all_retries_is_rate_limited(issuer):
    issuer.expect_request("/rl").respond_with_data("no", status=429, headers={"Retry-After": "0"})
    c = client(retries=2)
    with pytest.raises(RateLimitedError):
        run(_call(c, "GET", issuer.url_for("/rl")))
    assert len(issuer.log) == 3


# -- not retried ----------------------------------------------------------------------------


def test_401_is_not_retried_and_is_auth(issuer):
    issuer.expect_request("/secret").respond_with_data("who are you", status=401)
    c = client()
    with pytest.raises(AuthError) as info:
        run(_call(c, "GET", issuer.url_for("/secret"), headers={"Authorization": "Bearer t0k3n"}))
    assert info.value.kind == ErrorKind.AUTH
    assert len(issuer.log) == 1
    assert c.stats.retries == 0
    assert "t0k3n" not in info.value.user_message + info.value.internal_message


@pytest.mark.parametrize(
    ("status", "error"), [(400, UpstreamError), (403, AuthError), (404, NotFoundError), (422, UpstreamError)]
)
def test_client_errors_are_not_retried(issuer, status, error):
    issuer.expect_request("/c").respond_with_data("no", status=status)
    c = client()
    with pytest.raises(error):
        run(_call(c, "GET", issuer.url_for("/c")))
    assert len(issuer.log) == 1


def test_404_is_returned_when_not_found_ok(issuer):
    issuer.expect_request("/missing").respond_with_data("none", status=404)
    response = run(_call(client(), "GET", issuer.url_for("/missing"), not_found_ok=True))
    assert response.status_code == 404


# -- timeouts and the circuit breaker --------------------------------------------------------


def test_hanging_server_hits_the_read_timeout_and_is_transient():
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(16)  # never accepts: connections complete in the backlog, nothing is ever answered
    try:
        port = hang.getsockname()[1]
        c = client(read_timeout=0.3, retries=1)
        start = time.monotonic()
        with pytest.raises(TransientError) as info:
            run(_call(c, "GET", f"http://127.0.0.1:{port}/slow"))
        elapsed = time.monotonic() - start
    finally:
        hang.close()
    assert info.value.kind == ErrorKind.TRANSIENT
    assert "did not answer in time" in info.value.user_message
    assert c.stats.retry_reasons == {"timeout": 1}
    assert 0.6 <= elapsed < 2.0, elapsed


def test_dead_issuer_opens_the_circuit_fails_fast_then_probes(issuer):
    issuer.expect_request("/alive").respond_with_data("ok")
    dead_port = free_port()  # nothing listens: connection refused
    dead = f"http://127.0.0.1:{dead_port}/cert"
    c = client(retries=1, circuit_failure_threshold=4, circuit_cooldown=0.5)

    async def scenario():
        outcomes = []
        for _ in range(3):
            try:
                await c.get(dead)
            except TransientError as exc:
                outcomes.append(exc.user_message)
        sent_before = c.stats.requests
        start = time.monotonic()
        with pytest.raises(TransientError) as info:
            await c.get(dead)
        fast = time.monotonic() - start
        assert c.stats.requests == sent_before  # nothing was sent while open
        # the other host is not affected
        alive = await asyncio.gather(*(c.get(issuer.url_for("/alive")) for _ in range(5)))
        state_open = c.circuit_state(dead)
        # after the cool-down one probe goes out; the issuer is back
        await asyncio.sleep(0.55)
        revived = HTTPServer(host="127.0.0.1", port=dead_port)
        revived.expect_request("/cert").respond_with_data("back")
        revived.start()
        try:
            probe = await c.get(dead)
        finally:
            revived.stop()
        return outcomes, sent_before, info.value, fast, alive, state_open, probe

    async def main():
        async with c:
            return await scenario()

    outcomes, sent_before, fail_fast, fast, alive, state_open, probe = run(main())
    # 3 calls x 2 attempts: the 4th consecutive failure opened the circuit during call 2
    assert outcomes[0] == "test_issuer: could not connect to the issuer"
    assert any("circuit open" in m for m in outcomes)
    assert "circuit open" in fail_fast.user_message and fail_fast.kind == ErrorKind.TRANSIENT
    assert fast < 0.05
    assert sent_before == 4
    assert c.stats.requests == 4 + 5 + 1  # dead host, other host, one probe
    assert c.stats.circuit_opened == 1
    assert [r.text for r in alive] == ["ok"] * 5
    assert state_open == "open"
    assert probe.text == "back"
    assert c.circuit_state(dead) == "closed"


# -- where requests may go -------------------------------------------------------------------


def test_redirect_to_another_host_is_refused(issuer):
    other = f"http://localhost:{issuer.port}/stolen"
    issuer.expect_request("/go").respond_with_data("", status=302, headers={"Location": other})
    issuer.expect_request("/stolen").respond_with_data("should never be fetched")
    c = IssuerClient(allowed_hosts=["127.0.0.1", "localhost"], settings=FAST, name="test_issuer")
    with pytest.raises(RedirectRefusedError) as info:
        run(_call(c, "GET", issuer.url_for("/go")))
    assert isinstance(info.value, UpstreamError) and info.value.kind == ErrorKind.UPSTREAM
    assert "another host (localhost)" in info.value.user_message
    assert [entry[0].path for entry in issuer.log] == ["/go"]


def test_same_host_redirect_is_followed_and_303_becomes_get(issuer):
    issuer.expect_request("/old", method="POST").respond_with_data(
        "", status=303, headers={"Location": "/new?x=1"}
    )
    issuer.expect_request("/new", method="GET", query_string="x=1").respond_with_data("moved here")
    c = client()
    response = run(_call(c, "POST", issuer.url_for("/old"), json={"a": 1}))
    assert response.text == "moved here"
    assert c.stats.redirects == 1
    assert [(e[0].method, e[0].path) for e in issuer.log] == [("POST", "/old"), ("GET", "/new")]


def test_hosts_not_in_config_and_private_addresses_are_refused(issuer):
    issuer.expect_request("/x").respond_with_data("ok")
    url = issuer.url_for("/x")
    with pytest.raises(ConfigError, match="not allowed by its config"):
        run(_call(IssuerClient(allowed_hosts=["registry.example.org"], allow_private=True), "GET", url))
    with pytest.raises(ConfigError, match="private or local address"):
        run(_call(IssuerClient(allowed_hosts=["127.0.0.1"]), "GET", url))
    by_name = IssuerClient(allowed_hosts=["localhost"], settings=HttpSettings(retries=3))
    with pytest.raises(ConfigError, match="private or local address"):
        run(_call(by_name, "GET", f"http://localhost:{issuer.port}/x"))
    # a host name is checked on the addresses the connection then uses (no second lookup that a
    # rebinding DNS server could answer differently); a refusal is not retried, nor an issuer failure
    assert (by_name.stats.retries, by_name.stats.failures, by_name.circuit_state(f"http://localhost:{issuer.port}/")) \
        == (0, 1, "closed")
    with pytest.raises(ConfigError, match="only http and https"):
        run(_call(IssuerClient(allowed_hosts=["127.0.0.1"], allow_private=True), "GET", "file:///etc/passwd"))
    assert issuer.log == []


def test_wildcard_allowed_host_matches_subdomains_only():
    c = IssuerClient(allowed_hosts=["*.example.org"])
    assert c._host_allowed("api.example.org")
    assert not c._host_allowed("example.org.evil.net")
    assert not c._host_allowed("notexample.org")


# -- limits, identity, logs ---------------------------------------------------------------------


def test_per_host_concurrency_limit(issuer):
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow(_request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return Response("ok")

    issuer.expect_request("/slow").respond_with_handler(slow)
    c = client(per_host_concurrency=3)

    async def main():
        async with c:
            return await asyncio.gather(*(c.get(issuer.url_for("/slow")) for _ in range(9)))

    start = time.monotonic()
    responses = run(main())
    assert [r.text for r in responses] == ["ok"] * 9
    assert state["max"] == 3
    assert time.monotonic() - start >= 0.3


def test_connections_are_kept_alive_and_bounded_per_host():
    """A raw HTTP/1.1 issuer counting the TCP connections the client opens."""
    accepted = []

    async def handle(reader, writer):
        accepted.append(writer)
        while await reader.readuntil(b"\r\n\r\n"):
            await asyncio.sleep(0.01)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
            await writer.drain()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/k"
        c = client(per_host_concurrency=4)
        try:
            async with c:
                for _ in range(10):
                    assert (await c.get(url)).text == "ok"
                sequential = len(accepted)
                texts = [r.text for r in await asyncio.gather(*(c.get(url) for _ in range(40)))]
        finally:
            server.close()
            for writer in accepted:
                writer.close()
        return sequential, len(accepted), texts

    sequential, total, texts = run(main())
    assert texts == ["ok"] * 40
    assert sequential == 1  # one connection, reused
    assert total <= 4  # never more than per_host_concurrency


def test_bodies_and_headers_go_out_as_httpx_builds_them_and_gzip_is_decoded_once(issuer):
    import gzip
    import json

    issuer.expect_request(
        "/post", method="POST", json={"q": "é"}, headers={"Content-Type": "application/json", "X-Key": "v"}
    ).respond_with_response(
        Response(gzip.compress(json.dumps({"ok": True}).encode()),
                 headers={"Content-Encoding": "gzip", "Content-Type": "application/json", "Set-Cookie": "s=1"})
    )
    issuer.expect_request("/form", method="POST", data="a=1&b=two").respond_with_data("form ok")
    issuer.expect_request("/cookie").respond_with_data("no cookie")
    c = client()

    async def main():
        async with c:
            posted = await c.post(issuer.url_for("/post"), json={"q": "é"}, headers={"X-Key": "v"})
            form = await c.post(issuer.url_for("/form"), data={"a": "1", "b": "two"})
            after = await c.get(issuer.url_for("/cookie"))
            return posted, form, after

    posted, form, after = run(main())
    assert posted.json() == {"ok": True}
    assert posted.headers["content-encoding"] == "gzip"  # the headers as the issuer sent them
    assert posted.request.method == "POST" and posted.url == issuer.url_for("/post")
    assert posted.elapsed.total_seconds() > 0
    assert form.text == "form ok"
    assert after.text == "no cookie"
    sent = {e[0].path: e[0].headers for e in issuer.log}
    assert "Cookie" not in sent["/cookie"]  # no cookie jar between requests
    assert "gzip" in sent["/cookie"]["Accept-Encoding"]


def test_a_streamed_body_goes_out_with_one_framing_and_no_invented_content_type(issuer):
    issuer.expect_request("/upload", method="POST", data=b"abcdef").respond_with_data("stored")
    issuer.expect_request("/gone", method="DELETE").respond_with_data("", status=204)

    async def chunks():
        yield b"abc"
        yield b"def"

    async def main():
        async with client() as c:
            stored = await c.post(issuer.url_for("/upload"), content=chunks())
            gone = await c.request("DELETE", issuer.url_for("/gone"))
            return stored, gone

    stored, gone = run(main())
    assert (stored.text, gone.status_code) == ("stored", 204)
    upload, delete = (e[0].headers for e in issuer.log)
    # httpx marks a streamed body chunked; the transport sends it whole, with its length only
    assert upload.get("Content-Length") == "6" and "Transfer-Encoding" not in upload
    assert "Content-Type" not in upload and "Content-Type" not in delete


def test_a_body_that_cannot_be_decoded_is_an_upstream_error_not_a_crash(issuer):
    issuer.expect_request("/broken").respond_with_data(b"not gzip at all", headers={"Content-Encoding": "gzip"})
    c = client()
    with pytest.raises(UpstreamError, match="could not be decoded"):
        run(_call(c, "GET", issuer.url_for("/broken")))
    assert c.stats.retries == 0 and c.circuit_state(issuer.url_for("/")) == "closed"


def test_a_refused_private_address_does_not_keep_the_circuit_probe(issuer):
    c = IssuerClient(allowed_hosts=["localhost"], name="test_issuer",
                     settings=HttpSettings(circuit_failure_threshold=1, circuit_cooldown=0.05, retries=0))
    url = f"http://localhost:{issuer.port}/x"
    c._check_url(c._parse(url)).circuit.failure()  # the issuer failed before: circuit open
    time.sleep(0.1)  # the cool-down is over: the next request is the probe
    for _ in range(2):  # refused each time, never "circuit open" (the probe was handed back)
        with pytest.raises(ConfigError, match="private or local address"):
            run(_call(c, "GET", url))
    assert c.circuit_state(url) == "half_open" and c.stats.fast_failures == 0


def test_unsupported_request_arguments_are_refused():
    with pytest.raises(TypeError, match="auth"):
        run(_call(client(), "GET", "http://127.0.0.1:9/x", auth=("u", "p")))


def test_request_budget_spaces_requests(issuer):
    issuer.expect_request("/b").respond_with_data("ok")
    c = client(requests_per_second=20, burst=1)

    async def main():
        async with c:
            await asyncio.gather(*(c.get(issuer.url_for("/b")) for _ in range(6)))

    start = time.monotonic()
    run(main())
    assert time.monotonic() - start >= 0.24  # 5 intervals of 50 ms after the first
    assert c.stats.throttle_wait_seconds > 0.3  # up to 0.05 + 0.10 + ... + 0.25, less the time already passed


def test_user_agent_and_no_secrets_in_logs(issuer, caplog):
    issuer.expect_ordered_request("/s").respond_with_data("busy", status=503)
    issuer.expect_ordered_request("/s").respond_with_data("ok")
    caplog.set_level(logging.DEBUG, logger="passport_hub.http")
    c = client()
    run(_call(c, "GET", issuer.url_for("/s"), params={"api_key": "q-secret-42"},
              headers={"Authorization": "Bearer h-secret-99"}))
    agents = {e[0].headers.get("User-Agent") for e in issuer.log}
    assert agents == {f"passport-hub/{__version__} (+https://github.com/passport-hub)"}
    retry_logs = [r.getMessage() for r in caplog.records if r.name == "passport_hub.http"]
    assert any("503" in m and "retry 1/3" in m for m in retry_logs), retry_logs
    ours = "\n".join(retry_logs)
    assert "q-secret-42" not in ours and "h-secret-99" not in ours
    assert "api_key=***" in ours


def test_one_client_serves_several_event_loops(issuer, caplog):
    import gc

    issuer.expect_request("/l").respond_with_data("ok")
    c = client(per_host_concurrency=1)

    async def burst():
        return [r.text for r in await asyncio.gather(*(c.get(issuer.url_for("/l")) for _ in range(3)))]

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        assert run(burst()) == ["ok"] * 3
        assert run(burst()) == ["ok"] * 3  # a new loop: new connections and semaphore
        run(c.aclose())
        assert run(burst()) == ["ok"] * 3
        gc.collect()
    # the sessions of finished loops are let go quietly, not reported as unclosed
    assert "Unclosed" not in caplog.text


def test_old_keyword_interface_still_works():
    c = IssuerClient(allowed_hosts=["a.example"], name="x", timeout=3.0, retries=0, allow_private=True)
    assert (c.settings.read_timeout, c.settings.retries, c.allow_private) == (3.0, 0, True)
    assert c.settings.connect_timeout == 3.0


def test_settings_from_env():
    s = HttpSettings.from_env({"PASSPORT_HUB_HTTP_RETRIES": "5", "PASSPORT_HUB_HTTP_REQUESTS_PER_SECOND": "2.5"})
    assert (s.retries, s.requests_per_second) == (5, 2.5)
    with pytest.raises(ConfigError) as info:
        HttpSettings.from_env({"PASSPORT_HUB_HTTP_RETRIES": "many",
                               "PASSPORT_HUB_HTTP_PROXY": "socks5://user:s3cret@proxy.example:1080"})
    message = info.value.user_message
    assert "PASSPORT_HUB_HTTP_RETRIES" in message and "PASSPORT_HUB_HTTP_PROXY: Value error, must be an http" in message
    assert "s3cret" not in message
    assert HttpSettings(proxy="http://proxy.example:3128").proxy == "http://proxy.example:3128"
    # a URL httpx cannot even read (an unclosed IPv6 bracket) is the same config error, not a crash
    with pytest.raises(ConfigError, match="PASSPORT_HUB_HTTP_PROXY: Value error, must be an http"):
        HttpSettings.from_env({"PASSPORT_HUB_HTTP_PROXY": "http://[::1"})


def test_parse_retry_after_and_redaction():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") is None
    assert parse_retry_after(None) is None
    assert redact_url("https://u:pw@h.example/p?api_key=1&q=2") == "https://h.example/p?api_key=***&q=***"
