from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import Boolean, Column, DateTime, false, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


# Every status a declaration can be in (ck_declaration_status, migrations api_0004 and
# api_0026, has the same list): a list filter outside it is a validation problem.
DeclarationStatus = Literal[
    "draft", "submitted", "unit_review", "supervisor_review", "county_review",
    "series_office_review", "committee_office_review", "returned", "accepted", "payment_due",
    "paid", "evaluated", "approved", "rejected", "withdrawn", "abandoned",
]  # fmt: skip
STATUSES: tuple[str, ...] = get_args(DeclarationStatus)

# Statuses in which a declaration no longer holds the year's one declaration of its
# level, nor its papers (uq_declaration_same_level_year has the same list): a draft, a
# withdrawn one, and an abandoned one (视为放弃: its return lapsed, chain/lapses.py).
GIVEN_UP = ("draft", "withdrawn", "abandoned")


class Declaration(SQLModel, table=True):
    __tablename__ = "declaration"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_id: uuid.UUID = Field(foreign_key="api.campaign.id")
    applicant_sub: str
    applicant_phone: str | None = None
    unit_org_id: uuid.UUID = Field(foreign_key="api.org.id")
    year: int
    series: str
    level: str
    specialty: str | None = None
    path: str
    committee_code: str
    sections: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    attachments: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    applicant_facts: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    status: str = "draft"
    version: int = 1
    current_position: int | None = None
    submission_count: int = 0
    eligibility: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    fee_yuan: int | None = None
    copied_from_id: uuid.UUID | None = None
    # Whether a unit_review row exists for it: kept by triggers on unit_review (api_0036)
    # for the unit calendar's index; never written by the gateway.
    unit_review_recorded: bool = Field(
        default=False, sa_column=Column(Boolean, server_default=false(), nullable=False)
    )
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )


class DeclarationSnapshot(SQLModel, table=True):
    """The declaration as submitted, frozen and hashed (append-only in the database)."""

    __tablename__ = "declaration_snapshot"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id")
    n: int
    taken_at: datetime | None = Field(default=None, sa_column=Column(TZ, server_default=func.now()))
    content: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    sha256: str


class DeclarationDocument(SQLModel, table=True):
    """A document the document service checked and stored for this declaration, as the
    gateway records it: the one owner of which document is in force for which material.

    A row is written (under the declaration's lock) when an accepted upload is recorded;
    a replacement marks the row it replaces `superseded_by_id` in the same transaction and
    keeps it, so reviewers still see what an earlier submission named. Attachments
    (`Declaration.attachments`) may only name rows of their declaration still in force.
    """

    __tablename__ = "declaration_document"
    __table_args__ = {"schema": "api"}

    document_id: uuid.UUID = Field(primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", index=True)
    document_kind: str = Field(max_length=64)
    # The policy material its kind serves; None for a kind serving no one material
    # (其他证明材料), whose attachment names the material it is meant for.
    material: str | None = Field(default=None, max_length=64)
    replaces_id: uuid.UUID | None = None
    superseded_by_id: uuid.UUID | None = None
    recorded_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    superseded_at: datetime | None = Field(default=None, sa_column=Column(TZ))
