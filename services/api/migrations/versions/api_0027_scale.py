"""Province scale: the declaration lists' order has an index.

Every list of declarations pages by (created_at, id); without an index in that order each
first page was a sequential scan and a top-N sort of the whole table. With a campaign
chosen, the campaign's own index in the same order.

Revision ID: api_0027
Revises: api_0025
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0027"
down_revision = "api_0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_declaration_created ON api.declaration (created_at, id)")
    op.execute(
        "CREATE INDEX ix_declaration_campaign_created "
        "ON api.declaration (campaign_id, created_at, id)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX api.ix_declaration_campaign_created")
    op.execute("DROP INDEX api.ix_declaration_created")
