"""Orphan sweeper: objects whose row never committed are removed, every version of them.

An upload writes the object first and the row after; if the commit then fails (or the
process dies in between) the object has no row. Deleting a document removes its row
only, leaving the object to this sweeper too. Objects younger than the grace period are
left alone: their row may still be on its way.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import anyio
from minio import Minio
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.documents.models import Document

logger = logging.getLogger("zhicheng.documents.sweeper")
PREFIX = "declarations/"
BATCH = 500


def _old_versions(client: Minio, bucket: str, cutoff: datetime) -> list[tuple[str, str | None]]:
    found = []
    for obj in client.list_objects(bucket, prefix=PREFIX, recursive=True, include_version=True):
        if obj.last_modified is not None and obj.last_modified < cutoff:
            found.append((obj.object_name, obj.version_id))
    return found


def _remove(client: Minio, bucket: str, versions: list[tuple[str, str | None]]) -> None:
    for key, version_id in versions:
        client.remove_object(bucket, key, version_id=version_id)


async def sweep_orphans(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: Minio,
    bucket: str,
    *,
    older_than: timedelta,
) -> list[str]:
    """Remove objects older than `older_than` that no row points at; returns their keys."""
    cutoff = datetime.now(UTC) - older_than
    versions = await anyio.to_thread.run_sync(_old_versions, client, bucket, cutoff)
    keys = sorted({key for key, _ in versions})
    known: set[str] = set()
    async with sessionmaker() as session:
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            rows = await session.exec(
                select(Document.object_key).where(col(Document.object_key).in_(batch))
            )
            known.update(k for k in rows if k is not None)
    orphans = [(key, vid) for key, vid in versions if key not in known]
    if orphans:
        await anyio.to_thread.run_sync(_remove, client, bucket, orphans)
        logger.info("swept orphan objects", extra={"count": len(orphans)})
    return sorted({key for key, _ in orphans})


async def run_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: Minio,
    bucket: str,
    *,
    interval: float,
    grace: float,
) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await sweep_orphans(sessionmaker, client, bucket, older_than=timedelta(seconds=grace))
        except Exception:
            logger.exception("orphan sweep failed; next attempt in %ss", interval)
