"""Request and response models of the message centre."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.kit.text import PlainLine

SmsState = Literal["pending", "sent", "delivered", "failed", "not_sent"]


class MessageRead(BaseModel):
    id: uuid.UUID
    kind: Literal["notice", "announcement", "digest"] = Field(
        description="notice (with an SMS), announcement (公告), digest (staff: declarations "
        "that reached your queue today, one message a queue a day)"
    )
    title: str
    body: str
    event: str | None = None
    declaration_id: uuid.UUID | None = None
    announcement_id: uuid.UUID | None = None
    at: datetime = Field(description="when it reached the message centre")
    read_at: datetime | None = None
    sms: SmsState | None = Field(
        default=None,
        description=(
            "The SMS that carried it: pending (queued or retrying), sent, delivered, failed, "
            "not_sent (moot before it could be sent); null where no SMS went (no verified "
            "phone, or an announcement)."
        ),
    )


class MessagePage(BaseModel):
    items: list[MessageRead]
    next_cursor: str | None = None
    unread: int = Field(description="unread messages in all (not only this page)")


class UnreadCount(BaseModel):
    unread: int


class ReadAll(BaseModel):
    marked: int = Field(description="messages marked read by this call")
    unread: int = Field(description="unread messages left (one that arrived meanwhile)")


class AnnouncementCreate(BaseModel):
    title: PlainLine = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=2000)


class AnnouncementRead(BaseModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    org_id: uuid.UUID
    title: str
    body: str
    recipients: int
    posted_at: datetime
