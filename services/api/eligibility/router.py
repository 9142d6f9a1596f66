"""The eligibility contract, exposed by the gateway with the same body as the service.

Any signed-in caller may evaluate (applicants, reviewers, ops); a portal needs the
`eligibility:evaluate` scope. Anonymous calls are refused so that every call counts
against someone's rate limit. The committees are a public read (policies/router.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from services.api.access import PrincipalDep
from services.api.clients.rules import RulesUnavailable, forward
from services.api.eligibility import examples
from services.kit.problem_kinds import documented

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"])


@router.post(
    "/evaluate",
    responses={
        200: {"content": {"application/json": {"example": examples.EVALUATE_ANSWER}}},
        **documented(RulesUnavailable),
    },
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
