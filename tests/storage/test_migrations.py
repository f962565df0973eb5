"""Migrations and models agree, and the chain goes down and up again cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from storage.migrate import alembic_config, current, upgrade
from storage.models import Base


def test_migrated_schema_matches_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"the migration chain has more than one head: {heads}"
    return heads[0]


def test_downgrade_to_nothing_and_upgrade_again(database_url):
    command.downgrade(alembic_config(database_url), "base")
    assert current(database_url) is None
    upgrade(database_url)
    upgrade(database_url)  # at head: nothing to do, no error
    assert current(database_url) == head_revision()
