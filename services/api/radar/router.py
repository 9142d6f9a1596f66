"""HTTP for the eligibility radar (资格提醒) and a unit's roster built from it.

An applicant subscribes with the self-check's facts (`PUT`-like: subscribing again
replaces them) and unsubscribes with DELETE; the sweep runs in each gateway (one replica
at a time) and may be run by ops or a service through `POST /v1/eligibility-radar/sweeps`.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import OFFICE_ROLES, SIGNED_IN, PrincipalDep, allow
from services.api.clients.rules import EligibilityRequestInvalid, RulesUnavailable
from services.api.http import DeferredIdempotencyDep, RelayAfterCommit
from services.api.orgs.problems import OrgNotFound
from services.api.problems import Forbidden
from services.api.radar import roster, service, sweep
from services.api.radar.problems import RadarUnitInvalid, SubscriptionNotFound
from services.api.radar.schemas import RadarSweep, Roster, SubscriptionCreate, SubscriptionRead
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

router = APIRouter(tags=["eligibility"], dependencies=SIGNED_IN)
SUBSCRIPTION = "/v1/me/eligibility-subscription"


@router.post(
    SUBSCRIPTION,
    dependencies=[allow("applicant")],
    response_model=SubscriptionRead,
    summary="订阅资格提醒：按自测条件，到可申报之日或符合条件的评审批次开放申报时，短信和站内消息各提醒一次",
    description=(
        "请求体带自测的事实（与资格评估相同）。"
        "答复的计划列出现在或将来某日起符合条件的每一条途径及该日期所"
        "依据的条款；每条途径、每个批次只提醒一次，"
        "在北京时间08:00至21:00之间，每天至多一次，"
        "发到账号已验证的手机号。再次订阅即替换事实。"
        "可选填写所在用人单位，以便出现在该单位的岗位结构比例名册中。"
        "仅申报人账号可调用。"
    ),
    responses=validated(Forbidden, EligibilityRequestInvalid, RadarUnitInvalid, RulesUnavailable),
)
async def subscribe(
    body: SubscriptionCreate,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idem: DeferredIdempotencyDep,
) -> JSONResponse:
    return await service.subscribe(
        session,
        principal,
        body=body,
        sessionmaker=request.app.state.sessionmaker,
        rules=request.app.state.rules,
        idem=idem,
    )


@router.get(
    SUBSCRIPTION,
    dependencies=[allow("applicant")],
    response_model=SubscriptionRead,
    summary="我的资格提醒订阅：各途径可申报之日、依据条款、是否已提醒",
    responses=documented(Forbidden, SubscriptionNotFound),
    description=(
        "读取本人的资格提醒订阅：地区、系列、级别、"
        "计划中各途径的可申报日期及依据、是否已提醒、"
        "下一次提醒的日期和已提醒过的批次。仅申报人本人可调用；"
        "未订阅答复 404。"
    ),
)
async def subscription(session: SessionDep, principal: PrincipalDep) -> SubscriptionRead:
    return await service.mine(session, principal)


@router.delete(
    SUBSCRIPTION,
    status_code=204,
    dependencies=[allow("applicant")],
    summary="退订资格提醒（已发送的站内消息保留）",
    responses=documented(Forbidden, SubscriptionNotFound),
    description=(
        "取消本人的资格提醒订阅，此后不再提醒；已发送的站内消息保留。仅申报人本人可调用。"
    ),
)
async def unsubscribe(session: SessionDep, principal: PrincipalDep) -> Response:
    await service.unsubscribe(session, principal)
    return Response(status_code=204)


async def radar_sweep(request: Request, session: SessionDep) -> RadarSweep:
    return await sweep.sweep(session, cipher=request.app.state.pii)


router.add_api_route(
    "/v1/eligibility-radar/sweeps",
    radar_sweep,
    methods=["POST"],
    # What the sweep queued is handed to the queue once the answer is out.
    route_class_override=RelayAfterCommit,
    dependencies=[allow("ops", "service")],
    response_model=RadarSweep,
    summary="立即执行资格提醒的扫描（运维或服务账号）；网关也会定期执行",
    responses=documented(Forbidden),
    description=(
        "对全部订阅执行一次扫描：到期的途径和新开放的批次发出短信和站"
        "内消息。北京时间08:00至21:00以外不发送（次日早上再发）；"
        "同一时间只有一个副本执行。运维人员或服务账号可调用。"
    ),
)


@router.get(
    "/v1/orgs/{org_id}/eligibility-roster",
    dependencies=[allow("unit_reviewer", *OFFICE_ROLES)],
    response_model=Roster,
    summary="单位岗位结构比例名册：本年和下一年可申报的人员、途径、最早日期和依据（手机号、身份证号脱敏）",
    responses=documented(Forbidden, OrgNotFound),
    description=(
        "按本单位申报人订阅资格提醒时填报的事实（申报人自填，"
        "尚未审核），列出本年和下一年可申报的人员：姓名、"
        "脱敏的手机号和身份证号、级别、各途径的最早日期及依据，"
        "供单位安排岗位结构比例。该单位的审核人员及县区、系列、"
        "评委会的职改办可调用。"
    ),
)
async def eligibility_roster(
    org_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Roster:
    return await roster.roster(
        session, principal, org_id=org_id, year=year, cipher=request.app.state.pii
    )
