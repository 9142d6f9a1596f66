"""The eligibility contract, exposed by the gateway with the same body as the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from services.api.clients.rules import forward

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"])


@router.post(
    "/evaluate",
    summary="May this applicant apply, on which path, and if not, when?",
    description="Same request and response as the eligibility service's `POST /v1/evaluate`.",
)
async def evaluate(request: Request, body: dict[str, Any] = Body(...)) -> Response:
    upstream = await forward(request.app.state.rules, "POST", "/v1/evaluate", json=body)
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
    )
