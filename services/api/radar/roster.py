"""A unit's roster for 岗位结构比例 planning: who of its applicants becomes eligible this
year and next, on which path, from which day, on which clause.

The source is the radar: the subscriptions whose applicant named this unit as theirs.
A declaration's facts are reviewed, but a declaration is for a level already applied for;
a subscription states the level the person aims at next and the day each path opens for
it, which is what planning the posts needs, and exists only where the person chose to
share it with the unit. The facts are as the applicant submitted them (not reviewed):
the answer says so in `source`.

Read by the unit's reviewer and the offices over the unit; an org outside the caller's
reach answers 404 as a missing one. Phones and ID numbers are masked: the reader is never
the person.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import OFFICE_ROLES
from services.api.applicants.identity import ID_NUMBER, PHONE, find
from services.api.models import EligibilitySubscription, Org
from services.api.orgs import service as orgs
from services.api.orgs.problems import OrgNotFound
from services.api.radar.schemas import Roster, RosterPath, RosterPerson, RosterYear
from services.kit.auth import Principal
from services.kit.pii import PiiCipher, mask_id_number, mask_phone
from services.kit.vocabulary import title_name

SOURCE = (
    "本单位申报人订阅资格提醒时提交并选择本单位的条件（申报人自报，未经审核）；"
    "日期为各途径时间条件满足且按所报条件可申报之日"
)


async def _reachable(session: AsyncSession, principal: Principal, org_id: uuid.UUID) -> Org:
    org = await session.get(Org, org_id)
    if org is None or org.kind != "unit" or not principal.org_id:
        raise OrgNotFound()
    mine = uuid.UUID(principal.org_id)
    if principal.role == "unit_reviewer" and org.id == mine:
        return org
    if principal.role in OFFICE_ROLES and mine in {o.id for o in await orgs.parents(session, org)}:
        return org
    raise OrgNotFound()


async def roster(
    session: AsyncSession,
    principal: Principal,
    *,
    org_id: uuid.UUID,
    year: int | None,
    cipher: PiiCipher,
) -> Roster:
    org = await _reachable(session, principal, org_id)
    if year is None:
        year = (await clock.db_now(session)).astimezone(clock.SHANGHAI).year
    rows = (
        await session.exec(
            select(EligibilitySubscription)
            .where(EligibilitySubscription.unit_id == org.id)
            .order_by(EligibilitySubscription.created_at, EligibilitySubscription.id)
        )
    ).all()
    years = {year: [], year + 1: []}
    for row in rows:
        by_year: dict[int, list[RosterPath]] = {year: [], year + 1: []}
        for entry in row.plan:
            on = date.fromisoformat(entry["on"])
            if entry["eligible_then"] and on.year in by_year:
                by_year[on.year].append(
                    RosterPath(
                        path=entry["path"],
                        path_name=entry["path_name"],
                        on=on,
                        clause=entry["clause"],
                        message=entry["message"],
                    )
                )
        applicant = await find(session, row.applicant_sub)
        for y, paths in by_year.items():
            if paths:
                years[y].append(_person(row, applicant, paths, cipher))
    return Roster(
        org_id=org.id,
        source=SOURCE,
        years=[
            RosterYear(year=y, people=sorted(people, key=lambda p: (p.earliest_on, p.level)))
            for y, people in years.items()
        ],
    )


def _person(row, applicant, paths: list[RosterPath], cipher: PiiCipher) -> RosterPerson:
    phone = id_number = None
    if applicant is not None and applicant.phone_enc:
        phone = mask_phone(cipher.decrypt(PHONE, applicant.phone_enc))
    if applicant is not None and applicant.id_number_enc:
        id_number = mask_id_number(cipher.decrypt(ID_NUMBER, applicant.id_number_enc))
    return RosterPerson(
        name=applicant.name if applicant else None,
        phone_masked=phone,
        id_number_masked=id_number,
        series=row.series,
        level=row.level,
        title=title_name(row.series, row.level),
        earliest_on=min(p.on for p in paths),
        paths=sorted(paths, key=lambda p: (p.on, p.path)),
    )
