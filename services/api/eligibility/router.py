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

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"])
committees_router = APIRouter(prefix="/v1", tags=["eligibility"])


@router.post(
    "/evaluate",
    summary="May this applicant apply, on which path, and if not, when?",
    description="Same request and response as the eligibility service's `POST /v1/evaluate`.",
)
async def evaluate(
    request: Request, principal: PrincipalDep, body: dict[str, Any] = Body(...)
) -> Response:
    upstream = await forward(request.app.state.rules, "POST", "/v1/evaluate", json=body)
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
    )


@committees_router.get(
    "/committees",
    summary="Committees (and the office that receives the files) for a region, series, level",
    description="Same query and answer as the eligibility service's `GET /v1/committees`.",
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
