"""Province scale: the declaration lists' order has an index; the review queue reads only
the steps still waiting.

Every list of declarations pages by (created_at, id); without an index in that order each
first page was a sequential scan and a top-N sort of the whole table. With a campaign
chosen, the campaign's own index in the same order. A review queue starts from the steps of
the caller's org not yet completed (the step a declaration waits at), not from every step
the org ever took.

Revision ID: api_0027
Revises: api_0026
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0027"
down_revision = "api_0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_declaration_created ON api.declaration (created_at, id)")
    op.execute(
        "CREATE INDEX ix_declaration_campaign_created "
        "ON api.declaration (campaign_id, created_at, id)"
    )
    op.execute(
        "CREATE INDEX review_step_waiting ON api.review_step (org_id, kind, reached_at) "
        "WHERE completed_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX api.review_step_waiting")
    op.execute("DROP INDEX api.ix_declaration_campaign_created")
    op.execute("DROP INDEX api.ix_declaration_created")
