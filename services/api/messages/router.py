"""HTTP for the message centre (站内消息) and office announcements (公告).

Everyone signed in reads their own messages (applicants and staff alike); the offices
post announcements to a campaign within their jurisdiction. wx.request has no PATCH:
marking read is a POST."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.api.access import OFFICE_ROLES, SIGNED_IN, PrincipalDep, allow
from services.api.campaigns.problems import CampaignNotFound
from services.api.http import WriteDep
from services.api.messages import service
from services.api.messages.problems import AnnouncementNoRecipients, MessageNotFound
from services.api.messages.schemas import (
    AnnouncementCreate,
    AnnouncementRead,
    MessagePage,
    MessageRead,
    ReadAll,
    UnreadCount,
)
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

router = APIRouter(tags=["messages"], dependencies=SIGNED_IN)
NOT_PORTALS = [allow("applicant", "unit_reviewer", *OFFICE_ROLES, "supervisor", "expert", "ops")]


@router.get(
    "/v1/me/messages",
    dependencies=NOT_PORTALS,
    response_model=MessagePage,
    summary=("我的站内消息（最新在前，游标分页）：通知及其短信送达状态、公告"),
    responses=documented(Forbidden),
    description=(
        "读取本人的站内消息，最新的在前，用 cursor 翻页，可只看未读："
        "流转通知（附短信送达状态）、职改办公告，"
        "以及工作人员每日的待办汇总。每位已登录用户（申报人和工作人员"
        "）只能读到自己的消息；对接平台和服务账号不可调用。"
    ),
)
async def messages(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    unread_only: bool = False,
) -> MessagePage:
    return await service.page(
        session, principal, cursor=cursor, limit=limit, unread_only=unread_only
    )


@router.get(
    "/v1/me/messages/unread-count",
    dependencies=NOT_PORTALS,
    response_model=UnreadCount,
    summary="我的未读站内消息数",
    responses=documented(Forbidden),
    description=("答复本人未读站内消息的条数，供显示角标。每位已登录用户可调用，只计自己的消息。"),
)
async def unread_count(session: SessionDep, principal: PrincipalDep) -> UnreadCount:
    return await service.unread(session, principal)


@router.post(
    "/v1/me/messages/read-all",
    dependencies=NOT_PORTALS,
    response_model=ReadAll,
    summary="将我的全部站内消息标为已读（已读的保留首次阅读时间）",
    responses=documented(Forbidden),
    description=(
        "把本人全部未读消息标为已读，答复本次标记的条数和仍未读的条数"
        "（标记期间新到的消息）。已读过的消息保留首次阅读时间。"
        "每位已登录用户可调用，只作用于自己的消息。"
    ),
)
async def mark_all_read(write: WriteDep) -> JSONResponse:
    return await write.apply(service.mark_all_read)


@router.post(
    "/v1/me/messages/{message_id}/read",
    dependencies=NOT_PORTALS,
    response_model=MessageRead,
    summary="将一条站内消息标为已读（重复标记保留首次阅读时间）",
    responses=validated(Forbidden, MessageNotFound),
    description=(
        "把本人的一条消息标为已读并答复该消息；"
        "重复标记不改首次阅读时间。只能标记自己的消息，"
        "别人的消息答复 404。"
    ),
)
async def mark_read(message_id: uuid.UUID, write: WriteDep) -> JSONResponse:
    return await write.apply(service.mark_read, message_id=message_id)


@router.post(
    "/v1/campaigns/{campaign_id}/announcements",
    status_code=201,
    dependencies=[allow(*OFFICE_ROLES)],
    response_model=AnnouncementRead,
    summary=("职改办发布批次公告：发给本辖区内在该批次有申报的每一位申报人（审计）"),
    responses=validated(Forbidden, CampaignNotFound, AnnouncementNoRecipients),
    description=(
        "县区、系列或评委会的职改办就一个申报批次发布公告（标题和正文"
        "），送到本辖区内在该批次有申报书的每一位申报人的站内消息"
        "（尚未提交的草稿、已撤回和视为放弃的申报人也在内；只发站内消息，不发短信），"
        "并记入审计。只有这些职改办可调用，且批次须在其辖区内。"
    ),
)
async def announce(
    campaign_id: uuid.UUID, body: AnnouncementCreate, write: WriteDep
) -> JSONResponse:
    return await write.apply(service.announce, status_code=201, campaign_id=campaign_id, body=body)
