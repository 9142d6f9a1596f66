"""HTTP for payments: the applicant's pay code and 缴费验证, the provider's signed
callback, the expiry sweep, an order's state and its refunds."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.campaigns.problems import DeadlinePassed, WindowNotOpen
from services.api.declarations.deps import READ_PROBLEMS, ApplicantsLookup, VisibleDeclaration
from services.api.http import RelayAfterCommit
from services.api.payments import paying, service
from services.api.payments.deps import RefundAfterCommit
from services.api.payments.problems import (
    CALLBACK_PROBLEMS,
    DeclarationNotPayable,
    PaymentAfterDeadline,
    PaymentAlreadySettled,
    PaymentAmountMismatch,
    PaymentCallbackConflict,
    PaymentNotReceived,
    PaymentOrderNotFound,
    PaymentOrderNotPending,
    PaymentProviderUnavailable,
    PaymentTimeInFuture,
    PaymentTransactionReused,
)
from services.api.payments.schemas import (
    SIGNATURE_HEADER,
    CallbackAnswer,
    ExpirySweep,
    PayCodeRead,
    PaymentCallback,
    PaymentOrderRead,
)
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented
from services.kit.problems import problem_response

router = APIRouter(tags=["payments"], dependencies=[RelayAfterCommit, RefundAfterCommit])


def _settled(request: Request, result: service.Settlement) -> JSONResponse:
    """The booked order, or the problem of a payment refused and recorded for refund (the
    refund is committed with the answer, so it is rendered, not raised)."""
    if result.problem is not None:
        return problem_response(result.problem, request)
    headers = {"Payment-Callback-Replayed": "true"} if result.replayed else None
    return JSONResponse(jsonable_encoder(result.answer), headers=headers)


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
        "deadline is applied even if its callback comes late, and undoes an expiry. A payment "
        "refused as a second one for a paid order, as late, or for a declaration no longer "
        "payable is recorded for refund (原路退回, `refund_id` in the problem) and the refund is "
        "asked of the provider after the answer."
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
    return _settled(
        request, await service.apply_callback(session, raw=raw, signature=signature, key=key)
    )


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
    return await service.order_read(session, declaration)


@router.post(
    "/v1/declarations/{declaration_id}/payment-code",
    response_model=PayCodeRead,
    summary="The applicant's pay code for the review fee (缴费码; native/H5 code_url)",
    description=(
        "申报人点击“缴费”: the provider's pay link for the order (`code_url`; clients show it "
        "as a QR code to scan, or open it on the phone). Asked of the provider once, the same "
        "code afterwards; only while the order is pending and within the campaign's payment "
        "window. The provider is asked with no database connection held."
    ),
    responses=documented(
        *READ_PROBLEMS,
        Forbidden,
        PaymentOrderNotFound,
        PaymentOrderNotPending,
        WindowNotOpen,
        DeadlinePassed,
        PaymentProviderUnavailable,
    ),
)
async def payment_code(
    declaration: ApplicantsLookup, request: Request, session: SessionDep
) -> PayCodeRead:
    return await paying.pay_code(
        session,
        declaration,
        sessionmaker=request.app.state.sessionmaker,
        provider=request.app.state.payment_provider,
        notify_url=request.app.state.settings.payment_notify_url,
    )


@router.post(
    "/v1/declarations/{declaration_id}/payment-verifications",
    response_model=CallbackAnswer,
    summary="缴费验证: ask the provider about the order and book the payment (→ paid)",
    description=(
        "“成功后有提示成功信息，再到系统中进行缴费验证”. The gateway queries the provider "
        "(no connection held) and books what it took through the same path as the signed "
        "callback, under the order's lock: a verification racing the callback books the "
        "payment once, and the later one answers as a repeat (`Payment-Callback-Replayed: "
        "true`). Nothing paid yet: 409 payment-not-received. A payment that cannot be booked "
        "is recorded for refund (原路退回) as for the callback."
    ),
    responses=documented(
        *READ_PROBLEMS,
        Forbidden,
        PaymentOrderNotFound,
        PaymentNotReceived,
        PaymentAlreadySettled,
        PaymentAfterDeadline,
        DeclarationNotPayable,
        PaymentAmountMismatch,
        PaymentCallbackConflict,
        PaymentTimeInFuture,
        PaymentTransactionReused,
        PaymentProviderUnavailable,
    ),
)
async def payment_verification(
    declaration: ApplicantsLookup,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    return _settled(
        request,
        await paying.verify(
            session,
            principal,
            declaration,
            sessionmaker=request.app.state.sessionmaker,
            provider=request.app.state.payment_provider,
        ),
    )
