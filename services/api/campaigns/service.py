"""Campaigns and their deadlines, checked against the database clock on every write."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import get_args

import httpx
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.campaigns.problems import (
    CampaignAlreadyOpen,
    CampaignExists,
    CampaignFeeLevelInvalid,
    CampaignNotFound,
    CampaignNotOwned,
    CampaignOfficeInvalid,
    CommitteeUnknown,
    DeadlinePassed,
    NoPolicyInForce,
    WindowNotOpen,
)
from services.api.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
)
from services.api.clients import rules as rules_client
from services.api.clock import shanghai
from services.api.models import Campaign, Declaration, Org
from services.kit.auth import Principal
from services.kit.problems import ProblemError
from services.kit.vocabulary import SERIES_NAMES, Industry

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


async def check_policy(rules: httpx.AsyncClient, *, body: CampaignCreate | Campaign) -> dict:
    """The pack in force on the campaign's evaluation date; refused here, when the campaign
    is created (or its evaluation date changed), rather than at its first submission."""
    on = body.evaluate_on.isoformat()
    pack = await rules_client.policy_in_force(
        rules, region=body.region_code, series=body.series, on=on
    )
    if pack is None:
        raise NoPolicyInForce(
            f"{body.year}年度批次“{body.name}”的资格评估日期 {on} 没有施行中的评审政策包"
            f"（地区 {body.region_code}，系列 {SERIES_NAMES[body.series]}），不能创建批次。"
            "政策包自施行之日起适用，直至同一系列、地区的新政策包施行为止；"
            "可用 GET /v1/policies 查看已有政策包及其施行日期。",
            errors=[
                {"field": "evaluate_on", "message": "该日期没有施行中的政策包"},
                {"field": "year", "message": "该年度没有施行中的政策包"},
            ],
        )
    return pack


async def check_committee(rules: httpx.AsyncClient, *, body: CampaignCreate) -> None:
    """The committee must be one the eligibility service resolves for every level (under
    the pack in force on the campaign's evaluation date)."""
    for level in body.levels:
        query = {
            "region": body.region_code,
            "series": body.series,
            "level": level,
            "as_of": body.evaluate_on.isoformat(),
        }
        # A committee chosen by industry (柳州 建设工程系列 for 住建、自然资源、交通) is one the
        # rules resolve too: for the declarations of that industry.
        found = await rules_client.committees(rules, query)
        for industry in get_args(Industry):
            found += await rules_client.committees(rules, {**query, "industry": industry})
        if body.committee_code not in {c.get("code") for c in found}:
            known = "、".join(sorted({f"{c.get('code')}（{c.get('name')}）" for c in found}))
            raise CommitteeUnknown(
                f"评委会 {body.committee_code} 不受理该地区、系列的{level}申报"
                f"（资格评估服务可选：{known or '无'}）。"
            )


OFFICE_KINDS = ("county_office", "series_office", "committee_office")


async def check_office(session: AsyncSession, org_id: uuid.UUID | None) -> None:
    if org_id is None:
        return
    org = await session.get(Org, org_id)
    if org is None or org.kind not in OFFICE_KINDS:
        raise CampaignOfficeInvalid(office_org_id=str(org_id))


async def create(session: AsyncSession, *, body: CampaignCreate) -> Campaign:
    await check_office(session, body.office_org_id)
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
    """Ops open a campaign under the pack in force on its evaluation date, with a committee
    the eligibility service resolves."""
    await check_policy(rules, body=body)
    await check_committee(rules, body=body)
    campaign = await create(session, body=body)
    await audit.record(
        session, principal=principal, action="campaign_created", reason=campaign.code
    )
    return CampaignRead.model_validate(campaign, from_attributes=True)


def opens_at(campaign: Campaign) -> datetime:
    """When the campaign starts taking work: the earliest window's start, and a window
    with no start is open from the campaign's creation."""
    starts = [
        datetime.fromisoformat(w["opens_at"]) if w.get("opens_at") else campaign.created_at
        for w in campaign.windows.values()
    ]
    return min(starts, default=campaign.created_at)


def _changes(campaign: Campaign, body: CampaignUpdate) -> list[str]:
    said = []
    for kind, window in (body.windows or {}).items():
        old = campaign.windows.get(kind) or {}
        new = window.model_dump(mode="json")
        if (old.get("opens_at"), old.get("closes_at")) != (new["opens_at"], new["closes_at"]):
            said.append(
                f"{WINDOW_ZH[kind]} {old.get('opens_at') or '—'}～{old.get('closes_at') or '—'}"
                f" → {new['opens_at'] or '—'}～{new['closes_at'] or '—'}"
            )
    if "evaluate_on" in body.model_fields_set and body.evaluate_on != campaign.evaluate_on:
        said.append(f"资格计算日 {campaign.evaluate_on} → {body.evaluate_on}")
    if "fee_yuan" in body.model_fields_set and body.fee_yuan != campaign.fee_yuan:
        said.append(f"评审费 {campaign.fee_yuan}元 → {body.fee_yuan}元")
    if body.fees_yuan is not None and body.fees_yuan != campaign.fees_yuan:
        said.append(f"分级别评审费 {campaign.fees_yuan} → {dict(body.fees_yuan)}")
    return said


async def correct(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    *,
    rules: httpx.AsyncClient,
    body: CampaignUpdate,
) -> CampaignRead:
    """The owning office corrects dates and fees before the campaign opens (audited); a new
    evaluation date must still have a policy pack in force."""
    campaign = (
        await session.exec(
            select(Campaign)
            .where(Campaign.id == campaign_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if campaign is None:
        raise CampaignNotFound()
    if campaign.office_org_id is None or str(campaign.office_org_id) != principal.org_id:
        raise CampaignNotOwned()
    now = await clock.db_now(session)
    opened = opens_at(campaign)
    started = (
        await session.exec(select(Declaration.id).where(Declaration.campaign_id == campaign.id))
    ).first()
    if now >= opened or started is not None:
        raise CampaignAlreadyOpen(
            f"{campaign.name}已于{shanghai(min(opened, now))}开始受理，时间和评审费不能再更正"
            "（已按原通知办理的申报不受影响）。",
            opened_at=opened.isoformat(),
        )
    said = _changes(campaign, body)
    if body.windows:
        campaign.windows = {**campaign.windows, **body.model_dump(mode="json")["windows"]}
    if body.evaluate_on is not None and body.evaluate_on != campaign.evaluate_on:
        campaign.evaluate_on = body.evaluate_on
        await check_policy(rules, body=campaign)
    if "fee_yuan" in body.model_fields_set:
        campaign.fee_yuan = body.fee_yuan
    if body.fees_yuan is not None:
        stray = sorted(set(body.fees_yuan) - set(campaign.levels))
        if stray:
            raise CampaignFeeLevelInvalid(
                f"评审费所列级别 {'、'.join(stray)} 不在本批次的级别中。", levels=stray
            )
        campaign.fees_yuan = dict(body.fees_yuan)
    await audit.saved(
        session,
        campaign,
        principal=principal,
        action="campaign_corrected",
        reason=f"{campaign.code}：{'；'.join(said) or '无变化'}。理由：{body.reason}",
    )
    return CampaignRead.model_validate(campaign, from_attributes=True)
