"""The service checks every enabled plugin's config at startup and reports all problems at once,
without the values (they may be secrets)."""

from __future__ import annotations

import pytest

from passport_hub.config import Settings
from passport_hub.errors import ConfigError
from passport_hub.service.app import create_app


def test_all_config_errors_at_once_and_no_secret_values(tmp_path):
    config = tmp_path / "hub.toml"
    config.write_text(
        '[plugins.credential_engine]\napi_kee = "S3CRET-ONE"\n'
        '[plugins.red_cross]\nlookup_url = "https://user:S3CRET-TWO@www.redcross.org/lookup"\n'
    )
    settings = Settings.from_env({"PASSPORT_HUB_CONFIG": str(config), "PASSPORT_HUB_HOME": str(tmp_path)})
    with pytest.raises(ConfigError) as caught:
        create_app(settings)
    message = str(caught.value)
    assert message.startswith("2 plugin config error(s)")
    assert "credential_engine" in message and "api_kee" in message
    assert "red_cross" in message and "lookup_url" in message
    assert "S3CRET" not in message and "S3CRET" not in caught.value.internal_message


def _serve(monkeypatch, env: dict[str, str]):
    """`passport-hub serve` up to the point uvicorn would start listening."""
    import uvicorn
    from click.testing import CliRunner

    from passport_hub.cli import main

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(app))
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 0 and len(started) == 1, result.output
    return result


def test_serve_warns_when_no_admin_key_is_configured(hub_env, monkeypatch):
    result = _serve(monkeypatch, {})
    assert result.stderr == ("warning: no admin API key is configured on this hub (PASSPORT_HUB_ADMIN_API_KEY), "
                             "so admin endpoints refuse every request\n")
    assert _serve(monkeypatch, {"PASSPORT_HUB_ADMIN_API_KEY": "admin-key-for-tests"}).stderr == ""


def test_admin_endpoints_say_when_no_admin_key_is_configured(hub_db_url, tmp_path):
    from fastapi.testclient import TestClient

    env = {"PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_URL": hub_db_url}
    no_key = "no admin API key is configured on this hub (PASSPORT_HUB_ADMIN_API_KEY)"
    with TestClient(create_app(Settings.from_env(env))) as client:
        for headers in ({}, {"Authorization": "Bearer guessed-admin-key"}):
            refused = client.post("/holders", headers=headers)
            assert refused.status_code == 401 and refused.json()["detail"].startswith(no_key)
        # endpoints a holder may use do not mention the admin key
        assert client.get("/catalog").json() == {"detail": "a valid admin API key or holder token is required",
                                                 "kind": "auth"}
    # with a key configured, a wrong key learns nothing about it
    keyed = Settings.from_env({**env, "PASSPORT_HUB_ADMIN_API_KEY": "admin-key-for-tests"})
    with TestClient(create_app(keyed)) as client:
        refused = client.post("/holders", headers={"Authorization": "Bearer guessed-admin-key"})
        assert refused.status_code == 401
        assert refused.json() == {"detail": "a valid admin API key or holder token is required", "kind": "auth"}
        holder = client.post("/holders", headers={"Authorization": "Bearer admin-key-for-tests"}).json()
        forbidden = client.get("/plugins", headers={"Authorization": f"Bearer {holder['token']}"})
        assert forbidden.status_code == 403
        assert forbidden.json() == {"detail": "this needs the admin API key", "kind": "auth"}
