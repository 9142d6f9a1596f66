from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Column, DateTime, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


def _now_column() -> Any:
    return Field(default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False))


class OAuthClient(SQLModel, table=True):
    """A portal calling system to system: its credentials, scopes and jurisdiction."""

    __tablename__ = "oauth_client"
    __table_args__ = {"schema": "api"}

    client_id: str = Field(primary_key=True)
    name: str
    secret_hash: str | None = None
    public_keys: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    scopes: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    jurisdiction: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    rate_limit_per_minute: int
    status: str = "active"
    created_at: datetime | None = _now_column()
    updated_at: datetime | None = _now_column()


class StaffAccount(SQLModel, table=True):
    __tablename__ = "staff_account"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(unique=True)
    password_hash: str
    role: str
    org_id: uuid.UUID
    status: str = "active"
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(TZ))
    # An optional mobile phone (reminders by SMS), sealed and indexed as an applicant's.
    phone_enc: str | None = None
    phone_bidx: str | None = None
    created_at: datetime | None = _now_column()
    updated_at: datetime | None = _now_column()


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(unique=True)
    family_id: uuid.UUID
    sub: str
    role: str
    org_id: uuid.UUID | None = None
    # How the family was signed in: sms | wechat | password (None: before it was kept).
    method: str | None = None
    status: str = "active"
    expires_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    created_at: datetime | None = _now_column()
    used_at: datetime | None = Field(default=None, sa_column=Column(TZ))


class SignInEvent(SQLModel, table=True):
    __tablename__ = "sign_in_event"
    __table_args__ = {"schema": "api"}

    id: int | None = Field(default=None, primary_key=True)
    at: datetime | None = _now_column()
    method: str
    subject: str
    outcome: str
    reason: str | None = None
    ip: str | None = None
    request_id: str | None = None
