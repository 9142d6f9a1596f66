"""Open judgements: conditions the eligibility service cannot decide, carried with the
filed declaration to the review level the policy names, which records a decision."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class DeclarationJudgement(SQLModel, table=True):
    """One condition of the declaration's path that a reviewer judges (`met: null` with
    `decided_by` in the eligibility answer). `level` is the level the policy names;
    `position` the chain step that decides (that level's step, or the current one when the
    condition is raised again after the chain has passed that level). A decision keeps its
    reason and the clause it rests on; a new submission reopens a rejected judgement."""

    __tablename__ = "declaration_judgement"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id")
    condition_id: str
    path: str
    message: str
    clause: str
    level: str
    level_named: bool
    level_basis: str
    position: int
    status: str = "open"
    raised_in: int
    reason: str | None = None
    decision_clause: str | None = None
    decided_by: str | None = None
    decided_role: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
