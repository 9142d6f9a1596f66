"""The outbox row keeps the traceparent of the request that wrote it.

The send job continues that trace (services/kit/tracing.py). NULL when traces are off.

Revision ID: notify_0004
Revises: notify_0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify_0004"
down_revision = "notify_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # W3C trace context: "00-<32 hex>-<16 hex>-<2 hex>", 55 characters.
    op.add_column(
        "notification",
        sa.Column("traceparent", sa.String(length=55), nullable=True),
        schema="notify",
    )


def downgrade() -> None:
    op.drop_column("notification", "traceparent", schema="notify")
