"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select

from passport_hub.store import Store
from passport_hub.store.tables import Base, HolderRow


def test_migrated_database_matches_the_models(hub_store):
    with hub_store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_timestamps_are_written_and_read_in_utc_whatever_the_sessions_zone(hub_db_url):
    """SQLite keeps no zone and PostgreSQL answers in its session's: a time goes in as the
    same instant in UTC and comes back aware, in UTC."""
    url = hub_db_url.replace("options=", "options=-ctimezone%3DAmerica/New_York%20")  # PostgreSQL only
    store = Store(url)
    try:
        east = timezone(timedelta(hours=5))
        with store.engine.begin() as conn:
            conn.execute(insert(HolderRow).values(id="jordan", created_at=datetime(2026, 6, 1, 12, tzinfo=east)))
        with store.engine.connect() as conn:
            created = conn.scalar(select(HolderRow.created_at).where(HolderRow.id == "jordan"))
        assert created.tzinfo is UTC and created == datetime(2026, 6, 1, 7, tzinfo=UTC)
    finally:
        store.close()
