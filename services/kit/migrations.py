"""Alembic, one migration tree and one schema per service, and the app role's grants.

Each service keeps its tree in `services/<name>/migrations/` and its version table as
`public.alembic_version_<name>`, so the trees never see each other's revisions.

Migrations run as the owner of every schema and table. The running processes connect
as an app role that owns nothing; `grant_app_role` gives it exactly what it needs, and is
re-applied at the end of every `scripts/migrate` run (rather than `ALTER DEFAULT
PRIVILEGES` in one migration): the role is a setting, not something a migration file
should name; a table added later is covered by the next run, as is an append-only table
added later (its restriction is here, not in whichever migration created it); and any
privilege granted by hand in between is taken back, since each run revokes everything
in the schemas first and grants afresh, in one transaction.
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
# Tables the app role may only read and append to: the audit chain and its checkpoints,
# and the secret ballot (a vote cast is never changed or taken back).
# Whoever owns them could disable their triggers and rewrite them; the app role cannot.
APPEND_ONLY_TABLES = ("api.audit_entry", "api.audit_checkpoint", "api.ballot", "api.ballot_cast")


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


class AppRoleError(RuntimeError):
    """The app role cannot be given its grants (missing, or owning something)."""


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _grant(database_url: str, role: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        owner = await conn.fetchval("SELECT current_user")
        if not role or role == owner:
            return False
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            raise AppRoleError(
                f"database role {role!r} (DATABASE_APP_ROLE, or the user of DATABASE_URL) "
                "does not exist; create it first (deploy/README.md)"
            )
        owned = await conn.fetch(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY($1::text[]) AND pg_get_userbyid(c.relowner) = $2"
            " UNION ALL SELECT nspname FROM pg_namespace"
            " WHERE nspname = ANY($1::text[]) AND pg_get_userbyid(nspowner) = $2",
            list(MIGRATED_SERVICES),
            role,
        )
        if owned:
            raise AppRoleError(
                f"the app role {role!r} owns {', '.join(r[0] for r in owned)}: an owner can "
                f"disable the audit triggers. As {owner!r}, run "
                f"REASSIGN OWNED BY {_ident(role)} TO {_ident(owner)}, then migrate again"
            )
        r = _ident(role)
        async with conn.transaction():
            for schema in MIGRATED_SERVICES:
                s = _ident(schema)
                if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
                    continue
                await conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}")
                await conn.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}")
                await conn.execute(f"REVOKE ALL ON SCHEMA {s} FROM {r}")
                await conn.execute(f"GRANT USAGE ON SCHEMA {s} TO {r}")
                await conn.execute(
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}"
                )
                await conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
            for table in APPEND_ONLY_TABLES:
                if await conn.fetchval("SELECT to_regclass($1)", table):
                    schema, name = table.split(".")
                    qualified = f"{_ident(schema)}.{_ident(name)}"
                    await conn.execute(f"REVOKE UPDATE, DELETE ON {qualified} FROM {r}")
        return True
    finally:
        await conn.close()


def grant_app_role(database_url: str, role: str) -> bool:
    """As the owner (`database_url`), grant `role` what the running processes need:
    USAGE on each service's schema, SELECT/INSERT/UPDATE/DELETE on its tables, its
    sequences, but only SELECT and INSERT on APPEND_ONLY_TABLES. Returns False (and does
    nothing) when `role` is empty or is the owner itself: a single-user database."""
    return asyncio.run(_grant(database_url, role))


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
