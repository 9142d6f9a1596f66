"""The message centre (站内消息): what each person was told, to read in the API.

A notice's message is written with its outbox row, in the same transaction
(services/api/notices.py), so no notice exists without its message; its SMS delivery
state is read from that outbox row. An office's announcement (公告) is one row here per
recipient, pointing at the announcement.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class Announcement(SQLModel, table=True):
    """A campaign-wide announcement an office posts to everyone with a declaration in it
    (within the office's jurisdiction)."""

    __tablename__ = "announcement"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_id: uuid.UUID = Field(foreign_key="api.campaign.id")
    org_id: uuid.UUID = Field(foreign_key="api.org.id")
    title: str
    body: str
    posted_by: str
    posted_role: str
    recipients: int = 0
    posted_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, nullable=False, server_default=func.now())
    )


class Message(SQLModel, table=True):
    """One message to one person (the token's `sub`), applicant or staff."""

    __tablename__ = "message"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recipient_sub: str
    kind: str  # notice | announcement | digest (staff: what reached their queue today)
    title: str
    body: str
    event: str | None = None
    template_code: str | None = None
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    declaration_id: uuid.UUID | None = Field(default=None, foreign_key="api.declaration.id")
    # The outbox row (notify.notification) that carries the SMS, when it is a notice.
    notification_id: uuid.UUID | None = None
    announcement_id: uuid.UUID | None = Field(default=None, foreign_key="api.announcement.id")
    # A scheduled reminder becomes a message when it falls due (its send_after).
    visible_from: datetime = Field(sa_column=Column(TZ, nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    # A message sent at most once per key (a staff digest: person, queue and day).
    dedupe_key: str | None = None
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, nullable=False, server_default=func.now())
    )
