"""The eligibility contract, exposed by the gateway with the same body as the service.

Any signed-in caller may evaluate (applicants, reviewers, ops); a portal needs the
`eligibility:evaluate` scope. Anonymous calls are refused so that every call counts
against someone's rate limit. The committees are a public read (policies/router.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from services.api.access import PrincipalDep
from services.api.clients.rules import forward

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"])


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
