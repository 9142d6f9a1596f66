from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class RegistryLookup(SQLModel, table=True):
    """A declaration's latest answer from one registry, and the last good one.

    `status` is the latest attempt; `data`/`verified_at` the last record found, kept when
    a later attempt fails (unavailable) and cleared only when the registry says not found.
    Holds what the declaration needs, never the ID number.
    """

    __tablename__ = "registry_lookup"
    __table_args__ = {"schema": "api"}

    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", primary_key=True)
    kind: str = Field(primary_key=True)  # the registry: education, titles, …
    status: str
    source: str
    checked_at: datetime = Field(sa_column=Column(TZ, nullable=False, server_default=func.now()))
    warning: str | None = None
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True)))
    verified_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    verified_source: str | None = None
