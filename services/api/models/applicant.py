from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class Applicant(SQLModel, table=True):
    """The person behind an applicant's tokens; 身份证号 and phone only sealed + indexed."""

    __tablename__ = "applicant"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    sub: str = Field(unique=True)
    name: str | None = None
    id_number_enc: str | None = None
    id_number_bidx: str | None = None
    phone_enc: str | None = None
    phone_bidx: str | None = None
    status: str = "active"
    # WeChat mini-program openid, bound after a phone check (services/api/auth/wechat.py).
    wechat_openid: str | None = None
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
