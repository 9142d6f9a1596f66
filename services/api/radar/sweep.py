"""The radar's sweep: tell each subscriber once when a path's day comes, and once when a
campaign they qualify for opens.

As the return lapse (chain/lapses.py): one replica at a time under a transaction-level
advisory lock of its own, subscriptions another transaction holds are skipped (and looked
at on the next run), dates from the database clock (`clock.db_now`).

Never at night: the sweep sends only between 08:00 and 21:00 Beijing time, and each
notice carries `not_after` 21:00 that day, so one the notify worker defers (its per-phone
limits, a provider's retry) past 21:00 is dropped as moot rather than sent at night. A
person hears from the radar at most once a day (`last_told_on`): anything else due waits
for the next day's sweep, so the radar alone never spends a phone's quota. Each path
(per series and level) and each campaign is told at most once: the outbox's dedupe key.
The SMS goes to the phone the account proved with an SMS code, read when it is sent.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy import DateTime, cast, or_, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import region_prefix
from services.api.applicants import identity
from services.api.models import Applicant, Campaign, EligibilitySubscription
from services.api.notices import committed_and_relayed, every, notify_person
from services.api.radar import plan as planning
from services.api.radar.schemas import RadarSweep
from services.kit.pii import PiiCipher
from services.kit.sms_templates import DAY_ENDS, daytime
from services.kit.vocabulary import PATH_NAMES, title_name

logger = logging.getLogger("zhicheng.api.radar")
RADAR_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"zhicheng:api:eligibility-radar").digest()[:8], "big", signed=True
)
EVENT = "eligibility.radar"
SMS_CLAUSE_CHARS = 35


def _sms_clause(clause: str) -> str:
    """The clause as the SMS carries it (a provider caps a parameter at 35 characters):
    whole, or the document it is in; the message carries it whole."""
    return clause if len(clause) <= SMS_CLAUSE_CHARS else clause.split(" ")[0][:SMS_CLAUSE_CHARS]


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


async def _open_campaigns(session: AsyncSession, now: datetime) -> list[Campaign]:
    """Campaigns whose submission window is open now."""
    window = Campaign.windows["submission"]
    opens = cast(window["opens_at"].astext, DateTime(timezone=True))
    closes = cast(window["closes_at"].astext, DateTime(timezone=True))
    query = select(Campaign).where(opens <= now, closes > now).order_by(Campaign.created_at)
    return list((await session.exec(query)).all())


def _campaign_entry(row: EligibilitySubscription, campaign: Campaign) -> dict[str, Any] | None:
    """The soonest path that holds on the campaign's evaluation date, if the campaign is
    one for this region, series and level. A path eligible at subscription is taken to
    hold on a later date only (time conditions only grow); a campaign evaluating earlier
    than the subscription is not told of (the plan cannot say)."""
    if campaign.series != row.series or row.level not in campaign.levels:
        return None
    if not row.region.startswith(region_prefix(campaign.region_code)):
        return None
    if str(campaign.id) in row.campaigns_told:
        return None
    for entry in row.plan:
        if entry["eligible_then"] and date.fromisoformat(entry["on"]) <= campaign.evaluate_on:
            return entry
    return None


async def _tell(
    session: AsyncSession,
    row: EligibilitySubscription,
    applicant: Applicant | None,
    cipher: PiiCipher,
    *,
    template: str,
    params: dict[str, Any],
    key: str,
    body: str,
    not_after: datetime,
) -> bool:
    return await notify_person(
        session,
        sub=row.applicant_sub,
        phone=await identity.verified_phone(session, cipher, row.applicant_sub),
        name=applicant.name if applicant else None,
        event=EVENT,
        template=template,
        params=params,
        key=key,
        body=body,
        not_after=not_after,
    )


async def _path_notice(session, row, applicant, cipher, entry, not_after) -> bool:
    title = title_name(row.series, row.level)
    on = date.fromisoformat(entry["on"])
    body = (
        f"按您订阅资格提醒时提交的条件，自{_day(on)}起您可按“{entry['path_name']}”途径申报"
        f"{title}。依据：{entry['clause']}。以上按您提交的条件计算，申报时以审核认定的材料为准。"
    )
    return await _tell(
        session,
        row,
        applicant,
        cipher,
        template="ELIGIBILITY_REACHED",
        params={
            "date": _day(on),
            "path": entry["path_name"],
            "title": title,
            "clause": _sms_clause(entry["clause"]),
        },
        key=f"radar:{row.applicant_sub}:{row.series}:{row.level}:path:{entry['path']}",
        body=body,
        not_after=not_after,
    )


async def _campaign_notice(session, row, applicant, cipher, campaign, entry, not_after) -> bool:
    title = title_name(row.series, row.level)
    closes = datetime.fromisoformat(campaign.windows["submission"]["closes_at"])
    body = (
        f"{campaign.name}已开放申报，截止{clock.shanghai(closes)}。按您订阅资格提醒时提交的"
        f"条件，您可按“{PATH_NAMES.get(entry['path'], entry['path'])}”途径申报{title}"
        f"（依据：{entry['clause']}）。以上按您提交的条件计算，申报时以审核认定的材料为准。"
    )
    return await _tell(
        session,
        row,
        applicant,
        cipher,
        template="CAMPAIGN_OPEN_ELIGIBLE",
        params={
            "campaign": campaign.name,
            "path": entry["path_name"],
            "title": title,
            "clause": _sms_clause(entry["clause"]),
        },
        key=f"radar:{row.applicant_sub}:campaign:{campaign.id}",
        body=body,
        not_after=not_after,
    )


async def _one(session, row, cipher, campaigns, today, not_after) -> bool:
    """Tell this subscriber the first thing due (a path's day, else an open campaign);
    True once one notice was written. A key used before (a renewed subscription) counts
    as told and the next thing is tried. A disabled account is told nothing (and its
    dates stay due, should it be enabled again)."""
    applicant = await identity.find(session, row.applicant_sub)
    if applicant is not None and applicant.status != "active":
        return False
    for entry in row.plan:
        if planning.due(entry) and date.fromisoformat(entry["on"]) <= today:
            entry["notified"] = True
            flag_modified(row, "plan")
            if await _path_notice(session, row, applicant, cipher, entry, not_after):
                return True
    for campaign in campaigns:
        entry = _campaign_entry(row, campaign)
        if entry is None:
            continue
        row.campaigns_told = [*row.campaigns_told, str(campaign.id)]
        if await _campaign_notice(session, row, applicant, cipher, campaign, entry, not_after):
            return True
    return False


async def sweep(session: AsyncSession, *, cipher: PiiCipher, chunk: int = 500) -> RadarSweep:
    got = (
        await session.exec(
            text("SELECT pg_try_advisory_xact_lock(:k)").bindparams(k=RADAR_LOCK_KEY)
        )
    ).scalar_one()
    if not got:
        return RadarSweep(ran=False, quiet_hours=False, notified=0)
    now = await clock.db_now(session)
    if not daytime(now):
        return RadarSweep(ran=True, quiet_hours=True, notified=0)
    local = now.astimezone(clock.SHANGHAI)
    today = local.date()
    not_after = datetime.combine(today, DAY_ENDS, tzinfo=clock.SHANGHAI)
    campaigns = await _open_campaigns(session, now)
    series = sorted({c.series for c in campaigns})
    S = EligibilitySubscription
    candidates = select(S).where(
        or_(S.last_told_on.is_(None), S.last_told_on < today),
        or_(S.next_due_on <= today, S.series.in_(series)),
    )
    told, after = 0, None
    # Every candidate, a chunk at a time in id order: one with nothing left to tell (an open
    # campaign it does not qualify for) never keeps another from being looked at.
    while True:
        query = candidates if after is None else candidates.where(S.id > after)
        rows = (
            await session.exec(
                query.order_by(S.id)
                .limit(chunk)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        ).all()
        for row in rows:
            if await _one(session, row, cipher, campaigns, today, not_after):
                row.last_told_on = today
                told += 1
            row.next_due_on = planning.next_due(row.plan)
            session.add(row)
        if len(rows) < chunk:
            break
        after = rows[-1].id
    await session.flush()
    return RadarSweep(ran=True, quiet_hours=False, notified=told)


async def sweep_once(
    maker: async_sessionmaker[AsyncSession], arq: ArqRedis, cipher: PiiCipher
) -> int:
    result = await committed_and_relayed(maker, arq, lambda s: sweep(s, cipher=cipher))
    return result.notified


async def run_periodically(
    maker: async_sessionmaker[AsyncSession],
    arq: ArqRedis,
    cipher: PiiCipher,
    *,
    interval: float,
) -> None:
    await every(interval, "eligibility radar", lambda: sweep_once(maker, arq, cipher))
