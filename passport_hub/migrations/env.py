"""Alembic environment: the engine comes from the Store (passport_hub.store.migrate)."""

from alembic import context

import passport_hub.cpl.tables  # noqa: F401  (CPL tables share Base: keep them in autogenerate's view)
from passport_hub.store.tables import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
