"""The results stage: 复核 (a declaration's re-vote), the results posting (二次公示) with
its exports, and objections (异议) raised during it.

A re-vote keeps the committee's secrecy: `recheck_ballot_cast` records that an expert
voted in a 复核, `recheck_ballot` a choice under a random id; they share only the 复核.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, LargeBinary, Numeric, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class Recheck(SQLModel, table=True):
    """复核: an evaluated declaration reopened by its office, re-voted, closed again."""

    __tablename__ = "recheck"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", index=True)
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id")
    reason: str
    status: str = "open"  # open → closed
    version: int = 1
    opened_by: str
    opened_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    previous: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    outcome: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))


class RecheckBallotCast(SQLModel, table=True):
    """That an expert voted in a 复核; never what."""

    __tablename__ = "recheck_ballot_cast"
    __table_args__ = {"schema": "api"}

    recheck_id: uuid.UUID = Field(foreign_key="api.recheck.id", primary_key=True)
    expert_id: uuid.UUID = Field(foreign_key="api.expert.id", primary_key=True)


class RecheckBallot(SQLModel, table=True):
    """A 复核 choice under a random id: no expert, no time, no order."""

    __tablename__ = "recheck_ballot"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recheck_id: uuid.UUID = Field(foreign_key="api.recheck.id", index=True)
    choice: str


class RecheckMarkCast(SQLModel, table=True):
    """That an expert gave new 答辩 marks in a scored session's 复核; never what."""

    __tablename__ = "recheck_mark_cast"
    __table_args__ = {"schema": "api"}

    recheck_id: uuid.UUID = Field(foreign_key="api.recheck.id", primary_key=True)
    expert_id: uuid.UUID = Field(foreign_key="api.expert.id", primary_key=True)


class RecheckMark(SQLModel, table=True):
    """A 复核's 答辩 marks under a random id, as the session's (DefenceMark): no expert."""

    __tablename__ = "recheck_mark"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recheck_id: uuid.UUID = Field(foreign_key="api.recheck.id", index=True)
    material: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    live: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))


class RecheckAdjustment(SQLModel, table=True):
    """A 复核's change to one 量化赋分 item, with its reason (added to the session's)."""

    __tablename__ = "recheck_adjustment"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recheck_id: uuid.UUID = Field(foreign_key="api.recheck.id", index=True)
    item: str
    points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    reason: str
    by_sub: str
    by_role: str
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )


class ResultsPosting(SQLModel, table=True):
    """A public list of a closed session's results (二次公示), frozen when published: its
    rows, their content hash, and the exports exactly as served (so a copy can be checked
    byte for byte)."""

    __tablename__ = "results_posting"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id")
    kind: str = "posting"  # posting (二次公示) | publication (the approved list, 主动公开)
    office_org_id: uuid.UUID = Field(foreign_key="api.org.id")
    title: str
    starts_on: date
    ends_on: date
    working_days: int
    rows: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    content_sha256: str
    xlsx: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    xlsx_sha256: str
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    pdf_sha256: str
    published_by: str
    published_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    version: int = 1
    # 结果确认 by the authority the rules name, then 批复 with its document number.
    confirmation_authority: str | None = None
    confirmation_document: str | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    approval_number: str | None = None
    approved_on: date | None = None
    approved_by: str | None = None
    approved_at: datetime | None = Field(default=None, sa_column=Column(TZ))


class ResultsObjection(SQLModel, table=True):
    """异议 against a posted result, from anyone with a phone they proved by SMS code."""

    __tablename__ = "results_objection"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    posting_id: uuid.UUID = Field(foreign_key="api.results_posting.id", index=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", index=True)
    content: str
    contact_name: str
    contact_phone_masked: str
    contact_phone_enc: str  # the phone, encrypted at rest (services/kit/pii)
    status: str = "open"  # open → upheld | dismissed
    version: int = 1
    handling: str | None = None
    handled_by: str | None = None
    handled_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    received_at: datetime = Field(sa_column=Column(TZ, nullable=False))
