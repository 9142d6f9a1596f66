"""HTTP for the policy packs: public reads (no sign-in), cacheable with ETag, so that front
ends and portals can show the rules and the materials they ask for."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from services.api.clients.rules import RulesUnavailable, forward
from services.api.eligibility import examples
from services.api.http import CACHED, IfNoneMatch, cacheable
from services.api.policies import service
from services.api.policies.problems import PolicyNotFound
from services.api.policies.schemas import PolicyRead, PolicySummaryRead
from services.kit.problem_kinds import documented, merged
from services.kit.vocabulary import Series

router = APIRouter(prefix="/v1/policies", tags=["policies"])


@router.get(
    "",
    response_model=list[PolicySummaryRead],
    summary="政策包列表：施行日期、被替代日期、级别与文件（公开，可缓存）",
    description=(
        "列出各地区、各系列的政策包（一组职称评审政策文件及其条款）："
        "施行日期及其依据、被新政策包替代的日期、涵盖的级别和文件。"
        "同时给出 region、series 和 as_of 时，只答复该地区、"
        "该系列在该日施行的那一个政策包（没有则为空列表）。公开接口，"
        "无需登录；答复带 ETag，可用 If-None-Match 得到 304。"
    ),
    responses=merged(CACHED, documented(RulesUnavailable)),
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
    summary=("一个政策包：文件、级别、各途径的条件与条款原文、申报材料（公开，可缓存）"),
    responses=merged(CACHED, documented(PolicyNotFound, RulesUnavailable)),
    description=(
        "读取一个政策包的全部内容：所依据的文件、不得申报的情形、"
        "各级别各申报途径的条件及条款原文、需提交的申报材料、"
        "评委会和申报时限，以及种子文件未写明之处所作的取舍说明。"
        "每一条条件都附所依据的条款原文。公开接口，无需登录；"
        "答复带 ETag，可用 If-None-Match 得到 304。"
    ),
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
    summary="按地区、系列、级别查询评委会及受理材料的职改办（公开，可缓存）",
    description=(
        "按地区（region）、系列（series），以及可选的级别、行业、县区、专业和日期，答复受理"
        "评审的评委会和接收材料的职改办及所依据的条款。查询参数和答复与资格评估服务的 "
        "GET /v1/committees 相同。是公开的参考数据，与政策包一样无须登录即可读取。"
    ),
    responses=merged(
        CACHED,
        {200: {"content": {"application/json": {"example": examples.COMMITTEES_ANSWER}}}},
        documented(RulesUnavailable),
    ),
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
