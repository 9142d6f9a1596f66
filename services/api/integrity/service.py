"""The integrity register (职称评审诚信档案库): offices record 失信 with its period.

The engine's `integrity_record` sanction comes from here, never from what the applicant
declares: at submission the register's entries in force replace whatever the applicant
put under `sanctions`, and before each level acts the register is read again
(`barring`, through integrity/standing.py; 桂工信职办〔2023〕6号 一（一）：“申报后出现上述
情形的，评审结果不予确认。”)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.clients import rules as rules_client
from services.api.clock import SHANGHAI
from services.api.integrity.problems import (
    IntegrityRecordDates,
    IntegrityRecordEnded,
    IntegrityRecordInForce,
    IntegrityRecordNotFound,
)
from services.api.integrity.schemas import (
    IntegrityRecordCreate,
    IntegrityRecordEnd,
    IntegrityRecordRead,
)
from services.api.models import Declaration, IntegrityRecord
from services.kit.auth import Principal

SANCTION = "integrity_record"
SOURCE = "integrity_register"
# 长工信〔2022〕139号 十（二） sets the period at three years.
PERIOD_YEARS = 3
PERIOD_BASIS = (
    "长工信〔2022〕139号 十（二）：“申报人员提供虚假材料、剽窃他人作品和学术成果或者采取其他"
    "不正当手段的，一经查实，取消当年评审资格，并记入职称评审诚信档案库，纳入全国信用信息共享"
    "平台，记录期限为3年”"
)


def today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def add_years(day: date, years: int) -> date:
    """Calendar years; 29 February rolls to 28 February (as the eligibility service)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def in_force_on(entry: IntegrityRecord, day: date) -> bool:
    return entry.ended_at is None and entry.recorded_on <= day < entry.until


def read(entry: IntegrityRecord, day: date) -> IntegrityRecordRead:
    return IntegrityRecordRead.model_validate(
        {**entry.model_dump(), "in_force": in_force_on(entry, day)}
    )


async def _entries(session: AsyncSession, applicant_sub: str) -> list[IntegrityRecord]:
    query = (
        select(IntegrityRecord)
        .where(IntegrityRecord.applicant_sub == applicant_sub)
        .order_by(IntegrityRecord.recorded_on, IntegrityRecord.recorded_at)
    )
    return list((await session.exec(query)).all())


async def in_force(session: AsyncSession, applicant_sub: str, day: date) -> list[IntegrityRecord]:
    return [e for e in await _entries(session, applicant_sub) if in_force_on(e, day)]


async def listing(session: AsyncSession, declaration: Declaration) -> list[IntegrityRecordRead]:
    day = today(await clock.db_now(session))
    return [read(e, day) for e in await _entries(session, declaration.applicant_sub)]


async def record(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    body: IntegrityRecordCreate,
) -> IntegrityRecordRead:
    """An office (of the applicant's chain) or ops records 失信 found on this declaration."""
    now = await clock.db_now(session)
    day = today(now)
    recorded_on = body.recorded_on or day
    until = body.until or add_years(recorded_on, PERIOD_YEARS)
    if recorded_on > day:
        raise IntegrityRecordDates(f"认定日期 {recorded_on} 晚于今天（{day}），不能预先记录。")
    if until <= recorded_on:
        raise IntegrityRecordDates(f"记录期限截止日 {until} 须晚于认定日期 {recorded_on}。")
    entry = IntegrityRecord(
        applicant_sub=declaration.applicant_sub,
        declaration_id=declaration.id,
        conduct=body.conduct,
        basis=body.basis,
        recorded_on=recorded_on,
        until=until,
        recorded_by=principal.sub,
        recorded_by_role=principal.role,
        recorded_by_org=uuid.UUID(principal.org_id) if principal.org_id else None,
    )
    session.add(entry)
    await session.flush()
    await session.refresh(entry)
    period = "" if body.until else f"（{PERIOD_BASIS}）"
    await audit.record(
        session,
        principal=principal,
        action="integrity_recorded",
        declaration_id=declaration.id,
        reason=f"记入职称评审诚信档案库：{body.conduct}；认定日期{recorded_on}，"
        f"记录期限至{until}前{period}；依据：{body.basis}",
    )
    return read(entry, day)


async def end(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    record_id: uuid.UUID,
    *,
    body: IntegrityRecordEnd,
) -> IntegrityRecordRead:
    """End an entry before its period runs out (e.g. the finding was withdrawn)."""
    query = (
        select(IntegrityRecord)
        .where(
            IntegrityRecord.id == record_id,
            IntegrityRecord.applicant_sub == declaration.applicant_sub,
        )
        .with_for_update()
    )
    entry = (await session.exec(query)).one_or_none()
    if entry is None:
        raise IntegrityRecordNotFound()
    if entry.ended_at is not None:
        raise IntegrityRecordEnded()
    now = await clock.db_now(session)
    entry.ended_at = now
    entry.ended_by = principal.sub
    entry.end_reason = body.reason
    await audit.saved(
        session,
        entry,
        principal=principal,
        action="integrity_ended",
        declaration_id=declaration.id,
        reason=f"终止诚信档案记录（{entry.conduct}，原记录期限至{entry.until}前）：{body.reason}",
    )
    return read(entry, today(now))


@dataclass(frozen=True)
class RegisterView:
    """What the register says about an applicant on the day of a submission."""

    checked_on: date
    entries: tuple[IntegrityRecord, ...]

    def override(self, facts: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        return override(facts, [e.until.isoformat() for e in self.entries])


def override(facts: dict[str, Any], untils: list[str]) -> tuple[dict[str, Any], list[Any]]:
    """The facts with the declared integrity sanctions replaced by the register's entries
    in force (their end dates, `untils`); and the declared ones that were dropped."""
    sanctions = list(facts.get("sanctions") or [])
    declared = [s for s in sanctions if isinstance(s, dict) and s.get("kind") == SANCTION]
    kept = [s for s in sanctions if s not in declared]
    kept += [{"kind": SANCTION, "until": until} for until in untils]
    return {**facts, "sanctions": kept}, declared


async def at_submission(session: AsyncSession, applicant_sub: str, now: datetime) -> RegisterView:
    day = today(now)
    return RegisterView(day, tuple(await in_force(session, applicant_sub, day)))


async def _pack_clause(client: httpx.AsyncClient, policy_id: str) -> dict[str, str] | None:
    """The clause by which the pack keeps people in the register from applying, if any."""
    pack = await rules_client.policy(client, policy_id)
    for exclusion in (pack or {}).get("exclusions", []):
        if SANCTION in (exclusion.get("sanction_kinds") or []):
            clause = pack["clauses"][exclusion["clause"]]
            return {"ref": clause["ref"], "text": clause["text"]}
    return None


async def annotate(
    client: httpx.AsyncClient,
    eligibility: dict[str, Any],
    view: RegisterView,
    declared: list[Any],
) -> dict[str, Any]:
    """Record in the evaluation that `integrity_record` came from the register."""
    for blocker in eligibility.get("blockers", []):
        if blocker.get("id") == SANCTION:
            blocker["source"] = SOURCE
    eligibility[SOURCE] = {
        "source": SOURCE,
        "checked_on": view.checked_on.isoformat(),
        "entries": [
            {
                "id": str(e.id),
                "conduct": e.conduct,
                "recorded_on": e.recorded_on.isoformat(),
                "until": e.until.isoformat(),
            }
            for e in view.entries
        ],
        "declared_overridden": declared,
        "clause": await _pack_clause(client, eligibility["policy"]["id"]),
    }
    return eligibility


async def barring(
    session: AsyncSession, declaration: Declaration, now: datetime
) -> tuple[IntegrityRecord, dict[str, str]] | None:
    """The entry in force that bars the applicant now (one added after submission
    included), with the clause, where the declaration's pack bars people in the register."""
    clause = ((declaration.eligibility or {}).get(SOURCE) or {}).get("clause")
    if not clause:
        return None
    found = await in_force(session, declaration.applicant_sub, today(now))
    return (found[-1], clause) if found else None


def refusal(entry: IntegrityRecord, clause: dict[str, str]) -> IntegrityRecordInForce:
    return IntegrityRecordInForce(
        f"申报人已记入职称评审诚信档案库（{entry.conduct}，认定日期{entry.recorded_on}，"
        f"记录期限至{entry.until}前），仍在记录期限内，本级不能审核通过。"
        f"依据：{clause['ref']}“{clause['text']}”；“申报后出现上述情形的，评审结果不予确认。”",
        clause=clause["ref"],
        record_id=str(entry.id),
    )
