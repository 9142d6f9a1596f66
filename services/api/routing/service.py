"""The right chain for each declaration: the committee the campaign's rules resolve for it
and the offices it climbs, chosen by the declaration (its level, path, industry, the
applicant's employer) and its unit (county, affiliation), not by the unit's parents alone.

The eligibility service answers which committee, which series office (by duty: 经济 or 建设
in 柳州, 市人社 for 长治 中级), which county offices the routing rules add (a county's 工信
office for 双定向) and which materials they ask for (授权或委托函), each with its clause. Here
those are matched to the registered offices: the unit's own levels (unit, supervisor,
county office) from the tree, the series office and the committee's office of the route.
The chain ends at the campaign's committee office (its `office_org_id` when that is a
committee office, else the top of the unit's tree); a route that cannot is refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.campaigns import service as campaigns
from services.api.campaigns.problems import LevelNotInCampaign
from services.api.clients import rules as rules_client
from services.api.models import Campaign, Declaration, Org
from services.api.orgs import service as orgs
from services.api.orgs.problems import ChainIncomplete, UnitNotApproved, UnitNotFound
from services.api.routing.problems import (
    RouteCommitteeMismatch,
    RouteOfficeMissing,
)
from services.api.routing.schemas import RouteRead
from services.api.specialties import service as specialties

KIND_NAMES = {
    "unit": "用人单位",
    "supervisor": "主管部门",
    "county_office": "县区职改办",
    "series_office": "系列职改办",
    "committee_office": "评委会所在职改办",
}
DUTY_NAMES = {
    "economic": "经济专业工程技术人员职改办",
    "construction": "建设工程职改办",
    "industry": "工信部门",
    "hrss": "人力资源和社会保障部门",
    "city_title_office": "市职改办",
}
BASE_ACTION = {
    "unit": "审核推荐",
    "supervisor": "审核",
    "county_office": "审核",
    "series_office": "审核",
    "committee_office": "受理",
}


@dataclass
class Step:
    org: Org
    action: str
    why: str
    clause: dict[str, Any] | None


@dataclass
class Route:
    answer: dict[str, Any]
    steps: list[Step] = field(default_factory=list)

    @property
    def chain(self) -> list[Org]:
        return [s.org for s in self.steps]

    @property
    def materials(self) -> list[dict[str, Any]]:
        """The route's materials, shaped as the eligibility answer's (id, name, clause)."""
        return [
            {
                "id": m["id"],
                "name": m["name"],
                "clause": m["clause"]["ref"],
                "producer": m["producer"],
            }
            for m in self.answer["materials"]
        ]


def _region(code: str) -> tuple[str, str | None]:
    """(city or province code, county code or None) of a unit's region code."""
    if code.endswith("0000"):
        return code, None
    if code.endswith("00"):
        return code, None
    return code[:4] + "00", code


async def _committee_office(session: AsyncSession, campaign: Campaign, tree: list[Org]) -> Org:
    if campaign.office_org_id is not None:
        office = await session.get(Org, campaign.office_org_id)
        if office is not None and office.kind == "committee_office":
            return office
    top = tree[-1]
    if top.kind != "committee_office":
        raise _incomplete(tree[0], tree)
    return top


def _incomplete(unit: Org, chain: list[Org]) -> ChainIncomplete:
    return ChainIncomplete(
        f"{unit.name}的上报链路不完整：须经系列职改办并到达评委会所在职改办，请联系职改办核实机构设置。",
        chain=[{"org_id": str(o.id), "kind": o.kind, "name": o.name} for o in chain],
    )


def _missing(unit: Org, office: dict[str, Any], where: str) -> RouteOfficeMissing:
    clause = office["clause"]
    name = office.get("name") or DUTY_NAMES[office["duty"]]
    return RouteOfficeMissing(
        f"按{clause['ref']}“{clause['text']}”，{unit.name}的这份申报须经{name}"
        f"（{office['action']}），但{where}没有登记该机构（职责：{DUTY_NAMES[office['duty']]}），"
        "请联系职改办登记后再提交。",
        duty=office["duty"],
        rule=office.get("rule"),
    )


async def _offices(
    session: AsyncSession,
    *,
    kind: str,
    duty: str,
    parent: Org | None = None,
    region: str | None = None,
) -> list[Org]:
    query = select(Org).where(Org.kind == kind, Org.duty == duty, Org.status == "approved")
    if parent is not None:
        query = query.where(col(Org.parent_id) == parent.id)
    if region is not None:
        query = query.where(Org.region_code == region)
    return list((await session.exec(query.order_by(Org.name, Org.id))).all())


async def _series_office(
    session: AsyncSession, unit: Org, tree: list[Org], committee_office: Org, need: dict | None
) -> tuple[Org, str, str, dict | None]:
    """(office, action, why, clause) of the series-level step."""
    own = next((o for o in tree if o.kind == "series_office"), None)
    under = own is not None and own.parent_id == committee_office.id
    if need is None:
        if under:
            return own, "审核", "单位所属的系列职改办", None  # type: ignore[return-value]
        raise _incomplete(unit, [*tree[:1], committee_office])
    why = need["label"]
    if under and own.duty == need["duty"]:  # type: ignore[union-attr]
        return own, need["action"], why, need["clause"]  # type: ignore[return-value]
    found = await _offices(
        session, kind="series_office", duty=need["duty"], parent=committee_office
    )
    if found:
        return found[0], need["action"], why, need["clause"]
    if under and own.duty is None:  # type: ignore[union-attr]
        # The offices under this committee office say no duty: none to choose between.
        dutied = select(Org.id).where(
            col(Org.parent_id) == committee_office.id,
            Org.kind == "series_office",
            col(Org.duty).is_not(None),
        )
        if (await session.exec(dutied)).first() is None:
            return (
                own,
                need["action"],
                why + "（该评委会所在职改办下的系列职改办未登记职责，按单位隶属关系）",
                need["clause"],
            )  # type: ignore[return-value]
    raise _missing(unit, need, f"{committee_office.name}之下")


async def _county_step(
    session: AsyncSession, unit: Org, lower: list[Step], series: Org, step: dict
) -> Step | None:
    """The county office a routing rule adds (in the unit's county, reporting to the
    route's series office), unless the unit's tree already has it."""
    for s in lower:
        if s.org.kind == "county_office" and s.org.duty == step["duty"]:
            s.action, s.why, s.clause = step["action"], step["label"], step["clause"]
            return None
    found = await _offices(
        session, kind="county_office", duty=step["duty"], parent=series, region=unit.region_code
    )
    if not found:
        raise _missing(unit, step, f"{series.name}之下、用人单位所在县区（{unit.region_code}）")
    return Step(found[0], step["action"], step["label"], step["clause"])


def _check(unit: Org, steps: list[Step], committee_office: Org) -> None:
    chain = [s.org for s in steps]
    ranks = [orgs.RANK[o.kind] for o in chain]
    if (
        ranks != sorted(ranks)
        or chain[0].kind != "unit"
        or len({o.id for o in chain}) != len(chain)
        or chain[-1].id != committee_office.id
        or not any(o.kind == "series_office" for o in chain)
    ):
        raise _incomplete(unit, chain)


async def resolve(
    session: AsyncSession,
    rules: httpx.AsyncClient,
    *,
    campaign: Campaign,
    unit: Org,
    level: str,
    path: str,
    industry: str | None,
    specialty: str | None,
    employer_type: str | None,
) -> Route:
    """The committee and chain of offices for a declaration of this shape (the specialty
    as its catalogue code)."""
    region, county = _region(unit.region_code)
    body = {
        "region": region,
        "county": county,
        "series": campaign.series,
        "level": level,
        "as_of": campaign.evaluate_on.isoformat(),
        "industry": industry,
        "specialty": specialties.name_of(campaign.series, specialty),
        "path": path,
        "employer_type": employer_type,
        "affiliation": unit.affiliation,
    }
    answer = await rules_client.route(rules, body)
    committee = answer["committee"]
    if committee is not None and committee["code"] != campaign.committee_code:
        clause = committee["clause"]
        raise RouteCommitteeMismatch(
            f"按{clause['ref']}“{clause['text']}”，这份申报应由{committee['name']}受理，"
            f"不属于本批次“{campaign.name}”的{campaign.committee_name}；请选择{committee['name']}的批次。",
            committee_code=committee["code"],
            campaign_committee_code=campaign.committee_code,
        )
    tree = [unit, *await orgs.parents(session, unit)]
    committee_office = await _committee_office(session, campaign, tree)
    basis = answer["basis"]
    lower = [
        Step(o, BASE_ACTION[o.kind], f"{KIND_NAMES[o.kind]}逐级审核", basis)
        for o in tree
        if o.kind in ("unit", "supervisor", "county_office")
    ]
    series, action, why, clause = await _series_office(
        session, unit, tree, committee_office, answer["series_office"]
    )
    for added in answer["steps"]:
        step = await _county_step(session, unit, lower, series, added)
        if step is not None:
            lower.append(step)  # after the unit's own levels, before the series office
    name = committee["name"] if committee else campaign.committee_name
    steps = [
        *lower,
        Step(series, action, why, clause or basis),
        Step(
            committee_office,
            "受理",
            f"本批次评委会（{name}）所在职改办，链路的最后一级",
            committee["clause"] if committee else None,
        ),
    ]
    _check(unit, steps, committee_office)
    return Route(answer, steps)


def _facts(declaration: Declaration) -> tuple[str | None, str | None]:
    """(industry, employer_type) the declaration states."""
    facts = declaration.applicant_facts or {}
    basic = (declaration.sections or {}).get("basic_info") or {}
    return facts.get("industry"), facts.get("employer_type") or basic.get("employer_type")


async def for_declaration(
    session: AsyncSession,
    rules: httpx.AsyncClient,
    declaration: Declaration,
    unit: Org,
    campaign: Campaign,
) -> Route:
    industry, employer_type = _facts(declaration)
    return await resolve(
        session,
        rules,
        campaign=campaign,
        unit=unit,
        level=declaration.level,
        path=declaration.path,
        industry=industry,
        specialty=declaration.specialty,
        employer_type=employer_type,
    )


def _clause(c: dict | None) -> dict | None:
    return None if c is None else {"ref": c["ref"], "text": c["text"]}


def read(route: Route, campaign: Campaign, unit: Org) -> RouteRead:
    committee = route.answer["committee"]
    steps = [
        {
            "position": i,
            "kind": s.org.kind,
            "kind_name": KIND_NAMES[s.org.kind],
            "org_id": s.org.id,
            "org_name": s.org.name,
            "action": s.action,
            "why": s.why,
            "clause": _clause(s.clause),
        }
        for i, s in enumerate(route.steps)
    ]
    materials = [
        {"id": m["id"], "name": m["name"], "why": m["label"], "clause": _clause(m["clause"])}
        for m in route.answer["materials"]
    ]
    name = committee["name"] if committee else campaign.committee_name
    why = (
        f"按{committee['clause']['ref']}“{committee['clause']['text']}”，由{name}评审。"
        if committee
        else f"本批次的评委会为{name}。"
    )
    chain = "→".join(f"{s['org_name']}（{s['action']}）" for s in steps)
    explanation = f"{why}上报链路：{chain}。"
    for s in route.steps:
        if (
            s.clause is not None
            and s.clause is not route.answer["basis"]
            and s.org.kind not in ("committee_office",)
        ):
            explanation += f"经{s.org.name}：{s.why}（{s.clause['ref']}）。"
    for m in materials:
        explanation += f"须提交{m['name']}：{m['why']}（{m['clause']['ref']}）。"
    return RouteRead(
        campaign_id=campaign.id,
        unit_org_id=unit.id,
        policy=route.answer["policy"],
        committee={
            "code": committee["code"] if committee else campaign.committee_code,
            "name": name,
            "office": committee["office"] if committee else None,
            "clause": _clause(committee["clause"]) if committee else None,
        },
        steps=steps,
        materials=materials,
        explanation=explanation,
    )


async def preview(
    session: AsyncSession,
    rules: httpx.AsyncClient,
    campaign_id: uuid.UUID,
    *,
    unit_id: uuid.UUID,
    level: str,
    path: str,
    industry: str | None,
    specialty: str | None,
    employer_type: str | None,
) -> RouteRead:
    """Why this committee and this chain, for a declaration not yet drafted."""
    campaign = await campaigns.get(session, campaign_id)
    if level not in campaign.levels:
        raise LevelNotInCampaign(f"该批次只受理以下级别：{'、'.join(campaign.levels)}。")
    unit = await session.get(Org, unit_id)
    if unit is None or unit.kind != "unit":
        raise UnitNotFound("所选用人单位不存在，请先由单位在系统登记。")
    if unit.status != "approved":
        raise UnitNotApproved(status_now=unit.status)
    specialties.check(campaign.series, specialty)
    route = await resolve(
        session,
        rules,
        campaign=campaign,
        unit=unit,
        level=level,
        path=path,
        industry=industry,
        specialty=specialty,
        employer_type=employer_type,
    )
    return read(route, campaign, unit)
