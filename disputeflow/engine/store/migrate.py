"""Schema migrations with Alembic, run from inside the package (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from disputeflow.engine.store import case_search
from disputeflow.engine.store.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(database: Database, revision: str = "head") -> case_search.SearchIndex | None:
    """Bring the schema up to ``revision`` (idempotent: nothing to do is fine); at the
    head, also build what the case search index lacks, and say where it stands."""
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return case_search.ensure(database) if revision == "head" else None


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or ``None`` for an empty one."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision this version of disputeflow knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(database: Database) -> bool:
    """Whether the schema matches this version of disputeflow."""
    return current_revision(database) == head_revision()
