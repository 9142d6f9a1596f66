"""Document intake, listing, downloads and deletion: a checked file store.

Which document serves which material of a declaration, and which one replaced which,
is the gateway's record; this service checks, stores, lists, deletes and signs.

Order of an accepted upload: checks (worker thread) → object written and verified on S3
(worker thread) → row flushed; the request's session commits it before the answer is
sent. An object whose row never commits is removed later by the sweeper.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import anyio
from minio import Minio
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.documents import storage
from services.documents.checks import CheckConfig, Finding, Inspection, duplicate
from services.documents.checks.pipeline import inspect, needed
from services.documents.kinds import KindRules
from services.documents.models import (
    STATUS_ACCEPTED,
    STATUS_REJECTED,
    Document,
)
from services.documents.normalise import Normalised, NormaliseError, normalise
from services.documents.problems import DocumentNotFound, DocumentNotStored, Duplicate
from services.kit.db import Prepared as PreparedRead
from services.kit.db import fetch_one

logger = logging.getLogger("zhicheng.documents")


@dataclass(frozen=True)
class Runtime:
    """What the service functions need from the running app."""

    s3: Minio
    bucket: str
    # Signs download links for the public address (the same client as s3 when none is set).
    links: Minio
    checks: CheckConfig
    cpu: anyio.CapacityLimiter
    io: anyio.CapacityLimiter


@dataclass
class Prepared:
    inspection: Inspection
    stored: bytes | None
    stored_mime: str | None
    normalised: Normalised | None
    received_sha256: str = ""
    stored_sha256: str | None = None


def _prepare_and_hash(
    data: bytes, kind: KindRules, filename: str | None, cfg: CheckConfig, normalize: bool
) -> Prepared:
    prepared = _prepare(data, kind, filename, cfg, normalize)
    prepared.received_sha256 = hashlib.sha256(data).hexdigest()
    if prepared.stored is data:
        prepared.stored_sha256 = prepared.received_sha256
    elif prepared.stored is not None:
        prepared.stored_sha256 = hashlib.sha256(prepared.stored).hexdigest()
    return prepared


def _prepare(
    data: bytes, kind: KindRules, filename: str | None, cfg: CheckConfig, normalize: bool
) -> Prepared:
    """CPU-bound: checks, then (when asked and possible) normalisation. Runs in a thread."""
    ins = inspect(data, kind, filename=filename, cfg=cfg, normalising=normalize)
    if ins.errors or ins.mime == "application/pdf":
        return Prepared(ins, None if ins.errors else data, ins.mime, None)
    if (
        not normalize
        or ins.image is None
        or not needed(ins.mime, ins.size, kind.max_bytes, ins.exif_rotated)
    ):
        return Prepared(ins, data, ins.mime, None)
    try:
        out = normalise(
            ins.image,
            mime=ins.mime,
            size=ins.size,
            limit=kind.max_bytes,
            exif_rotated=ins.exif_rotated,
            min_side=min(kind.min_width, kind.min_height),
        )
    except NormaliseError:
        ins.add(
            Finding(
                "normalise-failed",
                "error",
                f"无法在保证清晰度的前提下将图片压缩到 {kind.max_bytes // 1024} KB 以内。"
                "请重新扫描（建议 150–300 dpi、JPG 格式）后上传。",
            )
        )
        return Prepared(ins, None, ins.mime, None)
    ins.width, ins.height = out.width, out.height
    return Prepared(ins, out.data, "image/jpeg", out)


async def check_file(
    rt: Runtime, data: bytes, kind: KindRules, *, filename: str | None, normalize: bool
) -> Prepared:
    fn = partial(_prepare_and_hash, data, kind, filename, rt.checks, normalize)
    prepared = await anyio.to_thread.run_sync(fn, limiter=rt.cpu)
    prepared.inspection.image = None  # free the decoded pixels early
    return prepared


# The twin lookup, its SQL compiled once per dialect (`fetch_one`).
_TWIN = sa_select(Document.id, Document.kind).where(
    Document.declaration_id == bindparam("declaration_id", required=False),
    Document.received_sha256 == bindparam("sha", required=False),
    Document.status == STATUS_ACCEPTED,
)
_TWIN_READS: dict[str, PreparedRead] = {}


async def _accepted_with_sha(
    session: AsyncSession, declaration_id: str, sha: str
) -> tuple[uuid.UUID, str] | None:
    """Id and kind of an accepted document of this declaration with the same bytes.

    Read outside the request's transaction by the driver itself (services/kit/db.py
    `fetch_one`): one round trip in autocommit (no BEGIN, no ROLLBACK), no connection held
    while the object then travels to S3, and none of SQLAlchemy's per-statement work
    (compiling, result processing, resetting the connection on its return). Under READ
    COMMITTED a statement sees the same committed rows inside a transaction or out of
    it; the unique index still refuses a concurrent twin when the row is written
    (upload)."""
    engine = session.bind
    assert isinstance(engine, AsyncEngine)
    prepared = _TWIN_READS.get(engine.dialect.name)
    if prepared is None:
        prepared = _TWIN_READS[engine.dialect.name] = PreparedRead(engine.dialect, _TWIN)
    row = await fetch_one(engine, prepared, declaration_id=declaration_id, sha=sha)
    return None if row is None else (row["id"], row["kind"])


async def upload(
    session: AsyncSession,
    rt: Runtime,
    *,
    declaration_id: str,
    kind: KindRules,
    data: bytes,
    filename: str | None,
    uploader_id: str | None,
    note: str | None,
    normalize: bool,
) -> Document:
    """Check and (if nothing blocks) store one file; returns the row, accepted or rejected."""
    prepared = await check_file(rt, data, kind, filename=filename, normalize=normalize)
    received_sha = prepared.received_sha256
    ins = prepared.inspection
    twin = await _accepted_with_sha(session, declaration_id, received_sha)
    if twin is not None:
        ins.add(duplicate.finding(str(twin[0]), twin[1]))
    doc = Document(
        declaration_id=declaration_id,
        kind=kind.code,
        status=STATUS_REJECTED,
        uploader_id=uploader_id,
        original_name=(filename or None) and filename[:255],
        note=note,
        received_size=len(data),
        received_sha256=received_sha,
        received_mime=ins.mime,
        width=ins.width,
        height=ins.height,
        pages=ins.pages,
        findings=[f.as_dict() for f in ins.findings],
        changes=list(prepared.normalised.changes) if prepared.normalised else [],
        upright_method=ins.upright_method,
    )
    if ins.errors or prepared.stored is None:
        session.add(doc)
        await session.flush()
        return doc
    # Nothing is written or locked yet, and the twin was read outside the session: no
    # connection is held while the object goes to S3 (up to S3_READ_TIMEOUT on a slow
    # store), so uploads in flight do not hold one each (the rollback ends a transaction
    # only if a caller read through the session before). The row is written in a fresh
    # transaction; the unique index still refuses a concurrent twin (below).
    await session.rollback()
    stored = prepared.stored
    stored_sha = prepared.stored_sha256 or hashlib.sha256(stored).hexdigest()
    stored_mime = prepared.stored_mime or "application/octet-stream"
    key = storage.object_key(declaration_id, str(doc.id), stored_sha, stored_mime)
    try:
        version = await anyio.to_thread.run_sync(
            storage.put_verified,
            rt.s3,
            rt.bucket,
            key,
            stored,
            stored_mime,
            stored_sha,
            limiter=rt.io,
        )
    except Exception as exc:
        if storage.is_unavailable(exc):
            raise storage.unavailable() from exc
        raise
    doc.status = STATUS_ACCEPTED
    doc.stored_size, doc.stored_sha256, doc.stored_mime = len(stored), stored_sha, stored_mime
    doc.bucket, doc.object_key, doc.version_id = rt.bucket, key, version or None
    session.add(doc)
    try:
        await session.flush()
    except IntegrityError as exc:
        # A concurrent upload of the same bytes won the race; our object is swept later.
        await session.rollback()
        raise Duplicate(duplicate.finding("", kind.code).message) from exc
    return doc


async def get(session: AsyncSession, document_id: uuid.UUID) -> Document:
    doc = await session.get(Document, document_id)
    if doc is None:
        raise DocumentNotFound()
    return doc


async def list_for_declaration(
    session: AsyncSession, declaration_id: str, *, include_inactive: bool = False
) -> list[Document]:
    query = select(Document).where(Document.declaration_id == declaration_id)
    if not include_inactive:
        query = query.where(Document.status == STATUS_ACCEPTED)
    rows = await session.exec(query.order_by(Document.created_at, Document.id))
    return list(rows.all())


async def delete(session: AsyncSession, doc: Document) -> None:
    """The row goes now; the object (all versions) goes with the next sweep."""
    await session.delete(doc)
    await session.flush()


async def download_link(rt: Runtime, doc: Document, *, seconds: int) -> tuple[str, datetime]:
    if doc.object_key is None or doc.bucket is None:
        raise DocumentNotStored()
    fn = partial(storage.presign, rt.links, doc.bucket, doc.object_key, doc.version_id, seconds)
    url = await anyio.to_thread.run_sync(fn, limiter=rt.io)
    return url, datetime.now(UTC) + timedelta(seconds=seconds)
