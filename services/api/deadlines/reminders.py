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

What a sweep reads does not grow with the declarations waiting, only with the reminders it
writes (a campaign may hold a million): the declarations still before their unit are
counted in one aggregate by unit, level, status and review record (all a plan and a step
depend on), the unit reminders made from the counts; the drafts are read only for a
(level, kind of unit) whose submission reminder is due, only those without an outbox row
for it, BATCH at a time, and with their applicant's name but never their sections.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import date, datetime
from typing import Any, NamedTuple

from arq.connections import ArqRedis
from sqlalchemy import (
    ColumnElement,
    String,
    cast,
    exists,
    false,
    func,
    literal,
    outerjoin,
    text,
    true,
    tuple_,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.applicants import identity
from services.api.campaigns import service as campaigns
from services.api.clock import SHANGHAI
from services.api.deadlines import planner, service
from services.api.deadlines.problems import PlanDeadlineUnknown
from services.api.deadlines.schemas import ReminderSweep
from services.api.models import Campaign, Declaration, Message, Org, StaffAccount, UnitReview
from services.api.notices import (
    TITLES,
    committed_and_relayed,
    e164,
    every,
    notify_about,
)
from services.kit.outbox import Notification, add_notification
from services.kit.pii import PiiCipher
from services.kit.problems import ProblemError
from services.kit.sms_templates import daytime, get_template
from services.kit.vocabulary import title_name

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


# The drafts to remind are read this many at a time (keyset on created_at, id): no
# statement, and no batch in memory, grows with the campaign.
BATCH = 500


def _supervised() -> tuple[ColumnElement[bool], Any]:
    """Whether the declaration's unit reports through a supervisor (the org directly above
    it is one, as service.has_supervisor reads it), as a column of a query that joins
    the unit and the org above it (the join returned alongside)."""
    unit, above = aliased(Org), aliased(Org)
    joined = outerjoin(
        outerjoin(Declaration, unit, unit.id == Declaration.unit_org_id),
        above,
        above.id == unit.parent_id,
    )
    return func.coalesce(above.kind == "supervisor", false()), joined


class _Group(NamedTuple):
    """The declarations of one unit still before it, by level, status and whether its
    review is recorded: what the plan and the step they wait at depend on."""

    unit_org_id: uuid.UUID
    level: str
    status: str
    recorded: bool
    supervised: bool
    count: int
    first: datetime


class _Sweep:
    def __init__(self, session: AsyncSession, today: date, cipher: PiiCipher) -> None:
        self.session = session
        self.cipher = cipher
        self.today = today
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
        # The drafts' last safe day, by (level, supervised), where its reminder is due.
        drafts: dict[tuple[str, bool], date] = {}
        # The groups in the order their first declaration was made, so the units are
        # reminded in the order the declarations' loop once met them.
        for group in sorted(await self.groups(campaign.id), key=lambda g: g.first):
            key = (group.level, group.supervised)
            if key not in plans:
                plans[key] = await service.compute(
                    self.session, campaign, level=group.level, supervisor=group.supervised
                )
            plan = plans[key]
            at = service.waiting_at(group.status, group.level, group.recorded)
            if at == "submission":
                step = plan.step("submission")
                if step and due(cal, step.on, APPLICANT_AHEAD, self.today):
                    drafts[key] = step.on
                continue
            keys = ("recommendation",) if at == "recommendation" else UNRECORDED_STEPS
            for k in keys:
                step = plan.step(k)
                if step and due(cal, step.on, UNIT_AHEAD, self.today):
                    at_unit = (group.unit_org_id, k, step.on)
                    units[at_unit] = (step, units.get(at_unit, (step, 0))[1] + group.count)
        reminded: list[tuple[datetime, uuid.UUID]] = []
        for (level, supervised), on in drafts.items():
            after: tuple[datetime, uuid.UUID] | None = None
            while batch := await self.drafts(campaign.id, level, supervised, on, after):
                for row in batch:
                    if await self.remind_applicant(row, on):
                        reminded.append((row.created_at, row.id))
                after = (batch[-1].created_at, batch[-1].id)
        self.applicants.extend(id_ for _, id_ in sorted(reminded))
        for (unit_id, _, _), (step, waiting) in units.items():
            await self.remind_unit(campaign, unit_id, step, waiting)

    async def groups(self, campaign_id: uuid.UUID) -> list[_Group]:
        """The campaign's declarations still before their unit, counted by group: one
        aggregate, however many there are (service.waiting_at gives each group's step)."""
        supervised, joined = _supervised()
        recorded = UnitReview.declaration_id.is_not(None)
        query = (
            sa_select(
                Declaration.unit_org_id,
                Declaration.level,
                Declaration.status,
                recorded,
                supervised,
                func.count(),
                func.min(Declaration.created_at),
            )
            .select_from(joined.outerjoin(UnitReview, UnitReview.declaration_id == Declaration.id))
            .where(
                Declaration.campaign_id == campaign_id,
                Declaration.status.in_(service.BEFORE_UNIT),
            )
            .group_by(
                Declaration.unit_org_id, Declaration.level, Declaration.status, recorded, supervised
            )
        )
        return [_Group(*row) for row in (await self.session.exec(query)).all()]

    async def drafts(
        self,
        campaign_id: uuid.UUID,
        level: str,
        supervised: bool,
        on: date,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> list[Any]:
        """The next drafts of this level and kind of unit not yet reminded of `on` (no
        outbox row with their reminder's dedupe key: each due day is swept many times),
        with what the reminder says of them and never their sections."""
        is_supervised, joined = _supervised()
        dedupe_key = (
            literal("declaration:")
            + cast(Declaration.id, String)
            + literal(f":{applicant_key(on)}")
        )
        query = (
            sa_select(
                Declaration.id,
                Declaration.applicant_sub,
                Declaration.applicant_phone,
                Declaration.series,
                Declaration.level,
                Declaration.created_at,
                Declaration.sections["basic_info"]["name"].label("name"),
            )
            .select_from(joined)
            .where(
                Declaration.campaign_id == campaign_id,
                Declaration.status == "draft",
                Declaration.level == level,
                is_supervised.is_(true() if supervised else false()),
                ~exists().where(Notification.dedupe_key == dedupe_key),
            )
            .order_by(Declaration.created_at, Declaration.id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(
                tuple_(Declaration.created_at, Declaration.id) > tuple_(*map(literal, after))
            )
        return list((await self.session.exec(query)).all())

    async def remind_applicant(self, draft: Any, on: date) -> bool:
        written = await notify_about(
            self.session,
            draft.id,
            draft.applicant_sub,
            name=draft.name,
            # A draft carries no phone yet: the one the applicant's account proved.
            phone=await identity.verified_phone(self.session, self.cipher, draft.applicant_sub)
            or draft.applicant_phone,
            event="submission_reminder",
            template="SUBMISSION_REMINDER",
            key=applicant_key(on),
            params={"title": title_name(draft.series, draft.level), "day": planner.zh(on)},
        )
        return written is not None

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
