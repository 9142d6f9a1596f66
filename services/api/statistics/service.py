"""Office statistics per campaign and the per-unit problem rate, behind the caller's
jurisdiction: an office counts the filed declarations it may see (its tree and its
chain: `declarations.service.visible`), ops count every one, drafts included. Read from
the counts kept per campaign and unit (`counts`, migration api_0033), not the
declarations."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Uuid, any_, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.campaigns import service as campaigns
from services.api.models import Campaign, Org, UnitFollowUp
from services.api.specialties import service as specialties
from services.api.statistics import counts
from services.api.statistics.names import LEVEL_ZH, PATH_ZH, STATUS_ZH
from services.api.statistics.problems import CLAUSE
from services.api.statistics.schemas import Bucket, CampaignStatistics, UnitProblemRate
from services.kit.auth import Principal

OUTCOMES = ("evaluated", "approved", "rejected")


def pass_rate(approved: int, rejected: int) -> float | None:
    decided = approved + rejected
    return round(approved / decided, 4) if decided else None


def _bucket(key: Any, label: dict[str, str], counts: tuple[int, int, int, int]) -> Bucket:
    key = str(key) if key is not None else None
    count, evaluated, approved, rejected = counts
    return Bucket(
        key=key,
        label=label.get(key, key) if key is not None else "未填写",
        count=count,
        evaluated=evaluated,
        approved=approved,
        rejected=rejected,
        pass_rate=pass_rate(approved, rejected),
    )


def _total(n: Any, *where: Any) -> Any:
    """How many declarations the rows stand for (0 when none): a count."""
    summed = func.sum(n).filter(*where) if where else func.sum(n)
    return func.coalesce(summed, 0).cast(BigInteger)


async def _buckets(session: AsyncSession, source: Any) -> dict[str, list[tuple[Any, tuple]]]:
    """Each dimension's (key, counts), in one aggregate query over the kept counts
    (`counts.visible_in`) with a grouping set per dimension, GROUPING() telling whose row
    it is (a key may itself be null: a specialty not filled in)."""
    dims = {
        name: source.c[name] for name in ("unit_org_id", "status", "level", "specialty", "path")
    }
    n, status = source.c.n, source.c.status
    query = (
        sa_select(
            *dims.values(),
            *(func.grouping(c) for c in dims.values()),
            _total(n),
            *(_total(n, status == s) for s in OUTCOMES),
        )
        .group_by(func.grouping_sets(*dims.values()))
        .having(func.sum(n) > 0)
    )
    names = {"unit_org_id": "unit"}
    out: dict[str, list[tuple[Any, tuple]]] = {names.get(d, d): [] for d in dims}
    width = len(dims)
    for row in (await session.exec(query)).all():
        grouped = row[width : 2 * width]
        at = grouped.index(0)  # the one dimension this row is grouped by
        out[list(out)[at]].append((row[at], tuple(row[2 * width :])))
    return out


def _sorted(buckets: list[Bucket]) -> list[Bucket]:
    return sorted(buckets, key=lambda b: (-b.count, b.key or ""))


async def campaign_statistics(
    session: AsyncSession, principal: Principal, *, campaign_id: uuid.UUID
) -> CampaignStatistics:
    """Counts by status, level, unit, specialty and path, each with its outcomes and pass
    rate (approved of those decided)."""
    campaign = await campaigns.get(session, campaign_id)
    rows = await _buckets(session, counts.visible_in(principal, campaign.id))
    names = await _names(session, [key for key, _ in rows["unit"]])
    units = _sorted([_bucket(key, {}, counts) for key, counts in rows["unit"]])
    for b in units:
        b.label = names.get(uuid.UUID(b.key), b.key)
    by_status = _sorted([_bucket(k, STATUS_ZH, c) for k, c in rows["status"]])
    count = {b.key: b.count for b in by_status}
    approved, rejected = count.get("approved", 0), count.get("rejected", 0)
    names_of = {"level": LEVEL_ZH, "specialty": _specialties(campaign), "path": PATH_ZH}
    by = {
        dim: _sorted([_bucket(k, label, c) for k, c in rows[dim]])
        for dim, label in names_of.items()
    }
    return CampaignStatistics(
        campaign_id=campaign.id,
        total=sum(count.values()),
        evaluated=count.get("evaluated", 0),
        approved=approved,
        rejected=rejected,
        pass_rate=pass_rate(approved, rejected),
        by_status=by_status,
        by_level=by["level"],
        by_unit=units,
        by_specialty=by["specialty"],
        by_path=by["path"],
    )


def _specialties(campaign: Campaign) -> dict[str, str]:
    """Specialty code → its name in the series' catalogue (职称评审专业目录)."""
    return {
        entry.code: entry.name
        for listed in specialties.list_catalogue(series=campaign.series)
        for entry in listed.specialties
    }


async def _names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    one_array = bindparam("ids", ids, ARRAY(Uuid()))  # not a parameter per unit
    named = select(Org.id, Org.name).where(col(Org.id) == any_(one_array))
    return dict((await session.exec(named)).all())


def requirement(recommended: int, with_problems: int) -> tuple[str, str]:
    """What the clause asks of the unit at this share (exact: 2 of 10 is 20 %)."""
    if recommended and with_problems * 5 >= recommended:
        return "rectify", f"问题比例达到或超过20%：推荐单位须作出说明并报送书面整改方案（{CLAUSE}）"
    if recommended and with_problems * 10 >= recommended:
        return "explain", f"问题比例达到或超过10%：推荐单位须作出说明（{CLAUSE}）"
    return "none", "问题比例低于10%"


async def unit_rows(
    session: AsyncSession, principal: Principal, campaign: Campaign, unit_id: uuid.UUID | None
) -> list[tuple[uuid.UUID, str, int, int]]:
    """Per unit, in one aggregate query over the kept counts: its name, recommended (the
    unit's step completed) and, of those, returned for correction by a higher level
    (审核发现存在问题)."""
    source = counts.visible_in(principal, campaign.id)
    unit, n = source.c.unit_org_id, source.c.n
    query = (
        sa_select(unit, Org.name, _total(n), _total(n, source.c.returned_above))
        .join(Org, Org.id == unit)
        .where(source.c.passed)
        .group_by(unit, Org.name)
        .having(func.sum(n) > 0)
    )
    if unit_id is not None:
        query = query.where(unit == unit_id)
    return [tuple(row) for row in (await session.exec(query)).all()]


async def unit_counts(
    session: AsyncSession, principal: Principal, campaign: Campaign, unit_id: uuid.UUID | None
) -> dict[uuid.UUID, tuple[int, int]]:
    """Per unit: recommended and, of those, returned by a higher level (`unit_rows`)."""
    rows = await unit_rows(session, principal, campaign, unit_id)
    return {unit: (total, bad) for unit, _, total, bad in rows}


async def problem_rates(
    session: AsyncSession, principal: Principal, *, campaign_id: uuid.UUID
) -> list[UnitProblemRate]:
    campaign = await campaigns.get(session, campaign_id)
    rows = await unit_rows(session, principal, campaign, None)
    asked = dict(
        (
            await session.exec(
                select(UnitFollowUp.unit_org_id, UnitFollowUp.id).where(
                    UnitFollowUp.campaign_id == campaign.id
                )
            )
        ).all()
    )
    out = []
    for unit_id, name, total, bad in rows:
        flag, flag_zh = requirement(total, bad)
        out.append(
            UnitProblemRate(
                unit_org_id=unit_id,
                unit_name=name,
                recommended=total,
                with_problems=bad,
                share=round(bad / total, 4),
                requirement=flag,
                requirement_zh=flag_zh,
                follow_up_id=asked.get(unit_id),
            )
        )
    return sorted(out, key=lambda r: (-r.share, r.unit_name))
