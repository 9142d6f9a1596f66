"""Alembic, one migration tree and one schema per service.

Each service keeps its tree in `services/<name>/migrations/` and its version table as
`public.alembic_version_<name>`, so the trees never see each other's revisions.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

SERVICES_DIR = Path(__file__).resolve().parent.parent
MIGRATED_SERVICES = ("api", "documents", "notify")


def alembic_config(service: str, database_url: str) -> Config:
    if service not in MIGRATED_SERVICES:
        raise ValueError(f"{service} has no migrations")
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["database_url"] = database_url
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(service, database_url), revision)


def downgrade(service: str, database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(service, database_url), revision)


def upgrade_all(database_url: str) -> None:
    for service in MIGRATED_SERVICES:
        upgrade(service, database_url)


def run_env(context, target_metadata: MetaData | None = None) -> None:
    """Body of every service's `env.py` (online mode only: we always have a database)."""
    cfg = context.config
    service = cfg.attributes["service"]
    url = cfg.attributes["database_url"]

    def include_name(name, type_, parent_names) -> bool:
        return type_ != "schema" or name == service

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=f"alembic_version_{service}",
            version_table_schema="public",
            include_schemas=True,
            include_name=include_name,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run_async())
