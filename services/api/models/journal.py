from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class Journal(SQLModel, table=True):
    """One entry of the journal register (涉嫌非法出版物数据库 and the legitimate titles)."""

    __tablename__ = "journal"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    issn: str | None = None
    cn: str | None = None
    name: str
    name_key: str
    status: str  # legitimate | suspected_illegal | ceased
    source: str
    listed_on: date
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )


class DeclarationClaim(SQLModel, table=True):
    """A paper or achievement a submitted declaration claims as sole or first author."""

    __tablename__ = "declaration_claim"
    __table_args__ = {"schema": "api"}

    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", primary_key=True)
    kind: str = Field(primary_key=True)  # paper | achievement
    fingerprint: str = Field(primary_key=True)
    year: int
    applicant_sub: str
    label: str


class PaperFlag(SQLModel, table=True):
    """One paper of one submission checked against the register, as it stood then.

    Append-only: a later register (a journal listed or cleared) never rewrites what a
    submission was checked against; reads add today's matches beside it.
    """

    __tablename__ = "paper_flag"
    __table_args__ = {"schema": "api"}

    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", primary_key=True)
    n: int = Field(primary_key=True)  # the submission (declaration.submission_count)
    paper_index: int = Field(primary_key=True)
    title: str
    journal: str
    issn_cn: str | None = None
    level: str  # risk | notice | none
    matched_by: str | None = None  # issn | cn | name
    message: str | None = None
    journal_id: uuid.UUID | None = Field(default=None, foreign_key="api.journal.id")
    journal_name: str | None = None
    journal_issn: str | None = None
    journal_cn: str | None = None
    journal_status: str | None = None
    journal_source: str | None = None
    journal_listed_on: date | None = None
    recorded_at: datetime = Field(sa_column=Column(TZ, server_default=func.now(), nullable=False))
