"""The unit problem-rate report followed through (2023年度广西工艺美术系列通知 三（一））:
an office asks a unit in its tree whose share of problem declarations reached 10 % for a
说明 (20 %: a 说明 and a 书面整改方案); the unit's reviewer files them as documents (stored
by the document service like any upload, owned by the follow-up); the committee's office
(评委会组建单位) may suspend the unit's recommendations for the next year, and a
declaration of that unit in that year's campaign of the series is refused at submission.
Every write is one audit row."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Literal

import httpx
from fastapi import Response
from fastapi.responses import JSONResponse
from sqlalchemy import select as sa_select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.clients import documents as client
from services.api.models import Campaign, Org, UnitFollowUp
from services.api.statistics import service
from services.api.statistics.problems import (
    CLAUSE,
    FollowUpAlreadyRequested,
    FollowUpDocumentKind,
    FollowUpDocumentNotAsked,
    FollowUpNotFound,
    ProblemRateBelowThreshold,
    SuspensionNeedsRectification,
    UnitAlreadySuspended,
    UnitOutsideJurisdiction,
    UnitRecommendationsSuspended,
)
from services.api.statistics.schemas import FollowUpCreate, FollowUpRead, SuspensionCreate
from services.kit.auth import Principal
from services.kit.db import xact_lock
from services.kit.problems import ProblemError

Material = Literal["explanation", "plan"]
KIND = {"explanation": "unit_explanation", "plan": "rectification_plan"}
ASKED_ZH = {
    "explain": "推荐单位作出说明",
    "rectify": "推荐单位作出说明并报送书面整改方案",
}


def read(row: UnitFollowUp) -> FollowUpRead:
    return FollowUpRead(**row.model_dump(), requirement_zh=ASKED_ZH[row.requirement])


def _subtree(org_id: uuid.UUID):
    tree = sa_select(Org.id).where(Org.id == org_id).cte("office_tree", recursive=True)
    tree = tree.union_all(sa_select(Org.id).where(Org.parent_id == tree.c.id))
    return sa_select(tree.c.id)


async def _in_jurisdiction(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Org:
    """The unit, if the caller may act on it: ops any; an office one in its tree."""
    unit = await session.get(Org, unit_id)
    if unit is None or unit.kind != "unit":
        raise UnitOutsideJurisdiction()
    if principal.role == "ops":
        return unit
    below = (
        await session.exec(
            select(Org.id).where(
                Org.id == unit_id, Org.id.in_(_subtree(uuid.UUID(principal.org_id)))
            )
        )
    ).first()
    if below is None:
        raise UnitOutsideJurisdiction()
    return unit


async def _follow_up(
    session: AsyncSession, principal: Principal, follow_up_id: uuid.UUID, *, lock: bool = False
) -> UnitFollowUp:
    """404 unless the caller is the unit's reviewer or an office over the unit."""
    query = select(UnitFollowUp).where(UnitFollowUp.id == follow_up_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = (await session.exec(query)).first()
    if row is None:
        raise FollowUpNotFound()
    if principal.role == "unit_reviewer":
        if principal.org_id != str(row.unit_org_id):
            raise FollowUpNotFound()
        return row
    try:
        await _in_jurisdiction(session, principal, row.unit_org_id)
    except UnitOutsideJurisdiction as exc:
        raise FollowUpNotFound() from exc
    return row


async def request(
    session: AsyncSession, principal: Principal, *, campaign_id: uuid.UUID, body: FollowUpCreate
) -> FollowUpRead:
    """Ask the unit for what its share calls for; a request already made is raised to a
    整改方案 when the share has since reached 20 %."""
    campaign = await campaigns.get(session, campaign_id)
    unit = await _in_jurisdiction(session, principal, body.unit_org_id)
    total, bad = (await service.unit_counts(session, principal, campaign, unit.id)).get(
        unit.id, (0, 0)
    )
    flag, _ = service.requirement(total, bad)
    if flag == "none":
        raise ProblemRateBelowThreshold(recommended=total, with_problems=bad)
    now = await clock.db_now(session)
    # The row may not exist yet, so FOR UPDATE alone locks nothing: a second request at
    # once waits here, then finds the first's row (409) instead of failing on its key.
    await xact_lock(session, f"api.unit_follow_up:{campaign.id}:{unit.id}")
    row = (
        await session.exec(
            select(UnitFollowUp)
            .where(UnitFollowUp.campaign_id == campaign.id, UnitFollowUp.unit_org_id == unit.id)
            .with_for_update()
        )
    ).first()
    if row is not None and (row.requirement == "rectify" or flag == "explain"):
        raise FollowUpAlreadyRequested(follow_up_id=str(row.id))
    if row is None:
        row = UnitFollowUp(
            campaign_id=campaign.id,
            unit_org_id=unit.id,
            series=campaign.series,
            year=campaign.year,
            requirement=flag,
            recommended=total,
            with_problems=bad,
            requested_by=principal.sub,
            requested_by_org=uuid.UUID(principal.org_id) if principal.org_id else None,
            requested_at=now,
        )
    else:
        row.requirement, row.recommended, row.with_problems = flag, total, bad
    await audit.saved(
        session,
        row,
        principal=principal,
        action="unit_follow_up_requested",
        reason=f"{campaign.name}：{unit.name}推荐{total}件，经审核发现问题{bad}件"
        f"（{bad / total:.0%}），要求{ASKED_ZH[flag]}（2023年度广西工艺美术系列通知 三（一））",
    )
    return read(row)


async def listing(
    session: AsyncSession, principal: Principal, *, campaign_id: uuid.UUID
) -> list[FollowUpRead]:
    campaign = await campaigns.get(session, campaign_id)
    query = select(UnitFollowUp).where(UnitFollowUp.campaign_id == campaign.id)
    if principal.role == "unit_reviewer":
        query = query.where(UnitFollowUp.unit_org_id == uuid.UUID(principal.org_id))
    elif principal.role != "ops":
        query = query.where(UnitFollowUp.unit_org_id.in_(_subtree(uuid.UUID(principal.org_id))))
    rows = (await session.exec(query.order_by(UnitFollowUp.requested_at))).all()
    return [read(r) for r in rows]


async def file_document(
    session: AsyncSession,
    principal: Principal,
    follow_up_id: uuid.UUID,
    body: AsyncIterator[bytes],
    *,
    material: Material,
    headers: dict[str, str],
    http: httpx.AsyncClient,
) -> JSONResponse:
    """The unit's 说明 or 整改方案, streamed to the document service with no connection
    held (as uploads are: documents/uploads.py), then recorded under the follow-up's lock
    and committed here, so that a failed commit discards the stored file too."""
    row = await _follow_up(session, principal, follow_up_id)
    if material == "plan" and row.requirement != "rectify":
        raise FollowUpDocumentNotAsked()
    await session.rollback()  # nothing written: the connection goes back while the file travels
    response = await client.upload_stream(
        http,
        str(follow_up_id),
        body,
        content_type=headers.get("content-type", ""),
        content_length=headers.get("content-length"),
        uploader_id=principal.sub,
        kind=KIND[material],
    )
    if response.status_code != 201:
        return client.relay(response)
    doc = response.json()
    try:
        if doc.get("kind") != KIND[material]:
            raise FollowUpDocumentKind(kind=doc.get("kind"))
        row = await _follow_up(session, principal, follow_up_id, lock=True)
        if material == "plan":
            row.plan_document_id = uuid.UUID(doc["id"])
        else:
            row.explanation_document_id = uuid.UUID(doc["id"])
        what = "书面整改方案" if material == "plan" else "情况说明"
        await audit.saved(
            session,
            row,
            principal=principal,
            action="unit_follow_up_filed",
            reason=f"推荐单位报送{what}（材料 {doc['id']}）"
            "（2023年度广西工艺美术系列通知 三（一））",
        )
        answer = read(row).model_dump(mode="json")
        await session.commit()
    except Exception:
        await _discard(http, doc["id"])
        raise
    return JSONResponse(answer, status_code=201)


async def _discard(http: httpx.AsyncClient, document_id: str) -> None:
    # Stored but unrecorded should this fail: no listing shows it; the problem answers.
    with suppress(ProblemError):
        await client.delete_document(http, document_id)


async def download_link(
    session: AsyncSession,
    principal: Principal,
    follow_up_id: uuid.UUID,
    document_id: uuid.UUID,
    *,
    http: httpx.AsyncClient,
    expires_in: int,
) -> Response:
    """A short-lived link to the 说明 or 整改方案 the unit filed, for the unit and the
    offices over it."""
    row = await _follow_up(session, principal, follow_up_id)
    if document_id not in (row.explanation_document_id, row.plan_document_id):
        raise FollowUpNotFound()
    await session.rollback()  # nothing written: no connection held while the service answers
    return client.relay(await client.download_link(http, str(document_id), expires_in=expires_in))


async def suspend(
    session: AsyncSession, principal: Principal, *, follow_up_id: uuid.UUID, body: SuspensionCreate
) -> FollowUpRead:
    """The committee's office suspends the unit's recommendations in the next year's
    campaigns of the series (only at 20 % or more: the clause ties it to the 整改方案)."""
    row = await _follow_up(session, principal, follow_up_id, lock=True)
    if row.requirement != "rectify":
        raise SuspensionNeedsRectification()
    if row.suspended_year is not None:
        raise UnitAlreadySuspended()
    now = await clock.db_now(session)
    unit = await session.get(Org, row.unit_org_id)
    row.suspended_year = row.year + 1
    row.suspension_reason = body.reason
    row.suspended_by = principal.sub
    row.suspended_at = now
    await audit.saved(
        session,
        row,
        principal=principal,
        action="unit_recommendations_suspended",
        reason=f"暂停{unit.name}{row.suspended_year}年度推荐申报权限：{body.reason}"
        "（2023年度广西工艺美术系列通知 三（一））",
    )
    return read(row)


async def refuse_if_suspended(
    session: AsyncSession, unit_id: uuid.UUID, campaign: Campaign
) -> None:
    """At submission: the unit may not recommend in this campaign's year and series."""
    row = (
        await session.exec(
            select(UnitFollowUp).where(
                UnitFollowUp.unit_org_id == unit_id,
                UnitFollowUp.suspended_year == campaign.year,
                UnitFollowUp.series == campaign.series,
            )
        )
    ).first()
    if row is not None:
        unit = await session.get(Org, unit_id)
        raise UnitRecommendationsSuspended(
            f"{unit.name}{campaign.year}年度的推荐申报权限已被评委会组建单位暂停"
            f"（{row.suspension_reason}），不能通过该单位提交申报（{CLAUSE}）",
            unit_org_id=str(unit_id),
            suspended_year=campaign.year,
        )
