"""The migrations and the models describe the same schema, on both databases."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from crm import migrate
from crm.db import engine_for


def test_the_migrations_build_exactly_the_models_schema(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_the_database_is_at_the_newest_migration(database_url):
    assert migrate.pending(database_url) is False


def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path):
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    migrate.upgrade(url)
    with engine_for(url).connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_sqlite_may_sort_with_helper_threads(tmp_path):
    url = f"sqlite:///{tmp_path / 'threads.db'}"
    with engine_for(url).connect() as connection:
        assert connection.execute(text("PRAGMA threads")).scalar() == min(4, os.cpu_count() or 1)


def test_migrations_downgrade_to_nothing_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    assert migrate.pending(url) is True
    migrate.upgrade(url)
    assert migrate.pending(url) is False
