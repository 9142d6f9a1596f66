"""The committee stage: the expert pool (评委库), sessions (评审会), the drawn panel,
defence slots, and the secret ballot.

Ballots are kept in two tables that share nothing but the session and the declaration:
`ballot_cast` records that an expert voted (so nobody votes twice), `ballot` records a
choice under a random id with no expert, no time and no order. No query, through the API
or otherwise, can join a choice to the expert who made it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Column, DateTime, Numeric, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


def _now_column() -> Any:
    return Field(default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False))


class Expert(SQLModel, table=True):
    """One expert's entry in a committee office's pool (评委库), from their application."""

    __tablename__ = "expert"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    sub: str = Field(unique=True)  # the expert's staff account (staff:<id>)
    office_org_id: uuid.UUID = Field(foreign_key="api.org.id")
    name: str
    series: str
    specialties: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    title: str
    employer_org_id: uuid.UUID | None = Field(default=None, foreign_key="api.org.id")
    employer_name: str
    region_code: str
    # Orgs the expert declares a conflict with (a former employer, a relative's employer).
    conflict_org_ids: list[uuid.UUID] = Field(
        sa_column=Column(ARRAY(PG_UUID(as_uuid=True)), nullable=False, server_default="{}")
    )
    # pending → approved | rejected; approved ⇄ suspended; any → retired.
    status: str = "pending"
    version: int = 1
    decided_by: str | None = None
    decision_reason: str | None = None
    created_at: datetime | None = _now_column()
    updated_at: datetime | None = _now_column()


class CommitteeSetting(SQLModel, table=True):
    """A committee's own panel rules; a committee without a row uses the national defaults."""

    __tablename__ = "committee_setting"
    __table_args__ = {"schema": "api"}

    committee_code: str = Field(primary_key=True)
    tier: str  # provincial | prefecture
    min_panel: int
    quorum_num: int
    quorum_den: int
    pass_num: int
    pass_den: int
    updated_by: str
    updated_at: datetime = Field(sa_column=Column(TZ, nullable=False))


class CommitteeSession(SQLModel, table=True):
    """A committee's sitting (评审会) for one campaign and level."""

    __tablename__ = "committee_session"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    office_org_id: uuid.UUID = Field(foreign_key="api.org.id")
    committee_code: str
    campaign_id: uuid.UUID = Field(foreign_key="api.campaign.id")
    series: str
    level: str
    panel_size: int
    # specialty → seats; empty: one group drawn from every candidate.
    mix: dict[str, int] = Field(sa_column=Column(JSONB, nullable=False))
    # The rule in force when the session was created (the committee's setting then).
    rule: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    # created → drawn → open → closed
    status: str = "created"
    version: int = 1
    seed_sha256: str | None = None
    seed: str | None = None  # revealed in the transaction that draws
    # Expert ids in the stable order the draw walked, per group, as drawn from.
    candidates: dict[str, list[str]] | None = Field(default=None, sa_column=Column(JSONB))
    recusals: int = 0
    # The judging rules in force when created: an excerpt of the campaign's policy pack
    # (committee, `judging` entry, the clauses it cites); None: the national secret ballot.
    judging: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    created_by: str
    created_at: datetime | None = _now_column()
    updated_at: datetime | None = _now_column()
    opened_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    closed_at: datetime | None = Field(default=None, sa_column=Column(TZ))


class SessionDeclaration(SQLModel, table=True):
    """A declaration before a session; its outcome once the session closes."""

    __tablename__ = "session_declaration"
    __table_args__ = {"schema": "api"}

    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id", index=True)
    outcome: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))


class PanelSeat(SQLModel, table=True):
    """An expert the draw put on a session's panel (recused seats are kept)."""

    __tablename__ = "panel_seat"
    __table_args__ = {"schema": "api"}

    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id", primary_key=True)
    expert_id: uuid.UUID = Field(foreign_key="api.expert.id", primary_key=True)
    expert_sub: str
    seat: int  # order drawn, 1..
    group: str  # the specialty drawn for ("*" without a mix)
    round: int  # 0: the draw; n: the replacement for the n-th recusal
    status: str = "active"  # active | recused
    recusal_reason: str | None = None
    recused_in: int | None = None  # n: the session's n-th recusal
    present: bool = False


class DefenceSlot(SQLModel, table=True):
    """A declaration's defence (专业答辩) before the session's panel."""

    __tablename__ = "defence_slot"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id", index=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", unique=True)
    starts_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    minutes: int
    place: str | None = None
    video_link: str | None = None
    scheduled_by: str


class BallotCast(SQLModel, table=True):
    """That an expert voted on a declaration; never what."""

    __tablename__ = "ballot_cast"
    __table_args__ = {"schema": "api"}

    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id", primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", primary_key=True)
    expert_id: uuid.UUID = Field(foreign_key="api.expert.id", primary_key=True)


class Ballot(SQLModel, table=True):
    """A choice, under a random id: no expert, no time, no order."""

    __tablename__ = "ballot"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id")
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", index=True)
    choice: str  # agree | disagree | abstain


class DefenceMarkCast(SQLModel, table=True):
    """That an expert marked a declaration's defence (答辩); never what."""

    __tablename__ = "defence_mark_cast"
    __table_args__ = {"schema": "api"}

    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id", primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", primary_key=True)
    expert_id: uuid.UUID = Field(foreign_key="api.expert.id", primary_key=True)


class DefenceMark(SQLModel, table=True):
    """One expert's 答辩 marks (答辩材料学术水平, 现场答辩, each on 100), under a random id:
    no expert, no time, no order."""

    __tablename__ = "defence_mark"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id")
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", index=True)
    material: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    live: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))


class DefenceGrade(SQLModel, table=True):
    """A declaration's 答辩成绩 grade (优/中/差), entered by the office or given by rank."""

    __tablename__ = "defence_grade"
    __table_args__ = {"schema": "api"}

    declaration_id: uuid.UUID = Field(
        foreign_key="api.session_declaration.declaration_id", primary_key=True
    )
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id", index=True)
    grade: str  # excellent | medium | poor
    source: str  # office | rank
    set_by: str
    set_at: datetime = Field(sa_column=Column(TZ, nullable=False))


class PointsAdjustment(SQLModel, table=True):
    """An expert's or the office's change to one 量化赋分 item, with its reason."""

    __tablename__ = "points_adjustment"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="api.committee_session.id")
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", index=True)
    item: str
    points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    reason: str
    by_sub: str
    by_role: str
    created_at: datetime | None = _now_column()
