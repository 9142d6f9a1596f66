"""HTTP for the policy packs: public reads (no sign-in), cacheable with ETag, so that front
ends and portals can show the rules and the materials they ask for."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from services.api.clients.rules import forward
from services.api.http import CACHED, IfNoneMatch, cacheable
from services.api.policies import service
from services.api.policies.problems import PolicyNotFound
from services.api.policies.schemas import PolicyRead, PolicySummaryRead
from services.kit.problem_kinds import documented
from services.kit.vocabulary import Series

router = APIRouter(prefix="/v1/policies", tags=["policies"])


@router.get(
    "",
    response_model=list[PolicySummaryRead],
    summary="政策包列表：施行日期、被替代日期、级别与文件（公开，可缓存）",
    description="With `region`, `series` and `as_of` together: the one pack in force for "
    "that region and series on that date (an empty list when none is).",
    responses=CACHED,
)
async def list_policies(
    request: Request,
    if_none_match: IfNoneMatch = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    series: Annotated[Series | None, Query()] = None,
    as_of: Annotated[date | None, Query()] = None,
) -> Response:
    packs = await service.list_policies(
        request.app.state.rules, region=region, series=series, as_of=as_of
    )
    return cacheable(packs, if_none_match)


@router.get(
    "/{policy_id}",
    response_model=PolicyRead,
    summary="一个政策包：文件、级别、各途径的条件与条款原文、申报材料（公开，可缓存）",
    responses={**CACHED, **documented(PolicyNotFound)},
)
async def get_policy(
    request: Request,
    policy_id: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")],
    if_none_match: IfNoneMatch = None,
) -> Response:
    return cacheable(await service.get_policy(request.app.state.rules, policy_id), if_none_match)


# Under the eligibility tag it was published with (operation id `eligibility.committees`).
committees_router = APIRouter(prefix="/v1", tags=["eligibility"])


@committees_router.get(
    "/committees",
    summary="Committees (and the office that receives the files) for a region, series, level "
    "(public, cacheable)",
    description="Same query and answer as the eligibility service's `GET /v1/committees`: "
    "reference data, read without a token like the policy packs.",
    responses=CACHED,
)
async def committees(request: Request, if_none_match: IfNoneMatch = None) -> Response:
    upstream = await forward(
        request.app.state.rules, "GET", "/v1/committees", params=dict(request.query_params)
    )
    if upstream.status_code == 200:
        return cacheable(upstream.json(), if_none_match)
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
    )
