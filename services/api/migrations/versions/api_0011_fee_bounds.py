"""Fees are bounded where they are stored, as the request schemas bound them.

A fee above the bound overflowed `integer` (a 500 on create) or, multiplied into fen,
the payment order's amount (every payment notice of the campaign a 500).

Revision ID: api_0011
Revises: api_0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "api_0011"
down_revision = "api_0010"
branch_labels = None
depends_on = None

# services/api/campaigns/schemas.py MAX_FEE_YUAN; a migration keeps its own copy.
MAX_FEE_YUAN = 100_000


def upgrade() -> None:
    for table in ("campaign", "declaration"):
        op.execute(
            f"ALTER TABLE api.{table} ADD CONSTRAINT {table}_fee_yuan_bounded "
            f"CHECK (fee_yuan BETWEEN 0 AND {MAX_FEE_YUAN})"
        )
    op.execute(
        "ALTER TABLE api.payment_order ADD CONSTRAINT payment_order_amount_bounded "
        f"CHECK (amount_fen <= {MAX_FEE_YUAN * 100})"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE api.payment_order DROP CONSTRAINT payment_order_amount_bounded")
    for table in ("campaign", "declaration"):
        op.execute(f"ALTER TABLE api.{table} DROP CONSTRAINT {table}_fee_yuan_bounded")
