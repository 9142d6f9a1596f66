"""Create the api schema.

Revision ID: api_0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "api_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS api")


def downgrade() -> None:
    op.execute("DROP SCHEMA IF EXISTS api CASCADE")
