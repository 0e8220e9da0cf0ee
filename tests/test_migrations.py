"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from passport_hub.store.tables import Base, HolderRow


def test_migrated_database_matches_the_models(hub_store):
    with hub_store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_timestamps_read_back_aware_in_utc(hub_store):
    """SQLite hands back naive values; every reader gets the same aware UTC time either way."""
    hub_store.ensure_holder("jordan", "Jordan")
    with hub_store.engine.connect() as conn:
        created = conn.scalar(select(HolderRow.created_at).where(HolderRow.id == "jordan"))
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
