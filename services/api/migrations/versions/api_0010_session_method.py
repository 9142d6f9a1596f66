"""Sessions remember how they were signed in, so unbinding WeChat can end WeChat's.

Revision ID: api_0010
Revises: api_0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "api_0010"
down_revision = "api_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for sessions started before this revision: how they began is not known.
    op.execute(
        "ALTER TABLE api.refresh_token ADD COLUMN method text "
        "CHECK (method IN ('sms', 'wechat', 'password'))"
    )
    # Ending a subject's sessions (disabled account, WeChat unbound) looks them up by sub.
    op.execute(
        "CREATE INDEX refresh_token_active_sub ON api.refresh_token (sub) WHERE status = 'active'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX api.refresh_token_active_sub")
    op.execute("ALTER TABLE api.refresh_token DROP COLUMN method")
