"""Campaigns and their deadlines, checked against the database clock on every write."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.audit import service as audit
from services.api.campaigns.problems import (
    CampaignExists,
    CampaignNotFound,
    DeadlinePassed,
    WindowNotOpen,
)
from services.api.campaigns.schemas import CampaignCreate, CampaignRead
from services.api.clients import rules as rules_client
from services.api.clock import shanghai
from services.api.models import Campaign
from services.kit.auth import Principal
from services.kit.problems import ProblemError

WINDOW_ZH = {
    "submission": "个人申报",
    "unit_review": "单位审核推荐",
    "office_review": "职改办审核",
    "committee_review": "评委会所在职改办接收审核",
    "correction": "补正材料",
    "payment": "缴费",
}


def window_close(campaign: Campaign, kind: str) -> datetime | None:
    window = campaign.windows.get(kind) or {}
    closes = window.get("closes_at")
    return datetime.fromisoformat(closes) if closes else None


def check_window(campaign: Campaign, kind: str, now: datetime, action_zh: str) -> None:
    """Refuse a write outside the campaign's window of this kind (absent window: no limit)."""
    window = campaign.windows.get(kind)
    if not window:
        return
    basis = window.get("basis", "")
    opens = window.get("opens_at")
    closes = window.get("closes_at")
    if opens and now < datetime.fromisoformat(opens):
        at = shanghai(datetime.fromisoformat(opens))
        raise WindowNotOpen(
            f"{campaign.name}的{WINDOW_ZH[kind]}尚未开始（{at}开始，依据：{basis}），暂不能{action_zh}。",
            opens_at=opens,
        )
    if closes and now > datetime.fromisoformat(closes):
        at = shanghai(datetime.fromisoformat(closes))
        raise DeadlinePassed(
            f"{campaign.name}的{WINDOW_ZH[kind]}已于{at}截止（依据：{basis}），不能再{action_zh}。",
            deadline=closes,
        )


def check_review_window(
    campaign: Campaign, kind: str, now: datetime, action_zh: str, *, corrected: bool
) -> None:
    """A reviewer's window; a corrected declaration may still move up within the
    correction window (一次性告知: 在规定时间内再次逐级上报)."""
    try:
        check_window(campaign, kind, now, action_zh)
    except ProblemError:
        if corrected and "correction" in campaign.windows:
            check_window(campaign, "correction", now, action_zh)
        else:
            raise


async def get(session: AsyncSession, campaign_id: uuid.UUID) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    return campaign


async def list_all(session: AsyncSession) -> list[Campaign]:
    return list((await session.exec(select(Campaign).order_by(Campaign.year, Campaign.code))).all())


async def check_committee(rules: httpx.AsyncClient, *, body: CampaignCreate) -> None:
    """The committee must be one the eligibility service resolves for every level."""
    for level in body.levels:
        found = await rules_client.committees(
            rules, {"region": body.region_code, "series": body.series, "level": level}
        )
        if body.committee_code not in {c.get("code") for c in found}:
            known = "、".join(sorted({f"{c.get('code')}（{c.get('name')}）" for c in found}))
            raise ProblemError(
                422,
                "committee-unknown",
                f"评委会 {body.committee_code} 不受理该地区、系列的{level}申报"
                f"（资格评估服务可选：{known or '无'}）。",
                title="Committee not resolvable",
            )


async def create(session: AsyncSession, *, body: CampaignCreate) -> Campaign:
    data = body.model_dump()
    data["windows"] = body.model_dump(mode="json")["windows"]
    campaign = Campaign(**data)
    session.add(campaign)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise CampaignExists(f"批次代码 {body.code} 已存在。") from exc
    return campaign


async def open_campaign(
    session: AsyncSession, principal: Principal, *, rules: httpx.AsyncClient, body: CampaignCreate
) -> CampaignRead:
    """Ops open a campaign whose committee the eligibility service resolves."""
    await check_committee(rules, body=body)
    campaign = await create(session, body=body)
    await audit.record(
        session, principal=principal, action="campaign_created", reason=campaign.code
    )
    return CampaignRead.model_validate(campaign, from_attributes=True)
