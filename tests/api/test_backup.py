"""The documented backup procedure (deploy/README.md) works: pg_dump the database,
restore it into a fresh PostgreSQL, and find the same declarations, audit trail and
notices. Here, beside the gateway's fixtures, because it files a real declaration."""

from __future__ import annotations

import asyncio
import subprocess
import uuid

import asyncpg

from scripts.servers import Postgres, _postgres_bin, free_port
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import add_notification
from tests.api.factories import make_campaign, make_tree, new_draft, submit, token
from tests.conftest import Stack


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


_TABLES = {
    "declarations": "SELECT id, status, level, sections::text FROM api.declaration ORDER BY id",
    "audit": "SELECT * FROM api.audit_entry ORDER BY 1",
    "notices": "SELECT id, dedupe_key, params::text FROM notify.notification ORDER BY id",
}


async def _rows(url: str) -> dict[str, list[tuple]]:
    conn = await asyncpg.connect(_libpq(url))
    try:
        return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in _TABLES.items()}
    finally:
        await conn.close()


async def _seed(url: str) -> None:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        for n in range(5):
            await add_notification(
                session, event="declaration.accepted", template_code="ACCEPTED",
                phone="+8613800000000", params={"n": n, "名称": "工程师"},
                dedupe_key=f"backup:{uuid.uuid4()}",
            )  # fmt: skip
        await session.commit()
    await engine.dispose()


async def _revision(url: str) -> str | None:
    conn = await asyncpg.connect(_libpq(url))
    try:
        return await conn.fetchval("SELECT version_num FROM public.alembic_version_notify")
    finally:
        await conn.close()


async def test_dump_and_restore_into_a_fresh_server(stack: Stack, client, tmp_path) -> None:
    tree = await make_tree(client, label="备份")
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"backup-{uuid.uuid4().hex[:6]}")
    did = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, did, applicant)).status_code == 200
    await _seed(stack.database_url)
    await asyncio.to_thread(_dump_and_restore, stack, tmp_path, did)


def _dump_and_restore(stack: Stack, tmp_path, did: str) -> None:
    before = asyncio.run(_rows(stack.database_url))
    assert any(str(r[0]) == did and r[1] != "draft" for r in before["declarations"])
    assert before["audit"] and len(before["notices"]) >= 5

    dump = tmp_path / "zhicheng.dump"
    # As the owner (MIGRATION_DATABASE_URL): the app role may not read the version tables.
    subprocess.run(
        [str(_postgres_bin() / "pg_dump"), "--format=custom", "--no-owner",
         f"--file={dump}", _libpq(stack.owner_database_url)],
        check=True, capture_output=True,
    )  # fmt: skip
    fresh = Postgres(tmp_path / "restore", free_port(), database="restored").start()
    try:
        subprocess.run(
            # No privileges: they name roles the fresh server does not have (the next
            # `scripts.migrate` grants the app role there).
            [str(_postgres_bin() / "pg_restore"), "--no-owner", "--no-privileges",
             "--exit-on-error",
             f"--dbname={_libpq(fresh.url)}", str(dump)],
            check=True, capture_output=True,
        )  # fmt: skip
        assert asyncio.run(_rows(fresh.url)) == before
        # The migration state came along: the restored database is at the same revision.
        ours = asyncio.run(_revision(stack.owner_database_url))
        assert asyncio.run(_revision(fresh.url)) == ours
    finally:
        fresh.stop(grace=3)
