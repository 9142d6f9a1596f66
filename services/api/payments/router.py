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

router = APIRouter(
    tags=["payments"], dependencies=[RefundAfterCommit], route_class=RelayAfterCommit
)


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
    summary="支付机构的签名缴费成功回调（待缴费 → 已缴费）",
    description=(
        "支付机构在付款成功后调用。以与支付机构共享的密钥对原始请求体"
        "计算 HMAC-SHA256，十六进制摘要放在 X-Payment-Signature（可带"
        " sha256= 前缀）。只在订单待缴费时入账；"
        "完全相同的重复回调（同一 transaction_id）"
        "得到同样的答复并带 Payment-Callback-Replayed: true。"
        "不带令牌，以签名认证。"
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
        Header(
            alias=SIGNATURE_HEADER,
            description="原始请求体的 HMAC-SHA256 十六进制摘要（支付机构签名）",
        ),
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
    summary="撤回缴费期限已过仍未缴费的申报（可重复执行；运维或服务账号）",
    description=(
        "桂工信职办〔2023〕6号 六（二）："
        "“缴费完成才表示本次材料报送成功，"
        "逾期不缴费者视为放弃本次职称申报。"
        "”立即执行网关也会定期执行的清理：同一时间只有一个副本执行，"
        "期限以数据库时钟比较。运维人员或服务账号可调用。"
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
    summary="申报书的评审费订单",
    responses=documented(*READ_PROBLEMS, PaymentOrderNotFound),
    description=(
        "读取申报书的评审费订单：金额、缴费期限、状态、缴费码、"
        "第三方交易号和退款记录。申报人本人、用人单位、"
        "审核链上的职改办、评委会办公室和运维人员可调用。"
    ),
)
async def payment_order(declaration: VisibleDeclaration, session: SessionDep) -> PaymentOrderRead:
    return await service.order_read(session, declaration)


@router.post(
    "/v1/declarations/{declaration_id}/payment-code",
    response_model=PayCodeRead,
    summary="申报人的评审费缴费码（原生或 H5 支付链接 code_url）",
    description=(
        "申报人点击“缴费”后答复支付机构的缴费链接（code_url，"
        "前端显示为二维码供扫码，或在手机上直接打开），"
        "并附二维码图片。同一订单只向支付机构申请一次，"
        "之后答复同一个缴费码；只在订单待缴费且在批次的缴费时间内有效"
        "（见种子文件 002：“在个人版我的首页点击‘缴费’扫描缴费码缴费"
        "”）。仅申报人本人可调用。"
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
    summary="缴费验证：向支付机构查询订单并入账（→ 已缴费）",
    description=(
        "种子文件 002：“成功后有提示成功信息，"
        "再到系统中进行缴费验证，缴费完成。"
        "”网关向支付机构查询该订单，按与签名回调相同的途径入账："
        "与回调同时到达时只入账一次，后到的按重复处理"
        "（Payment-Callback-Replayed: true）。"
        "尚未付款答复 409 payment-not-received；"
        "不能入账的付款记为待原路退回。仅申报人本人可调用。"
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
