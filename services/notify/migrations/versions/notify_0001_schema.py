"""Create the notify schema.

Revision ID: notify_0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "notify_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS notify")


def downgrade() -> None:
    op.execute("DROP SCHEMA IF EXISTS notify CASCADE")
