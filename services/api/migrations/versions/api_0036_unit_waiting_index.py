"""Province scale: a unit's calendar pages its waiting declarations from one index.

GET /v1/orgs/{org_id}/calendar listed every declaration still before the unit (a draft, or
submitted and at the unit's step) in one answer: ~40 000 of one unit at 1M declarations,
about a second. It now pages them in (created_at, id) order, as the other lists do, and
counts them by step and level in one aggregate (deadlines/service.py). Neither had an
index: ix_declaration_campaign_unit finds the unit's rows of a campaign in no order, every
status among them, each read from the table.

This partial index holds only the declarations still before their unit, in the calendar's
order, with the level and status the answer and the counts need: a page is its first rows
after the cursor, and the counts an index-only scan of the unit's entries (a declaration
leaves the index when it leaves its unit).

Revision ID: api_0036
Revises: api_0035
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "api_0036"
down_revision = "api_0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The statuses are deadlines/service.py BEFORE_UNIT; its queries name them as literals,
    # so the planner can prove this predicate for a prepared statement too.
    op.execute(
        "CREATE INDEX ix_declaration_unit_waiting ON api.declaration "
        "(campaign_id, unit_org_id, created_at, id) INCLUDE (level, status) "
        "WHERE status IN ('draft', 'submitted', 'unit_review')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX api.ix_declaration_unit_waiting")
