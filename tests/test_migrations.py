"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, select

from passport_hub.store import Store
from passport_hub.store.migrate import upgrade
from passport_hub.store.tables import Base, HolderRow, RecordRow


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


def test_records_stored_with_a_format_id_get_its_readable_name(hub_db_url):
    """red_cross and apprenticeship records stored before 0003 said ``red_cross.lookup_html``;
    importing the page again does not rewrite them, the migration does."""
    from plugin_samples import plugin_sample

    from passport_hub.config import Settings
    from passport_hub.loader import load_plugins
    from passport_hub.pipeline import Pipeline

    store = Store(hub_db_url, migrate=False)
    try:
        upgrade(store.engine, "0002")
        pipeline = Pipeline(load_plugins(Settings()), Settings(), store)
        for plugin, sample in (("red_cross", "lookup_email_multiple_mixed.html"),
                               ("apprenticeship", "completion_roster_export.json")):
            assert pipeline.ingest(pipeline.read_path(plugin_sample(plugin, sample))).error is None
        with store.engine.begin() as conn:  # as that version wrote them
            for old, new in (("red_cross.lookup_html", "Red Cross certificate lookup answer (HTML)"),
                             ("apprenticeship-completion-roster-json", "Apprenticeship completion roster (JSON)")):
                conn.execute(RecordRow.__table__.update().values(
                    data=func.replace(RecordRow.data, f'"format":"{new}"', f'"format":"{old}"')))
        assert {r.source.format for r in store.records()} == {
            "red_cross.lookup_html", "apprenticeship-completion-roster-json"}
        upgrade(store.engine)
        assert {r.source.format for r in store.records()} == {
            "Red Cross certificate lookup answer (HTML)", "Apprenticeship completion roster (JSON)"}
    finally:
        store.close()
