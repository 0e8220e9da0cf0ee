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
