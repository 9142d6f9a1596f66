"""Tables of the documents schema (`table=True` only; request bodies live in schemas.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

STATUS_ACCEPTED = "accepted"
STATUS_REJECTED = "rejected"
# Written no more (the gateway records replacements); rows from before may still say so.
STATUS_SUPERSEDED = "superseded"


def _now() -> datetime:
    return datetime.now(UTC)


class Document(SQLModel, table=True):
    """One uploaded file and what the checks found. Accepted rows point at a written object;
    rejected rows point at none (the bytes are not kept)."""

    __tablename__ = "document"
    __table_args__ = (
        sa.Index("ix_document_declaration", "declaration_id"),
        # Two accepted copies of the same bytes on one declaration: the second loses.
        sa.Index(
            "uq_document_accepted_sha",
            "declaration_id",
            "received_sha256",
            unique=True,
            postgresql_where=sa.text("status = 'accepted'"),
        ),
        sa.Index("ix_document_object_key", "object_key"),
        {"schema": "documents"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    status: str = Field(max_length=16)
    uploader_id: str | None = Field(default=None, max_length=64)
    original_name: str | None = Field(default=None, max_length=255)
    note: str | None = Field(default=None, max_length=500)
    received_size: int
    received_sha256: str = Field(max_length=64)
    received_mime: str | None = Field(default=None, max_length=100)
    stored_size: int | None = None
    stored_sha256: str | None = Field(default=None, max_length=64)
    stored_mime: str | None = Field(default=None, max_length=100)
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    upright_method: str | None = Field(default=None, max_length=32)
    bucket: str | None = Field(default=None, max_length=63)
    object_key: str | None = Field(default=None, max_length=300)
    version_id: str | None = Field(default=None, max_length=200)
    replaces_id: uuid.UUID | None = None
    superseded_by_id: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
