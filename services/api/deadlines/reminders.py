"""Reminders of the planner's dates, made by a periodic sweep when their day has come.

000_… (柳州 2022 通知): “申报人需随时关注短信和系统审核反馈消息”; 004_… 六（二）: “请留意系统站内
消息”. Two reminders, each an SMS through the outbox and a message (站内消息):
- the applicant, while the declaration is still a draft, from the 3rd working day before
  their last safe submission day (planner.py) up to that day;
- the unit's reviewers, from the 2nd working day before a unit step's latest day up to
  that day, while declarations of theirs wait at that step: a message, and an SMS to the
  phone the reviewer's account holds (given by ops or proved by its owner,
  auth/accounts.py); an account without one has its outbox row recorded as `no_phone`
  (the row carries the dedupe key).

Why a sweep rather than rows scheduled ahead with `send_after` (as a return's reminder
is): the dates move with the calendar and the campaign, both of which ops and offices
may correct, and whether anyone is still waiting is known only on the day. The sweep
recomputes the plan each time and writes a reminder only once it is due, so a moved
deadline or an applicant who already acted needs nothing cancelled. Each reminder is
sent at most once per event: its dedupe key names the declaration (or the reviewer), the
step and the day it is due by, so a changed deadline is a new event. A reminder still
pending when the person acts (held back by the per-phone limits, say) is cancelled in
that act's transaction (chain/submission.py). Never at night: the sweep writes nothing
between 21:00 and 08:00 Beijing time; what fell due at night is written by the first
sweep from 08:00. The worker's per-phone limits (NOTIFY_NOTICE_LIMITS) apply to these as
to every notice. One replica at a time, under an advisory lock, as the return lapses'.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import date

from arq.connections import ArqRedis
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.applicants import identity
from services.api.campaigns import service as campaigns
from services.api.clock import SHANGHAI
from services.api.deadlines import planner, service
from services.api.deadlines.problems import PlanDeadlineUnknown
from services.api.deadlines.schemas import ReminderSweep
from services.api.models import Campaign, Declaration, Message, Org, StaffAccount
from services.api.notices import (
    TITLES,
    committed_and_relayed,
    e164,
    every,
    notify,
    title_of,
)
from services.kit.outbox import Notification, add_notification
from services.kit.pii import PiiCipher
from services.kit.problems import ProblemError
from services.kit.sms_templates import daytime, get_template

logger = logging.getLogger("zhicheng.api.deadlines")
# The numbers: the applicant 3 working days before the last safe day, the unit's
# reviewers 2 working days before a step's latest day.
APPLICANT_AHEAD = 3
UNIT_AHEAD = 2
# The unit steps a declaration at its unit may wait at: before the review record, every
# date it holds; after it, the recommendation's pass-up.
UNRECORDED_STEPS = ("defence", "deliberation", "posting_start")
REMINDER_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"zhicheng:api:deadline-reminders").digest()[:8], "big", signed=True
)


def applicant_key(on: date) -> str:
    """The reminder's event: a changed last safe day (a moved deadline) is a new one."""
    return f"submission_reminder:{on.isoformat()}"


def due(cal: planner.Calendar, on: date, ahead: int, today: date) -> bool:
    """From the `ahead`-th working day before `on` up to `on` itself."""
    return cal.back(on, ahead) <= today <= on


class _Sweep:
    def __init__(self, session: AsyncSession, today: date, cipher: PiiCipher) -> None:
        self.session = session
        self.cipher = cipher
        self.today = today
        self.supervised: dict[uuid.UUID, bool] = {}
        self.applicants: list[uuid.UUID] = []
        self.reviewers: list[str] = []

    async def campaign(self, campaign: Campaign) -> None:
        try:
            closes, _ = service.deadline(campaign)
        except PlanDeadlineUnknown:
            return
        end = planner.last_day(closes)
        if end < self.today or self.today < end - planner.LOOKBACK:
            return
        try:
            days = await service.calendar_days(self.session, end)
        except ProblemError:  # a year the calendar lacks: no plan, nothing to remind
            return
        cal = planner.Calendar(days)
        plans: dict[tuple[str, bool], planner.Plan] = {}
        units: dict[tuple[uuid.UUID, str, date], tuple[planner.Step, int]] = {}
        applicants: list[tuple[Declaration, date]] = []
        for declaration, at in await service.waiting(self.session, campaign.id):
            supervised = await self.supervisor(declaration.unit_org_id)
            key = (declaration.level, supervised)
            if key not in plans:
                plans[key] = await service.compute(
                    self.session, campaign, level=declaration.level, supervisor=supervised
                )
            plan = plans[key]
            if at == "submission":
                step = plan.step("submission")
                if step and due(cal, step.on, APPLICANT_AHEAD, self.today):
                    applicants.append((declaration, step.on))
                continue
            keys = ("recommendation",) if at == "recommendation" else UNRECORDED_STEPS
            for k in keys:
                step = plan.step(k)
                if step and due(cal, step.on, UNIT_AHEAD, self.today):
                    key = (declaration.unit_org_id, k, step.on)
                    units[key] = (step, units.get(key, (step, 0))[1] + 1)
        # Each due day is swept many times: those already reminded are skipped here, in one
        # query, before their phone is looked up (the dedupe key would refuse them anyway).
        keys = {d.id: f"declaration:{d.id}:{applicant_key(on)}" for d, on in applicants}
        sent = set(
            (
                await self.session.exec(
                    select(Notification.dedupe_key).where(
                        Notification.dedupe_key.in_(list(keys.values()))
                    )
                )
            ).all()
        )
        for declaration, on in applicants:
            if keys[declaration.id] not in sent:
                await self.remind_applicant(declaration, on)
        for (unit_id, _, _), (step, waiting) in units.items():
            await self.remind_unit(campaign, unit_id, step, waiting)

    async def supervisor(self, unit_id: uuid.UUID) -> bool:
        if unit_id not in self.supervised:
            self.supervised[unit_id] = await service.has_supervisor(self.session, unit_id)
        return self.supervised[unit_id]

    async def remind_applicant(self, declaration: Declaration, on: date) -> None:
        written = await notify(
            self.session,
            declaration,
            event="submission_reminder",
            template="SUBMISSION_REMINDER",
            key=applicant_key(on),
            params={"title": title_of(declaration), "day": planner.zh(on)},
            # A draft carries no phone yet: the one the applicant's account proved.
            to_phone=await identity.verified_phone(
                self.session, self.cipher, declaration.applicant_sub
            ),
        )
        if written is not None:
            self.applicants.append(declaration.id)

    def staff_phone(self, account: StaffAccount) -> str | None:
        """The phone the reviewer recorded (auth/accounts.py), as the SMS is addressed."""
        if account.phone_enc is None:
            return None
        return e164(self.cipher.decrypt(identity.STAFF_PHONE, account.phone_enc))

    async def remind_unit(
        self, campaign: Campaign, unit_id: uuid.UUID, step: planner.Step, count: int
    ) -> None:
        unit = await self.session.get(Org, unit_id)
        accounts = (
            await self.session.exec(
                select(StaffAccount).where(
                    StaffAccount.org_id == unit_id,
                    StaffAccount.role == "unit_reviewer",
                    StaffAccount.status == "active",
                )
            )
        ).all()
        params = {
            "org": (unit.name if unit else "单位")[:35],
            "count": str(count),
            "step": step.title,
            "day": planner.zh(step.on),
        }
        template = get_template("UNIT_STEP_REMINDER")
        for account in accounts:
            sub = f"staff:{account.id}"
            notification_id = await add_notification(
                self.session,
                event="unit.step_reminder",
                template_code=template.code,
                # The phone the reviewer recorded, if any (night hours and per-phone
                # limits as every SMS); without one the message is the reminder.
                phone=self.staff_phone(account),
                params=params,
                dedupe_key=f"unit:{unit_id}:{campaign.id}:{step.key}:{step.on}:{sub}",
            )
            if notification_id is None:
                continue
            await self.session.exec(
                insert(Message).values(
                    id=uuid.uuid4(),
                    recipient_sub=sub,
                    kind="notice",
                    title=TITLES[template.code],
                    body=f"{campaign.name}：{template.render(params)}{step.explanation}",
                    event="unit.step_reminder",
                    template_code=template.code,
                    params=params,
                    notification_id=notification_id,
                    visible_from=clock.sql_now(self.session),
                )
            )
            self.reviewers.append(sub)


async def sweep(session: AsyncSession, *, cipher: PiiCipher) -> ReminderSweep:
    """Write the reminders whose day has come (none at night)."""
    now = await clock.db_now(session)
    got = (
        await session.exec(
            text("SELECT pg_try_advisory_xact_lock(:k)").bindparams(k=REMINDER_LOCK_KEY)
        )
    ).scalar_one()
    if not got:
        return ReminderSweep(ran=False, quiet_hours=False, applicants=[], reviewers=[], at=now)
    if not daytime(now):
        return ReminderSweep(ran=True, quiet_hours=True, applicants=[], reviewers=[], at=now)
    work = _Sweep(session, now.astimezone(SHANGHAI).date(), cipher)
    for campaign in await campaigns.list_all(session):
        await work.campaign(campaign)
    await session.flush()
    return ReminderSweep(
        ran=True,
        quiet_hours=False,
        applicants=work.applicants,
        reviewers=work.reviewers,
        at=now,
    )


async def run_periodically(
    maker: async_sessionmaker[AsyncSession],
    arq: ArqRedis,
    cipher: PiiCipher,
    *,
    interval: float,
) -> None:
    async def once() -> int:
        done = await committed_and_relayed(maker, arq, lambda s: sweep(s, cipher=cipher))
        return len(done.applicants) + len(done.reviewers)

    await every(interval, "deadline reminder", once)
