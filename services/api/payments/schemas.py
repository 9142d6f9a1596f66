from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.api.payments import examples

SIGNATURE_HEADER = "X-Payment-Signature"


class PaymentCallback(BaseModel):
    """What the payment provider posts once a payment has succeeded.

    Signed: header `X-Payment-Signature: sha256=<hex>` (or the bare hex) is
    HMAC-SHA256 over the exact request body bytes with the shared key.
    """

    model_config = ConfigDict(
        extra="ignore",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.PAYMENT_CALLBACK]},
    )

    order_id: uuid.UUID
    """订单编号"""
    transaction_id: str = Field(min_length=1, max_length=64, description="支付机构的交易号")
    amount_fen: int = Field(gt=0, description="实付金额（分）")
    paid_at: AwareDatetime = Field(description="支付机构收款的时间（带时区）")


class RefundRead(BaseModel):
    """A payment not booked and returned the way it came (原路退回)."""

    model_config = ConfigDict(from_attributes=True, use_attribute_docstrings=True)

    id: uuid.UUID = Field(description="退款编号，也是给支付机构的退款单号（十六进制）")
    transaction_id: str
    """被退回的付款的交易号"""
    amount_fen: int
    """退款金额（分）"""
    paid_at: datetime
    """被退回的付款的付款时间"""
    cause: Literal["duplicate", "after_deadline", "not_payable"]
    """退款原因：duplicate 重复付款；after_deadline 截止后付款；not_payable 申报书已不能缴费"""
    reason: str
    """退款原因的中文说明"""
    status: Literal["pending", "requested", "succeeded"]
    """退款状态：pending 待申请；requested 已向支付机构申请；succeeded 已退回"""
    provider_refund_id: str | None
    """支付机构的退款单号；未申请为 null"""
    attempts: int
    """已向支付机构申请的次数"""
    created_at: datetime
    """记录退款的时间"""


class PaymentOrderRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.PAYMENT_ORDER_READ]},
    )

    id: uuid.UUID
    """订单编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    campaign_id: uuid.UUID
    """申报批次编号"""
    amount_fen: int
    """金额（分）"""
    opens_at: datetime | None
    """开始缴费时间；不限为 null"""
    deadline_at: datetime
    """缴费截止时间，逾期视为放弃申报"""
    status: str
    """订单状态：pending 待缴费；paid 已缴费；expired 逾期未缴费；refunded 已退款"""
    transaction_id: str | None
    """支付机构的交易号；未缴费为 null"""
    paid_at: datetime | None
    """缴费时间；未缴费为 null"""
    expired_at: datetime | None
    """逾期撤回的时间；没有则为 null"""
    code_url: str | None = Field(default=None, description="申报人申请过的缴费码；未申请为 null")
    refunds: list[RefundRead] = Field(default_factory=list, description="本订单原路退回的付款")


class PayCodeRead(BaseModel):
    """What the applicant's 缴费 button shows: the amount, the deadline and the pay code.

    `code_url` is the provider's native/H5 pay link: open it on a phone; `qr_png` is the
    same link as a QR code (a PNG data URI) to show on a screen and scan."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.PAY_CODE_READ]}
    )

    order_id: uuid.UUID
    """订单编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    amount_fen: int
    """金额（分）"""
    amount_yuan: str
    """金额（元，两位小数）"""
    deadline_at: datetime
    """缴费截止时间"""
    code_url: str
    """支付机构的缴费链接（原生或 H5）：在手机上打开，或显示为二维码"""
    qr_png: str
    """缴费码二维码的 PNG 图片（data URI，base64）"""
    code_issued_at: datetime
    """缴费码的申请时间"""


class CallbackAnswer(BaseModel):
    """The same answer for the first callback and every exact repeat of it."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.CALLBACK_ANSWER]}
    )

    order_id: uuid.UUID
    """订单编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    status: str
    """入账后的订单状态"""
    transaction_id: str
    """支付机构的交易号"""
    amount_fen: int
    """入账金额（分）"""
    paid_at: datetime
    """付款时间"""


class ExpirySweep(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.EXPIRY_SWEEP]}, use_attribute_docstrings=True
    )
    ran: bool = Field(description="是否执行；另一个副本正在执行时为 false")
    expired: list[uuid.UUID] = Field(description="本次撤回的申报书编号")
