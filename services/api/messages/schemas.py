"""Request and response models of the message centre."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.messages import examples
from services.kit.text import PlainLine

SmsState = Literal["pending", "sent", "delivered", "failed", "not_sent"]


class MessageRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.MESSAGE_READ]}
    )
    id: uuid.UUID
    """消息编号"""
    kind: Literal["notice", "announcement", "digest"] = Field(
        description=(
            "消息类别：notice 流转通知（同时发短信）；"
            "announcement 职改办公告；digest 工作人员每日待办汇总（每个待"
            "办队列每天一条）"
        )
    )
    title: str
    """标题"""
    body: str
    """正文"""
    event: str | None = None
    """引起通知的流转事件；没有则为 null"""
    declaration_id: uuid.UUID | None = None
    """相关申报书编号；没有则为 null"""
    announcement_id: uuid.UUID | None = None
    """公告编号（仅公告）；否则为 null"""
    at: datetime = Field(description="消息到达站内消息的时间")
    read_at: datetime | None = None
    """首次阅读时间；未读为 null"""
    sms: SmsState | None = Field(
        default=None,
        description=(
            "同一通知的短信状态：pending 排队或重试中；sent 已发出；"
            "delivered 已送达；failed 失败；not_sent 已无须发送。"
            "没有发短信（无已验证手机号或为公告）时为 null"
        ),
    )


class MessagePage(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.MESSAGE_PAGE]}
    )
    items: list[MessageRead]
    """本页的消息，最新在前"""
    next_cursor: str | None = None
    """下一页的游标；没有更多时为 null"""
    unread: int = Field(description="未读消息总数（不只本页）")


class UnreadCount(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.UNREAD_COUNT]}
    )
    unread: int
    """未读消息条数"""


class ReadAll(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.READ_ALL]}, use_attribute_docstrings=True
    )
    marked: int = Field(description="本次标为已读的条数")
    unread: int = Field(description="仍未读的条数（标记期间新到的消息）")


class AnnouncementCreate(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.ANNOUNCEMENT_CREATE]},
    )
    title: PlainLine = Field(min_length=1, max_length=100)
    """公告标题"""
    body: str = Field(min_length=1, max_length=2000)
    """公告正文"""


class AnnouncementRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.ANNOUNCEMENT_READ]}
    )
    id: uuid.UUID
    """公告编号"""
    campaign_id: uuid.UUID
    """申报批次编号"""
    org_id: uuid.UUID
    """发布公告的职改办编号"""
    title: str
    """公告标题"""
    body: str
    """公告正文"""
    recipients: int
    """收到公告的申报人数"""
    posted_at: datetime
    """发布时间"""
