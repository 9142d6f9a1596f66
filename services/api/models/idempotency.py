from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST, kept so that a retry with the same key gets it again."""

    __tablename__ = "idempotency_record"
    __table_args__ = {"schema": "api"}

    principal: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    method: str
    path: str
    body_sha256: str
    status_code: int | None = None
    response: Any | None = Field(default=None, sa_column=Column(JSONB))
    headers: dict[str, str] | None = Field(default=None, sa_column=Column(JSONB))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), server_default=func.now())
    )
