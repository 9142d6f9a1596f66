"""Scheduled notices (`send_after`) and the lookups the sweeper and receipts need.

Revision ID: notify_0003
Revises: notify_0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify_0003"
down_revision = "notify_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "notification",
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=True),
        schema="notify",
    )
    # Delivery receipts name the provider's message id.
    op.create_index(
        "ix_notification_provider_message",
        "notification",
        ["provider", "provider_message_id"],
        schema="notify",
    )
    # The sweeper's scans: stale `sending`, unresolved `sending_unknown`, `sent` awaiting a
    # receipt. Partial, so the index stays small as delivered rows pile up.
    op.create_index(
        "ix_notification_in_flight",
        "notification",
        ["status", "updated_at"],
        schema="notify",
        postgresql_where=sa.text("status IN ('sending', 'sending_unknown', 'sent')"),
    )


def downgrade() -> None:
    op.drop_index("ix_notification_in_flight", "notification", schema="notify")
    op.drop_index("ix_notification_provider_message", "notification", schema="notify")
    op.drop_column("notification", "send_after", schema="notify")
