"""The eligibility contract, exposed by the gateway with the same body as the service.

Any signed-in caller may evaluate (applicants, reviewers, ops); a portal needs the
`eligibility:evaluate` scope. Anonymous calls are refused so that every call counts
against someone's rate limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from services.api.access import PrincipalDep
from services.api.clients.rules import forward
from services.api.eligibility import examples

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"])
committees_router = APIRouter(prefix="/v1", tags=["eligibility"])


@router.post(
    "/evaluate",
    responses={200: {"content": {"application/json": {"example": examples.EVALUATE_ANSWER}}}},
    summary="资格评估：能否申报、走哪条途径、不能申报的何时可以",
    description=(
        "按申报人的学历、职称、资历、考核、论文业绩等事实，"
        "评估在某地区、某系列、某级别能否申报：各申报途径是否符合、"
        "每一条件的结论及所依据的条款原文、不得申报的情形、"
        "最早可申报日期、受理的评委会和评审费。"
        "请求和答复与资格服务的 POST /v1/evaluate 相同（见"
        " rules.json 的 EvaluateRequest 和 EvaluateResponse）。"
        "任何已登录的用户均可调用；对接平台须持"
        " eligibility:evaluate 权限。匿名调用被拒绝，"
        "以便每次调用都计入调用者的限流额度。"
    ),
)
async def evaluate(
    request: Request,
    principal: PrincipalDep,
    body: dict[str, Any] = Body(..., examples=[examples.EVALUATE_REQUEST]),
) -> Response:
    upstream = await forward(request.app.state.rules, "POST", "/v1/evaluate", json=body)
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
    )


@committees_router.get(
    "/committees",
    responses={200: {"content": {"application/json": {"example": examples.COMMITTEES_ANSWER}}}},
    summary="按地区、系列、级别查询评委会及受理材料的职改办",
    description=(
        "按地区（region）、系列（series），以及可选的级别、行业、"
        "县区、专业和日期，答复受理评审的评委会和接收材料的职改办及所"
        "依据的条款。查询参数和答复与资格服务的 GET /v1/committees 相"
        "同。任何已登录的用户均可调用；对接平台须持"
        " eligibility:evaluate 权限。"
    ),
)
async def committees(request: Request, principal: PrincipalDep) -> Response:
    upstream = await forward(
        request.app.state.rules, "GET", "/v1/committees", params=dict(request.query_params)
    )
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
    )
