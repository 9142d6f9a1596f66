from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class Certificate(SQLModel, table=True):
    """An electronic title certificate (职称电子证书) of an approved declaration: its data
    as signed (`certificates/model.py` CertificateData), the office's signature over the
    data's canonical bytes, and its revocation once there is one."""

    __tablename__ = "certificate"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", unique=True)
    number: str = Field(unique=True)
    committee_code: str
    year: int
    serial: int
    data: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    signature: str
    issued_by: str
    issued_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    revoked_by: str | None = None
    revoked_by_role: str | None = None
    revocation_reason: str | None = None
    revocation_document: str | None = None


class CertificateSerial(SQLModel, table=True):
    """The last serial given per committee and year (certificate numbers count from 1)."""

    __tablename__ = "certificate_serial"
    __table_args__ = {"schema": "api"}

    committee_code: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    last: int
