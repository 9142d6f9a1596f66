"""The notification outbox table (see services/kit/outbox.py).

Revision ID: notify_0002
Revises: notify_0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "notify_0002"
down_revision = "notify_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("template_code", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("params", postgresql.JSONB(), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False, server_default="created"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("provider", sa.String(32), nullable=True),
        sa.Column("provider_message_id", sa.String(128), nullable=True),
        sa.Column("rendered_text", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("not_after", tz, nullable=True),
        sa.Column("created_at", tz, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", tz, nullable=False, server_default=sa.func.now()),
        sa.Column("enqueued_at", tz, nullable=True),
        sa.Column("sent_at", tz, nullable=True),
        sa.Column("delivered_at", tz, nullable=True),
        sa.UniqueConstraint("dedupe_key", name="uq_notification_dedupe_key"),
        schema="notify",
    )
    op.create_index(
        "ix_notification_pending", "notification", ["status", "enqueued_at"], schema="notify"
    )
    op.create_index(
        "ix_notify_notification_declaration_id",
        "notification",
        ["declaration_id"],
        schema="notify",
    )


def downgrade() -> None:
    op.drop_table("notification", schema="notify")
