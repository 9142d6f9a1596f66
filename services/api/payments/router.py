"""HTTP for payments: the provider's signed callback, the expiry sweep, an order's state."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.declarations.deps import READ_PROBLEMS, VisibleDeclaration
from services.api.http import RelayAfterCommit
from services.api.payments import service
from services.api.payments.problems import CALLBACK_PROBLEMS, PaymentOrderNotFound
from services.api.payments.schemas import (
    SIGNATURE_HEADER,
    CallbackAnswer,
    ExpirySweep,
    PaymentCallback,
    PaymentOrderRead,
)
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["payments"], dependencies=[RelayAfterCommit])

_CALLBACK_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PaymentCallback.model_json_schema()}},
    }
}


@router.post(
    "/v1/payments/callback",
    response_model=CallbackAnswer,
    summary="Payment provider's signed success callback (pending → paid)",
    description=(
        "Signed with HMAC-SHA256 over the raw body, key shared with the provider, hex digest "
        f"in `{SIGNATURE_HEADER}` (optionally prefixed `sha256=`). Applied only while the "
        "order is pending; an exact repeat (same transaction_id) gets the same answer with "
        "`Payment-Callback-Replayed: true`. A payment whose provider `paid_at` is after the "
        "deadline is refused (409 payment-after-deadline, to be refunded); one paid by the "
        "deadline is applied even if its callback comes late, and undoes an expiry."
    ),
    openapi_extra=_CALLBACK_BODY,
    responses=documented(
        *CALLBACK_PROBLEMS,
        keep={401: "bad signature", 409: "Conflict", 422: "Unprocessable Entity"},
    ),
)
async def callback(
    request: Request,
    session: SessionDep,
    signature: Annotated[
        str | None,
        Header(alias=SIGNATURE_HEADER, description="hex HMAC-SHA256 of the raw body"),
    ] = None,
) -> JSONResponse:
    raw = await request.body()
    key = request.app.state.settings.payment_callback_key
    answer, replayed = await service.apply_callback(session, raw=raw, signature=signature, key=key)
    headers = {"Payment-Callback-Replayed": "true"} if replayed else None
    return JSONResponse(jsonable_encoder(answer), headers=headers)


@router.post(
    "/v1/payments/expirations",
    response_model=ExpirySweep,
    dependencies=[allow("ops", "service")],
    responses=documented(Forbidden),
    summary="Withdraw declarations unpaid at their deadline (idempotent; ops or service)",
    description=(
        "逾期不缴费者视为放弃. Runs the sweep the gateway also runs periodically; one replica "
        "at a time (advisory lock), deadlines compared with the database clock."
    ),
)
async def expirations(
    request: Request, session: SessionDep, principal: PrincipalDep
) -> ExpirySweep:
    grace = timedelta(seconds=request.app.state.settings.payment_expiry_grace_seconds)
    return await service.sweep_expired(session, principal=principal, grace=grace)


@router.get(
    "/v1/declarations/{declaration_id}/payment-order",
    response_model=PaymentOrderRead,
    summary="The declaration's review-fee order",
    responses=documented(*READ_PROBLEMS, PaymentOrderNotFound),
)
async def payment_order(declaration: VisibleDeclaration, session: SessionDep) -> PaymentOrderRead:
    return PaymentOrderRead.model_validate(await service.order_of(session, declaration))
