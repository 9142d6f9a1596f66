"""The review chain: unit review records, approvals up the chain, returns for correction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import ROLE_ORG_KIND, forbidden
from services.api.audit import service as audit
from services.api.calendar import service as calendar
from services.api.campaigns import service as campaigns
from services.api.campaigns.service import window_close
from services.api.chain import judgements, unit_checks
from services.api.chain import returns as returns_items
from services.api.chain.problems import (
    DeadlineAfterCorrectionWindow,
    DeadlineInPast,
    DeadlineNeedsTimezone,
    NotAccepted,
    NotUnderReview,
    NotYourStep,
    PaymentTermsUnknown,
    ReturnOpen,
    UnitNotRecommending,
    UnitReviewInvalid,
    UnitReviewMissing,
    UnitReviewNotFound,
)
from services.api.chain.schemas import ASPECTS, UnitReviewRead, UnitReviewWrite
from services.api.clock import SHANGHAI, shanghai
from services.api.declarations import service as declarations
from services.api.declarations.schemas import (
    JudgementDecisionCreate,
    JudgementRead,
    ReturnCreate,
    ReturnRead,
)
from services.api.integrity import standing
from services.api.messages import digests
from services.api.models import Campaign, Declaration, DeclarationReturn, ReviewStep, UnitReview
from services.api.notices import RETURN_REMINDERS, notify, schedule_reminders, title_of
from services.api.payments import service as payments
from services.kit.auth import Principal

STEP_WINDOW = {
    "unit": "unit_review",
    "supervisor": "unit_review",
    "county_office": "office_review",
    "series_office": "office_review",
    "committee_office": "committee_review",
}
HIGH_LEVELS = ("deputy_senior", "senior")
BARE = {"同意", "同意推荐", "同意上报", "推荐"}


async def _acting_step(session, principal: Principal, declaration: Declaration) -> ReviewStep:
    """The current step, if this principal is the one to act on it (else 403/409).

    The route's dependency has already checked that the caller holds a reviewer role."""
    if declaration.current_position is None or declaration.status not in (
        declarations.STEP_STATUS.values()
    ):
        raise NotUnderReview(status_now=declaration.status)
    chain = await declarations.steps(session, declaration.id)
    step = chain[declaration.current_position]
    if step.kind != ROLE_ORG_KIND[principal.role] or str(step.org_id) != principal.org_id:
        raise NotYourStep(f"该申报当前由{step.org_name}审核，您无权办理。")
    return step


def _check_review_window(
    declaration: Declaration, campaign: Campaign, kind: str, now: datetime, action_zh: str
) -> None:
    campaigns.check_review_window(
        campaign, STEP_WINDOW[kind], now, action_zh, corrected=declaration.submission_count > 1
    )


async def acting_step(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    action_zh: str,
    *,
    unit_only: bool = False,
) -> tuple[ReviewStep, Campaign, datetime]:
    """The current step, this principal's to act on, inside its level's window (with
    `unit_only`, refused unless it is the unit's)."""
    step = await _acting_step(session, principal, declaration)
    if unit_only and step.kind != "unit":
        raise forbidden()
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await clock.db_now(session)
    _check_review_window(declaration, campaign, step.kind, now, action_zh)
    return step, campaign, now


async def acting_unit_step(
    session: AsyncSession, principal: Principal, declaration: Declaration, action_zh: str
) -> tuple[ReviewStep, Campaign, datetime]:
    """The unit's step, this principal's to act on, inside the unit's window."""
    return await acting_step(session, principal, declaration, action_zh, unit_only=True)


async def record_unit_review(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, body: UnitReviewWrite
) -> UnitReviewRead:
    _, campaign, now = await acting_unit_step(session, principal, declaration, "填写单位审核情况")
    # 公示无异议的方可出具推荐意见: no recommendation while an objection is open.
    await unit_checks.refuse_if_objection_open(session, declaration.id)
    today = now.astimezone(SHANGHAI).date()
    rec = body.recommendation
    errors = []

    def err(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if declaration.level in HIGH_LEVELS and body.defence_on is None:
        err(
            "defence_on",
            "申报高级职称须在审议前组织答辩，请填写答辩日期（2023年度通知 三（一））。",
        )
    if body.defence_on and body.defence_on > body.deliberation_on:
        err("defence_on", "答辩须在审议之前或当天。")
    if len({p.strip() for p in body.panel if p.strip()}) < 5:
        err("panel", "单位审议推荐小组不得少于5人（申报系统操作注意事项 二、3）。")
    if body.deliberation_on > body.posting_start_on:
        err("posting_start_on", "公示须在审议之后开始（审议通过后公示）。")
    if body.posting_end_on < body.posting_start_on:
        err("posting_end_on", "公示结束日期不能早于开始日期。")
    if body.posting_end_on >= rec.recommended_on:
        err("recommendation.recommended_on", "单位推荐意见须在公示期满之后出具。")
    for field in ("defence_on", "deliberation_on", "posting_start_on", "posting_end_on"):
        value = getattr(body, field)
        if value and value > today:
            err(field, "已发生的审核环节日期不能晚于今天。")
    if rec.recommended_on > today:
        err("recommendation.recommended_on", "推荐日期不能晚于今天。")
    for key, zh in ASPECTS.items():
        text = getattr(rec, key).strip().rstrip("。")
        if text in BARE or len(text) < 4:
            err(f"recommendation.{key}", f"推荐意见须对“{zh}”给予具体评价，不能简单写“同意推荐”。")
    days = await calendar.working_days(
        session, body.posting_start_on, body.posting_end_on, rule=campaign.posting_rule
    )
    if body.posting_end_on >= body.posting_start_on and days < 5:
        err(
            "posting_end_on",
            f"公示期不能少于5个工作日（双休日和节假日不计入），本次公示只有{days}个工作日"
            "（申报系统操作注意事项 二、1）。",
        )
    if errors:
        raise UnitReviewInvalid(
            "单位审核情况有误，请对照修改："
            + "；".join(e["message"].rstrip("。") for e in errors)
            + "。",
            errors=errors,
            posting_working_days=days,
        )
    review = await session.get(UnitReview, declaration.id)
    previous_defence = review.defence_at if review else None
    values = body.model_dump(exclude={"recommendation"})
    values.update(
        recommendation=rec.model_dump(mode="json"),
        recommended_on=rec.recommended_on,
        agree=rec.agree,
        posting_working_days=days,
        updated_by=principal.sub,
        updated_at=now,
    )
    if review is None:
        review = UnitReview(declaration_id=declaration.id, **values)
    else:
        for key, value in values.items():
            setattr(review, key, value)
    await audit.saved(
        session,
        review,
        principal=principal,
        action="unit_review_recorded",
        declaration_id=declaration.id,
        from_status=declaration.status,
        to_status=declaration.status,
        reason=f"答辩{body.defence_on or '无'}，审议{body.deliberation_on}，"
        f"公示{body.posting_start_on}至{body.posting_end_on}（{days}个工作日），"
        f"推荐意见{'同意' if rec.agree else '不同意'}",
    )
    if body.defence_at and body.defence_at > now and body.defence_at != previous_defence:
        await notify(
            session,
            declaration,
            event="defence_scheduled",
            template="DEFENCE_SCHEDULED",
            key=f"defence:{body.defence_at.isoformat()}",
            not_after=body.defence_at,
            params={"time": shanghai(body.defence_at), "place": body.defence_place or "单位会议室"},
        )
    return review_read(review)


async def approve(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, comment: str | None
) -> Declaration:
    step = await _acting_step(session, principal, declaration)
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await clock.db_now(session)
    _check_review_window(declaration, campaign, step.kind, now, "审核上报")
    await standing.recheck(session, declaration, now)
    if step.kind == "unit":
        review = await session.get(UnitReview, declaration.id)
        if review is None:
            raise UnitReviewMissing()
        if not review.agree:
            raise UnitNotRecommending()
        await unit_checks.check_ready(session, declaration)
    await judgements.check_passable(session, declaration, step)
    if step.kind != "unit":
        # A document replaced or added after a return from above the unit comes back to
        # the level that returned it, not through the unit: that level checks its original.
        await unit_checks.refuse_unchecked_originals(session, declaration, by_unit=False)
    chain = await declarations.steps(session, declaration.id)
    step.completed_at = now
    step.completed_by = principal.sub
    session.add(step)
    from_status = declaration.status
    if step.position + 1 < len(chain):
        nxt = chain[step.position + 1]
        nxt.reached_at = now
        session.add(nxt)
        await digests.queue_reached(session, nxt, now)
        declaration.current_position = nxt.position
        declaration.status = declarations.STEP_STATUS[nxt.kind]
        reason = f"{step.org_name}审核通过，报送{nxt.org_name}"
    else:
        declaration.status = "accepted"
        reason = f"{step.org_name}审核通过，受理"
    if comment:
        reason += f"：{comment}"
    declarations.touch(declaration, now)
    await audit.saved(
        session,
        declaration,
        principal=principal,
        action="approved",
        declaration_id=declaration.id,
        from_status=from_status,
        to_status=declaration.status,
        reason=reason,
    )
    if declaration.status == "accepted":
        await notify(
            session,
            declaration,
            event="accepted",
            template="DECLARATION_ACCEPTED",
            key="accepted",
            params={"title": title_of(declaration)},
        )
    return declaration


async def decide_judgement(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    judgement_id: uuid.UUID,
    *,
    body: JudgementDecisionCreate,
) -> JudgementRead:
    """The step whose judgement it is records its decision (chain/judgements.py)."""
    step = await _acting_step(session, principal, declaration)
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await clock.db_now(session)
    _check_review_window(declaration, campaign, step.kind, now, "认定待审核条件")
    return await judgements.decide(
        session, principal, declaration, step, judgement_id, body=body, now=now
    )


async def issue_return(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, body: ReturnCreate
) -> ReturnRead:
    step = await _acting_step(session, principal, declaration)
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await clock.db_now(session)
    _check_review_window(declaration, campaign, step.kind, now, "退回补正")
    if body.deadline_at.tzinfo is None:
        raise DeadlineNeedsTimezone("补正期限须带时区，例如 2022-08-10T18:00:00+08:00。")
    if body.deadline_at <= now:
        raise DeadlineInPast("补正期限须晚于当前时间。")
    latest = window_close(campaign, "correction")
    if latest and body.deadline_at > latest:
        raise DeadlineAfterCorrectionWindow(
            f"补正期限不能晚于本批次补正截止时间{shanghai(latest)}。",
            latest=latest.isoformat(),
        )
    if await declarations.current_return(session, declaration.id) is not None:
        raise ReturnOpen("该申报已有未完成的补正通知，一次只能有一份。")
    items = await returns_items.items_of(session, declaration, body.items)
    n = (
        await session.exec(
            select(func.count())
            .select_from(DeclarationReturn)
            .where(DeclarationReturn.declaration_id == declaration.id)
        )
    ).one() + 1
    returned = DeclarationReturn(
        declaration_id=declaration.id,
        n=n,
        position=step.position,
        org_id=step.org_id,
        items=items,
        deadline_at=body.deadline_at,
        # The items' sections and materials are compared with this submission's snapshot.
        baseline_n=declaration.submission_count,
        issued_by=principal.sub,
        issued_role=principal.role,
        issued_at=now,
    )
    session.add(returned)
    session.info[clock.DEADLINE_SET] = True
    deadline = shanghai(body.deadline_at)
    await declarations.transition(
        session,
        principal,
        declaration,
        to_status="returned",
        action="returned",
        reason=f"{step.org_name}退回补正{len(body.items)}项，期限{deadline}",
        now=now,
    )
    await notify(
        session,
        declaration,
        event="returned",
        template="DECLARATION_RETURNED",
        key=f"returned:{n}",
        not_after=body.deadline_at,
        params={"stage": step.org_name, "deadline": deadline},
    )
    await schedule_reminders(
        session,
        declaration,
        event="correction_reminder",
        template="CORRECTION_REMINDER",
        params={},
        key=f"returned:{n}:reminder",
        deadline=body.deadline_at,
        now=now,
        ahead=RETURN_REMINDERS,
    )
    return ReturnRead.model_validate(returned, from_attributes=True)


async def issue_payment_notice(
    session: AsyncSession, principal: Principal, declaration: Declaration
) -> Declaration:
    """accepted → payment_due (the payment itself is handled by the payments module)."""
    chain = await declarations.steps(session, declaration.id)
    if not chain or str(chain[-1].org_id) != principal.org_id:
        raise forbidden()
    if declaration.status != "accepted":
        raise NotAccepted("只有已受理的申报才能发出缴费通知。", status_now=declaration.status)
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await clock.db_now(session)
    campaigns.check_window(campaign, "payment", now, "发出缴费通知")
    await standing.recheck(session, declaration, now)
    closes = window_close(campaign, "payment")
    # The campaign's fee for the level (its notice, as its office keeps it), else the
    # policy's fee table returned at submission, else the campaign's one fee.
    fee = campaign.fees_yuan.get(declaration.level)
    if fee is None:
        fee = declaration.fee_yuan if declaration.fee_yuan is not None else campaign.fee_yuan
    if closes is None or fee is None:
        raise PaymentTermsUnknown(
            "本批次未设定缴费截止时间或该级别评审收费标准，无法发出缴费通知。",
        )
    order = await payments.create_order(
        session,
        declaration,
        campaign,
        fee_yuan=fee,
        deadline_at=closes,
    )
    # The declaration's fee is, from now on, what its order charges (the policy's table
    # filled it at submission, or nothing where the campaign's notice alone sets one).
    fee = declaration.fee_yuan = order.amount_fen // 100
    await declarations.transition(
        session,
        principal,
        declaration,
        to_status="payment_due",
        action="payment_due",
        reason=f"缴费订单{order.id}，评审费{fee}元，缴费截止{shanghai(closes)}",
        now=now,
    )
    await notify(
        session,
        declaration,
        event="payment_due",
        template="PAYMENT_DUE",
        key="payment_due",
        not_after=closes,
        params={"amount": str(fee), "deadline": shanghai(closes)},
    )
    await schedule_reminders(
        session,
        declaration,
        event="payment_reminder",
        template="PAYMENT_REMINDER",
        params={"amount": str(fee)},
        key="payment_due:reminder",
        deadline=closes,
        now=now,
    )
    return declaration


async def unit_review(session: AsyncSession, declaration: Declaration) -> UnitReviewRead:
    review = await session.get(UnitReview, declaration.id)
    if review is None:
        raise UnitReviewNotFound()
    return review_read(review)


async def returns(session: AsyncSession, declaration: Declaration) -> list[ReturnRead]:
    rows = (
        await session.exec(
            select(DeclarationReturn)
            .where(DeclarationReturn.declaration_id == declaration.id)
            .order_by(DeclarationReturn.n)
        )
    ).all()
    return [ReturnRead.model_validate(r, from_attributes=True) for r in rows]


def review_read(review: UnitReview) -> UnitReviewRead:
    return UnitReviewRead.model_validate(
        {**review.model_dump(), "declaration_id": str(review.declaration_id)}
    )
