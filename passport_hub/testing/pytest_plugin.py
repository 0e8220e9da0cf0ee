"""The passport-hub pytest plugin (entry point ``pytest11``): fixtures for hub and plugin tests.

``hub_db_url``: an empty database per test — a SQLite file, or, when
``PASSPORT_HUB_TEST_DATABASE_URL`` names a PostgreSQL database, a fresh schema in it
(dropped afterwards), so the same suite runs on both. ``hub_store``: a
:class:`~passport_hub.store.Store` on it. ``hub_env``: the environment for a CLI run
(``click.testing.CliRunner``): an own home and that database, no other ``PASSPORT_HUB_*``
variable leaking in from the shell.
"""

from __future__ import annotations

import os
import uuid

import pytest

TEST_DATABASE_ENV = "PASSPORT_HUB_TEST_DATABASE_URL"


def pytest_configure(config):
    config.addinivalue_line("markers", "database: uses a hub database (re-run on PostgreSQL in CI)")


def pytest_collection_modifyitems(items):
    for item in items:
        if "hub_db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)


@pytest.fixture
def hub_db_url(tmp_path):
    base = os.environ.get(TEST_DATABASE_ENV)
    if not base:
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def hub_store(hub_db_url):
    from passport_hub.store import Store

    store = Store(hub_db_url)
    yield store
    store.close()


@pytest.fixture
def hub_env(hub_db_url, tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("PASSPORT_HUB_") and key != TEST_DATABASE_ENV:
            monkeypatch.delenv(key)
    env = {"PASSPORT_HUB_HOME": str(tmp_path / "home"), "PASSPORT_HUB_DATABASE_URL": hub_db_url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
