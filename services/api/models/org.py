from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field, SQLModel


class Org(SQLModel, table=True):
    """A node of the organisation tree: unit → supervisor → county → series → committee office."""

    __tablename__ = "org"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="api.org.id")
    kind: str
    name: str
    region_code: str
    credit_code: str | None = None
    # What an office does, where a route must name it (economic / construction series office,
    # a county's industry office, the city's hrss office or title office); null: not said.
    duty: str | None = None
    # A unit that is not a local one: central (中直驻桂), out_of_city, out_of_province.
    affiliation: str | None = None
    # approved (added by ops, or a self-registered unit its parent office approved),
    # pending (registered itself, awaiting the parent office), rejected (with the reason).
    status: str = "approved"
    registered_by: str | None = None
    contact_name: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decision_reason: str | None = None
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), server_default=func.now())
    )
