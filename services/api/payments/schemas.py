from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SIGNATURE_HEADER = "X-Payment-Signature"


class PaymentCallback(BaseModel):
    """What the payment provider posts once a payment has succeeded.

    Signed: header `X-Payment-Signature: sha256=<hex>` (or the bare hex) is
    HMAC-SHA256 over the exact request body bytes with the shared key.
    """

    model_config = ConfigDict(extra="ignore")

    order_id: uuid.UUID
    transaction_id: str = Field(min_length=1, max_length=64, description="provider's id")
    amount_fen: int = Field(gt=0, description="amount paid, in fen (分)")
    paid_at: AwareDatetime = Field(description="when the provider took the money")


class RefundRead(BaseModel):
    """A payment not booked and returned the way it came (原路退回)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="also the provider's out_refund_no (hex)")
    transaction_id: str
    amount_fen: int
    paid_at: datetime
    cause: Literal["duplicate", "after_deadline", "not_payable"]
    reason: str
    status: Literal["pending", "requested", "succeeded"]
    provider_refund_id: str | None
    attempts: int
    created_at: datetime


class PaymentOrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    declaration_id: uuid.UUID
    campaign_id: uuid.UUID
    amount_fen: int
    opens_at: datetime | None
    deadline_at: datetime
    status: str
    transaction_id: str | None
    paid_at: datetime | None
    expired_at: datetime | None
    code_url: str | None = Field(
        default=None, description="the provider's pay code once the applicant asked for one"
    )
    refunds: list[RefundRead] = Field(
        default_factory=list, description="payments for this order returned the way they came"
    )


class PayCodeRead(BaseModel):
    """What the applicant's 缴费 button shows: the amount, the deadline and the pay code.

    `code_url` is the provider's native/H5 pay link: open it on a phone; `qr_png` is the
    same link as a QR code (a PNG data URI) to show on a screen and scan."""

    order_id: uuid.UUID
    declaration_id: uuid.UUID
    amount_fen: int
    amount_yuan: str
    deadline_at: datetime
    code_url: str
    qr_png: str
    code_issued_at: datetime


class CallbackAnswer(BaseModel):
    """The same answer for the first callback and every exact repeat of it."""

    order_id: uuid.UUID
    declaration_id: uuid.UUID
    status: str
    transaction_id: str
    amount_fen: int
    paid_at: datetime


class ExpirySweep(BaseModel):
    ran: bool = Field(description="false when another replica holds the sweep lock")
    expired: list[uuid.UUID] = Field(description="declarations withdrawn by this run")
