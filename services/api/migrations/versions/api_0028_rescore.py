"""复核 of a scored session (长工信〔2022〕139号 九): the experts' new 答辩 marks, sealed as
the session's are (who marked in one table, the marks under a random id in another), and
the 复核's logged 量化赋分 adjustments.

Revision ID: api_0028
Revises: api_0027
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0028"
down_revision = "api_0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.recheck_mark_cast (
            recheck_id uuid NOT NULL REFERENCES api.recheck(id),
            expert_id uuid NOT NULL REFERENCES api.expert(id),
            PRIMARY KEY (recheck_id, expert_id)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.recheck_mark (
            id uuid PRIMARY KEY,
            recheck_id uuid NOT NULL REFERENCES api.recheck(id),
            material numeric(5, 2) NOT NULL CHECK (material BETWEEN 0 AND 100),
            live numeric(5, 2) NOT NULL CHECK (live BETWEEN 0 AND 100)
        )
        """
    )
    op.execute("CREATE INDEX ix_recheck_mark_recheck_id ON api.recheck_mark (recheck_id)")
    op.execute(
        """
        CREATE TABLE api.recheck_adjustment (
            id uuid PRIMARY KEY,
            recheck_id uuid NOT NULL REFERENCES api.recheck(id),
            item text NOT NULL,
            points numeric(6, 2) NOT NULL,
            reason text NOT NULL CHECK (length(reason) > 0),
            by_sub text NOT NULL,
            by_role text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_recheck_adjustment_recheck_id ON api.recheck_adjustment (recheck_id)"
    )


def downgrade() -> None:
    for table in ("recheck_adjustment", "recheck_mark", "recheck_mark_cast"):
        op.execute(f"DROP TABLE api.{table}")
