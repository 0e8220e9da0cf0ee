"""Fixtures for the core's tests (``hub_db_url`` and ``hub_store`` come from the
passport-hub pytest plugin, passport_hub/testing/pytest_plugin.py)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def hub_env(hub_db_url, tmp_path, monkeypatch):
    """Environment for CLI runs: isolated home and database, no stray config."""
    for key in list(os.environ):
        if key.startswith("PASSPORT_HUB_") and key != "PASSPORT_HUB_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("PASSPORT_HUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PASSPORT_HUB_DATABASE_URL", hub_db_url)
    return {"PASSPORT_HUB_HOME": str(tmp_path / "home"), "PASSPORT_HUB_DATABASE_URL": hub_db_url}
