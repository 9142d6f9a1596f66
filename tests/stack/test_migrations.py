"""Each service's Alembic tree upgrades, downgrades and upgrades again on a real database."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from services.kit.migrations import MIGRATED_SERVICES, downgrade, upgrade
from tests.conftest import Stack, _admin, _with_database


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


@pytest.fixture
def scratch_db(stack: Stack):
    name = f"zhicheng_mig_{uuid.uuid4().hex[:8]}"
    _admin(stack.admin_database_url, f'CREATE DATABASE "{name}"')
    yield _with_database(stack.database_url, name)
    _admin(stack.admin_database_url, f'DROP DATABASE "{name}" WITH (FORCE)')


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
    schemas, versions = asyncio.run(_schemas_and_versions(stack.database_url))
    assert set(MIGRATED_SERVICES) <= schemas
    assert set(versions) == set(MIGRATED_SERVICES)
