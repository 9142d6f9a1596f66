"""Units that register themselves: an org carries its registration status (approved for
every org added by ops, pending for a unit that registered itself until its parent office
decides), who registered it, and the parent office's decision with its reason.

Only approved units may be chosen for a draft; the search shows approved units only.

Revision ID: api_0019
Revises: api_0018
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "api_0019"
down_revision = "api_0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE api.org
            ADD COLUMN status varchar(16) NOT NULL DEFAULT 'approved',
            ADD COLUMN registered_by text,
            ADD COLUMN contact_name text,
            ADD COLUMN decided_by text,
            ADD COLUMN decided_at timestamptz,
            ADD COLUMN decision_reason text,
            ADD CONSTRAINT org_status_known CHECK (status IN ('pending', 'approved', 'rejected')),
            ADD CONSTRAINT org_decision_whole CHECK (
                (status = 'pending' AND decided_at IS NULL)
                OR (status = 'rejected' AND decided_at IS NOT NULL AND decision_reason IS NOT NULL)
                OR status = 'approved'
            )
        """
    )
    op.execute("CREATE INDEX org_unit_name ON api.org (kind, status, name)")


def downgrade() -> None:
    op.execute("DROP INDEX api.org_unit_name")
    op.execute(
        """
        ALTER TABLE api.org
            DROP CONSTRAINT org_decision_whole,
            DROP CONSTRAINT org_status_known,
            DROP COLUMN decision_reason,
            DROP COLUMN decided_at,
            DROP COLUMN decided_by,
            DROP COLUMN contact_name,
            DROP COLUMN registered_by,
            DROP COLUMN status
        """
    )
