"""Each service's Alembic tree upgrades, downgrades and upgrades again on a real database."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from services.kit.migrations import (
    MIGRATED_SERVICES,
    AppRoleError,
    downgrade,
    grant_app_role,
    upgrade,
)
from tests.conftest import Stack


async def _schemas_and_versions(url: str) -> tuple[set[str], dict[str, str]]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        schemas = {r[0] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
        versions = {}
        for service in MIGRATED_SERVICES:
            table = f"alembic_version_{service}"
            exists = await conn.fetchval("SELECT to_regclass($1)", f"public.{table}")
            if exists:
                versions[service] = await conn.fetchval(f"SELECT version_num FROM {table}")  # noqa: S608
        return schemas, versions
    finally:
        await conn.close()


@pytest.mark.parametrize("service", MIGRATED_SERVICES)
def test_round_trip(scratch_db: str, service: str) -> None:
    upgrade(service, scratch_db)
    schemas, versions = asyncio.run(_schemas_and_versions(scratch_db))
    assert service in schemas
    assert versions[service] is not None
    # The other trees are untouched: one schema and one version table per service.
    assert set(versions) == {service}

    downgrade(service, scratch_db)
    schemas, versions = asyncio.run(_schemas_and_versions(scratch_db))
    assert service not in schemas
    assert versions.get(service) is None

    upgrade(service, scratch_db)
    schemas, _ = asyncio.run(_schemas_and_versions(scratch_db))
    assert service in schemas


def test_the_run_database_is_migrated_to_head(stack: Stack) -> None:
    schemas, versions = asyncio.run(_schemas_and_versions(stack.owner_database_url))
    assert set(MIGRATED_SERVICES) <= schemas
    assert set(versions) == set(MIGRATED_SERVICES)


async def _privileges(url: str, role: str) -> dict[str, set[str]]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        out = {}
        for table in ("api.audit_entry", "api.audit_checkpoint", "api.declaration"):
            out[table] = {
                p
                for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
                if await conn.fetchval("SELECT has_table_privilege($1, $2, $3)", role, table, p)
            }
        return out
    finally:
        await conn.close()


def test_the_app_role_gets_its_grants_and_nothing_more_on_every_run(stack: Stack) -> None:
    expected = {
        "api.audit_entry": {"SELECT", "INSERT"},
        "api.audit_checkpoint": {"SELECT", "INSERT"},
        "api.declaration": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    }
    owner = stack.owner_database_url
    assert asyncio.run(_privileges(owner, stack.app_role)) == expected
    # A privilege granted by hand in between is taken back by the next migration run.
    conn_sql = f'GRANT UPDATE, DELETE, TRUNCATE ON api.audit_entry TO "{stack.app_role}"'

    async def grant_by_hand() -> None:
        conn = await asyncpg.connect(owner.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute(conn_sql)
        finally:
            await conn.close()

    asyncio.run(grant_by_hand())
    assert "UPDATE" in asyncio.run(_privileges(owner, stack.app_role))["api.audit_entry"]
    assert grant_app_role(owner, stack.app_role) is True
    assert asyncio.run(_privileges(owner, stack.app_role)) == expected
    # A single-user database (the owner is the app): nothing to grant.
    assert grant_app_role(owner, stack.owner_role) is False
    with pytest.raises(AppRoleError, match="does not exist"):
        grant_app_role(owner, "no_such_role_" + uuid.uuid4().hex[:6])
