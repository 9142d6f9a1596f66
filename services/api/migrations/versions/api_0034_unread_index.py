"""Province scale: a person's unread count read from one index, not from each message.

The unread badge counts a person's unread messages that have reached the centre and whose
notice was not cancelled (messages/service.py). The index on (recipient_sub) WHERE unread
found them, but each one's visible_from and notice were then read from the table: 5 000
heap rows for a unit reviewer with 5 000 unread at 1M declarations (~30 ms). With
visible_from and notification_id in the index, the count is an index-only scan, and the
cancelled notices are tested against the (few) cancelled outbox rows.

Revision ID: api_0034
Revises: api_0033
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "api_0034"
down_revision = "api_0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX api.ix_message_unread")
    op.execute(
        "CREATE INDEX ix_message_unread ON api.message (recipient_sub, visible_from, "
        "notification_id) WHERE read_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX api.ix_message_unread")
    op.execute(
        "CREATE INDEX ix_message_unread ON api.message (recipient_sub) WHERE read_at IS NULL"
    )
