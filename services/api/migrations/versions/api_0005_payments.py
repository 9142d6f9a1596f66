"""Payment orders: one per declaration that reached payment_due.

Revision ID: api_0005
Revises: api_0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "api_0005"
down_revision = "api_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.payment_order (
            id uuid PRIMARY KEY,
            declaration_id uuid NOT NULL UNIQUE REFERENCES api.declaration(id),
            campaign_id uuid NOT NULL REFERENCES api.campaign(id),
            amount_fen integer NOT NULL CHECK (amount_fen > 0),
            opens_at timestamptz,
            deadline_at timestamptz NOT NULL,
            status text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'paid', 'expired', 'refunded')),
            transaction_id text UNIQUE,
            paid_at timestamptz,
            expired_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((status = 'paid') = (transaction_id IS NOT NULL AND paid_at IS NOT NULL)
                   OR status = 'refunded')
        )
        """
    )
    # The expiry sweep looks for pending orders past their deadline.
    op.execute(
        "CREATE INDEX ix_payment_order_pending_deadline ON api.payment_order (deadline_at)"
        " WHERE status = 'pending'"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.payment_order")
