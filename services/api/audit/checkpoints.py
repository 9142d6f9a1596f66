"""Signed checkpoints of the audit chain, anchored outside the database.

The database builds the sha256 chain, but whoever owns the table could rewrite a row
and recompute every hash after it. A checkpoint signs the chain head (seq, hash) and
the time with HMAC-SHA256 under AUDIT_CHECKPOINT_KEY, a key the database never holds,
and is kept twice: a row in `api.audit_checkpoint` (the app role may only append) and an
object `audit-checkpoints/<seq>.json` in a versioned bucket, written once and never
overwritten. Verification (`verify`) checks every checkpoint found in either place: its
signature, that the chain row at its seq still has its hash, and that both copies agree,
reading every version the store kept (a deleted or overwritten object leaves one).

Checkpoints are signed at every posting list export (printed in it), periodically
(`run_periodically`, one replica at a time) and when ops verify the chain. Anything that
prints or exports an official document (certificates, later) calls `for_export`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
import urllib3
from fastapi import Request
from minio import Minio
from minio.error import MinioException, S3Error
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit.problems import AuditAnchorUnavailable, AuditCheckpointConflict
from services.api.audit.service import GENESIS, verify_chain
from services.api.models import AuditCheckpoint, AuditEntry
from services.api.notices import stop_if_cancelled
from services.kit.problems import ProblemError
from services.kit.s3 import make_s3_client
from services.kit.settings import KitSettings

logger = logging.getLogger("zhicheng.api.audit")
PREFIX = "audit-checkpoints/"
DOMAIN = "zhicheng-audit-checkpoint-v1"
RETRY_AFTER_SECONDS = 10
STORE_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    signature: str

    @property
    def at_text(self) -> str:
        return self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def printed(self) -> str:
        """The line an export carries (the posting list; certificates later)."""
        return (
            f"审计校验点：序号 {self.seq}，链头哈希 {self.hash}，时间 {self.at_text}，"
            f"签名 {self.signature}"
        )

    def header(self) -> str:
        """The same, as an HTTP header value (`Audit-Checkpoint`)."""
        return f"seq={self.seq}; hash={self.hash}; at={self.at_text}; signature={self.signature}"

    def to_json(self) -> bytes:
        body = {"seq": self.seq, "hash": self.hash, "at": self.at_text, "signature": self.signature}
        return json.dumps(body, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Checkpoint:
        body = json.loads(data)
        at = datetime.strptime(body["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return cls(int(body["seq"]), str(body["hash"]), at, str(body["signature"]))

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> Checkpoint:
        return cls(row.seq, row.hash, row.at, row.signature)


def signature(key: str, seq: int, head_hash: str, at: datetime) -> str:
    at_text = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    message = f"{DOMAIN}|{seq}|{head_hash}|{at_text}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signed(key: str, seq: int, head_hash: str, at: datetime) -> Checkpoint:
    return Checkpoint(seq, head_hash, at, signature(key, seq, head_hash, at))


def is_genuine(checkpoint: Checkpoint, key: str) -> bool:
    expected = signature(key, checkpoint.seq, checkpoint.hash, checkpoint.at)
    return hmac.compare_digest(expected, checkpoint.signature)


# --- the object store ------------------------------------------------------------------


def unavailable() -> ProblemError:
    return AuditAnchorUnavailable(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def conflict(seq: int) -> ProblemError:
    return AuditCheckpointConflict(
        f"对象存储中序号 {seq} 的审计校验点与数据库中的审计链不符，审计记录可能已被篡改。"
        "请运维人员立即核查（GET /v1/audit/verification）。",
        seq=seq,
    )


@dataclass(frozen=True)
class StoredVersion:
    """One version of one checkpoint object; `checkpoint` is None for a delete marker or
    for bytes that are no checkpoint."""

    seq: int
    latest: bool
    deleted: bool
    checkpoint: Checkpoint | None


class Anchor:
    """Checkpoint objects in a versioned bucket (the minio client is synchronous)."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @staticmethod
    def key(seq: int) -> str:
        return f"{PREFIX}{seq:020d}.json"

    def _read(self, key: str, version_id: str | None = None) -> bytes:
        response = self.client.get_object(self.bucket, key, version_id=version_id)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def put_new(self, checkpoint: Checkpoint) -> Checkpoint | None:
        """Write the checkpoint unless its key exists: then return what is there (None when
        unreadable). A key is never overwritten."""
        key = self.key(checkpoint.seq)
        try:
            return _parse(self._read(key))
        except S3Error as exc:
            if exc.code != "NoSuchKey":
                raise
        data = checkpoint.to_json()
        self.client.put_object(
            self.bucket, key, io.BytesIO(data), len(data), content_type="application/json"
        )
        return checkpoint

    def versions(self) -> list[StoredVersion]:
        """Every version of every checkpoint object, delete markers included."""
        listed = list(
            self.client.list_objects(
                self.bucket, prefix=PREFIX, recursive=True, include_version=True
            )
        )

        def one(obj) -> StoredVersion:
            name = obj.object_name.removeprefix(PREFIX).removesuffix(".json")
            seq = int(name) if name.isdigit() else -1
            # The client gives IsLatest as the XML text ("true"/"false") for versions.
            latest = str(obj.is_latest).lower() == "true"
            if obj.is_delete_marker:
                return StoredVersion(seq, latest, True, None)
            found = _parse(self._read(obj.object_name, obj.version_id))
            if found is not None and found.seq != seq:
                found = None  # a checkpoint filed under another seq's key is no copy of it
            return StoredVersion(seq, latest, False, found)

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(one, listed))


def _parse(data: bytes) -> Checkpoint | None:
    try:
        return Checkpoint.from_json(data)
    except (ValueError, KeyError, TypeError):
        return None


def make_anchor(settings: KitSettings) -> Anchor:
    client = make_s3_client(settings, max_connections=8)
    return Anchor(client, settings.audit_checkpoint_bucket or settings.s3_bucket)


# --- signing ---------------------------------------------------------------------------


async def checkpoint(
    maker: async_sessionmaker[AsyncSession], anchor: Anchor, key: str
) -> Checkpoint:
    """Sign the chain head (or return the checkpoint that already signs it) and anchor it.

    Replicas take turns under an advisory lock. The object is written before the row
    commits: if the store fails, nothing is recorded (503); if the commit fails after the
    write, the next call finds the object, checks it and records it.
    """
    async with maker() as session:
        await session.exec(text("SELECT pg_advisory_xact_lock(hashtext('api.audit_checkpoint'))"))
        head = (
            await session.exec(
                select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
            )
        ).first()
        seq, head_hash = (head[0], head[1]) if head else (0, GENESIS)
        existing = await session.get(AuditCheckpoint, seq)
        if existing is not None:
            return Checkpoint.from_row(existing)
        made = signed(key, seq, head_hash, datetime.now(UTC))
        try:
            stored = await anyio.to_thread.run_sync(anchor.put_new, made)
        except STORE_ERRORS as exc:
            logger.warning("audit checkpoint not anchored", extra={"error": repr(exc)})
            raise unavailable() from exc
        if stored != made:
            # Left by an attempt whose commit failed, or not ours: adopt only a genuine
            # checkpoint of this very head.
            if stored is None or stored.hash != head_hash or not is_genuine(stored, key):
                raise conflict(seq)
            made = stored
        session.add(
            AuditCheckpoint(seq=made.seq, hash=made.hash, at=made.at, signature=made.signature)
        )
        await session.commit()
    return made


async def for_export(request: Request) -> Checkpoint:
    """The checkpoint an official export prints: the chain head as of now, signed and
    anchored. Raises 503 audit-anchor-unavailable when the store cannot take it."""
    state = request.app.state
    return await checkpoint(
        state.sessionmaker, state.audit_anchor, state.settings.audit_checkpoint_key
    )


async def run_periodically(
    maker: async_sessionmaker[AsyncSession], anchor: Anchor, key: str, *, interval: float
) -> None:
    while True:
        stop_if_cancelled()
        await asyncio.sleep(interval)
        try:
            made = await checkpoint(maker, anchor, key)
            logger.info("audit checkpoint", extra={"seq": made.seq})
        except Exception:  # an outage must not end the loop
            stop_if_cancelled()
            logger.exception("audit checkpoint failed")


# --- the app role ---------------------------------------------------------------------

# True when the connected role could rewrite the chain: a superuser, the owner of an
# audit table (or a member of its role), or holding UPDATE, DELETE or TRUNCATE on one.
_TOO_STRONG = text(
    """
    SELECT bool_or(
        (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
        OR pg_has_role(current_user, t.tableowner, 'USAGE')
        OR has_table_privilege(format('%I.%I', t.schemaname, t.tablename),
                               'UPDATE, DELETE, TRUNCATE'))
    FROM pg_tables t
    WHERE t.schemaname = 'api' AND t.tablename IN ('audit_entry', 'audit_checkpoint')
    """
)


class AppRoleTooStrong(RuntimeError):
    pass


async def check_app_role(app) -> None:
    """Readiness in production: DATABASE_URL must be the app role, never the owner."""
    async with app.state.engine.connect() as conn:
        too_strong = await conn.scalar(_TOO_STRONG)
    if too_strong:
        raise AppRoleTooStrong(
            "DATABASE_URL connects as a role that owns (or may update or delete) the audit "
            "tables: set DATABASE_URL to the app role and MIGRATION_DATABASE_URL to the owner "
            "(deploy/README.md)"
        )


# --- verification ----------------------------------------------------------------------

PROBLEMS_ZH = {
    "signature": "签名不符：该校验点不是用本系统的密钥签发的，或其内容已被改动",
    "hash": "审计链在该序号处的哈希与校验点不符：其前的审计记录已被改动或删除",
    "missing_in_store": "对象存储中没有该校验点的副本",
    "missing_in_table": "数据库中没有对象存储里的该校验点：数据库中的校验点已被删除",
    "store_differs": "数据库中的校验点与对象存储中的副本不一致",
    "rewritten_in_store": "对象存储中该校验点被覆盖或删除过（存在多个版本或删除标记）",
    "unreadable": "对象存储中的该对象不是有效的校验点",
}


@dataclass
class Report:
    rows: int
    first_broken_seq: int | None
    checkpoints_checked: int
    problems: list[tuple[int, str]]

    @property
    def chain_intact(self) -> bool:
        return self.first_broken_seq is None

    @property
    def checkpoints_intact(self) -> bool:
        return not self.problems

    @property
    def first_bad_checkpoint_seq(self) -> int | None:
        return min((seq for seq, _ in self.problems), default=None)


def _check(claims: Iterable[Checkpoint], hashes: dict[int, str], key: str) -> list[tuple[int, str]]:
    problems = []
    for claim in claims:
        if not is_genuine(claim, key):
            problems.append((claim.seq, "signature"))
        expected = GENESIS if claim.seq == 0 else hashes.get(claim.seq)
        if expected != claim.hash:
            problems.append((claim.seq, "hash"))
    return problems


async def verify(session: AsyncSession, anchor: Anchor, key: str) -> Report:
    rows, broken, hashes = await verify_chain(session)
    table = {
        row.seq: Checkpoint.from_row(row)
        for row in (await session.exec(select(AuditCheckpoint))).all()
    }
    try:
        stored = await anyio.to_thread.run_sync(anchor.versions)
    except STORE_ERRORS as exc:
        logger.warning("audit checkpoints not readable", extra={"error": repr(exc)})
        raise unavailable() from exc
    problems = _check(table.values(), hashes, key)
    problems += _check((v.checkpoint for v in stored if v.checkpoint), hashes, key)
    by_seq: dict[int, list[StoredVersion]] = {}
    for version in stored:
        by_seq.setdefault(version.seq, []).append(version)
        if not version.deleted and version.checkpoint is None:
            problems.append((version.seq, "unreadable"))
    for seq, checkpoint_ in table.items():
        latest = next((v for v in by_seq.get(seq, []) if v.latest), None)
        if latest is None or latest.deleted:
            problems.append((seq, "missing_in_store"))
        elif latest.checkpoint is not None and latest.checkpoint != checkpoint_:
            problems.append((seq, "store_differs"))
    for seq, versions in by_seq.items():
        if seq not in table:
            problems.append((seq, "missing_in_table"))
        if len(versions) > 1:
            problems.append((seq, "rewritten_in_store"))
    return Report(
        rows=rows,
        first_broken_seq=broken,
        checkpoints_checked=len(set(table) | set(by_seq)),
        problems=sorted(set(problems)),
    )


async def verify_and_sign(
    session: AsyncSession, *, maker: async_sessionmaker[AsyncSession], anchor: Anchor, key: str
) -> tuple[Report, Checkpoint | None]:
    """Check the chain and every checkpoint; then sign the head, only when everything
    checked out (never vouch for a broken chain)."""
    report = await verify(session, anchor, key)
    if not (report.chain_intact and report.checkpoints_intact):
        return report, None
    return report, await checkpoint(maker, anchor, key)
