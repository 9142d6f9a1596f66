from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field, SQLModel

TZ = DateTime(timezone=True)


class PaymentOrder(SQLModel, table=True):
    """The review fee of one declaration: pending → paid | expired | refunded.

    Amount in fen from the policy's fee (评审收费标准); deadline from the campaign's
    payment window (逾期不缴费者视为放弃).
    """

    __tablename__ = "payment_order"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id", unique=True)
    campaign_id: uuid.UUID = Field(foreign_key="api.campaign.id")
    amount_fen: int
    opens_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    deadline_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    status: str = "pending"
    # The provider's transaction id and its time of payment, once paid.
    transaction_id: str | None = None
    paid_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    expired_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    # The provider's pay code (native/H5 code_url) once the applicant asked for it.
    code_url: str | None = None
    code_issued_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )


class PaymentRefund(SQLModel, table=True):
    """A payment the provider took that is not booked and goes back the way it came
    (原路退回): a second payment for a paid declaration, one made after the deadline, one
    for a declaration no longer payable. One row per provider transaction.

    pending → requested (the provider took the refund) → succeeded; a failed request
    stays pending, with its attempts and last error, and is asked again.
    """

    __tablename__ = "payment_refund"
    __table_args__ = {"schema": "api"}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    order_id: uuid.UUID = Field(foreign_key="api.payment_order.id")
    declaration_id: uuid.UUID = Field(foreign_key="api.declaration.id")
    transaction_id: str = Field(unique=True)
    amount_fen: int
    paid_at: datetime = Field(sa_column=Column(TZ, nullable=False))
    cause: str  # duplicate | after_deadline | not_payable
    reason: str
    status: str = "pending"
    provider_refund_id: str | None = None
    attempts: int = 0
    last_error: str | None = None
    requested_at: datetime | None = Field(default=None, sa_column=Column(TZ))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
