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
    created_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(TZ, server_default=func.now(), nullable=False)
    )
