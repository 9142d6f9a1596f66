from __future__ import annotations

import uuid
from datetime import datetime

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
