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
from services.api.clients.rules import EligibilityRequestInvalid
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
        "The body carries the self-check's facts (the eligibility contract). The plan lists "
        "each path eligible now or from a later date, with the clause the date rests on; "
        "a notice goes once per path and per campaign, between 08:00 and 21:00 Beijing "
        "time, at most one a day, to the phone the account proved. Subscribing again "
        "replaces the facts."
    ),
    responses=validated(Forbidden, EligibilityRequestInvalid, RadarUnitInvalid),
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
)
async def subscription(session: SessionDep, principal: PrincipalDep) -> SubscriptionRead:
    return await service.mine(session, principal)


@router.delete(
    SUBSCRIPTION,
    status_code=204,
    dependencies=[allow("applicant")],
    summary="退订资格提醒（已发送的站内消息保留）",
    responses=documented(Forbidden, SubscriptionNotFound),
)
async def unsubscribe(session: SessionDep, principal: PrincipalDep) -> Response:
    await service.unsubscribe(session, principal)
    return Response(status_code=204)


@router.post(
    "/v1/eligibility-radar/sweeps",
    dependencies=[allow("ops", "service"), RelayAfterCommit],
    response_model=RadarSweep,
    summary="Run the radar's sweep now (ops or service); the gateway also runs it periodically",
    responses=documented(Forbidden),
)
async def radar_sweep(request: Request, session: SessionDep) -> RadarSweep:
    return await sweep.sweep(session, cipher=request.app.state.pii)


@router.get(
    "/v1/orgs/{org_id}/eligibility-roster",
    dependencies=[allow("unit_reviewer", *OFFICE_ROLES)],
    response_model=Roster,
    summary="单位岗位结构比例名册：本年和下一年可申报的人员、途径、最早日期和依据（手机号、身份证号脱敏）",
    responses=documented(Forbidden, OrgNotFound),
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
