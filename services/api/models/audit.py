from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, FetchedValue
from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    """Append-only; `seq`, `at`, `prev_hash` and `hash` are set by the database trigger."""

    __tablename__ = "audit_entry"
    __table_args__ = {"schema": "api"}

    seq: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger, primary_key=True, autoincrement=False, server_default=FetchedValue()
        ),
    )
    declaration_id: uuid.UUID | None = None
    actor_sub: str
    actor_role: str
    actor_org: uuid.UUID | None = None
    at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    action: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    request_id: str | None = None
    prev_hash: str | None = None
    hash: str | None = None


class AuditCheckpoint(SQLModel, table=True):
    """Append-only: the chain head (seq, hash) signed at `at` with AUDIT_CHECKPOINT_KEY."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = {"schema": "api"}

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: str
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    signature: str
