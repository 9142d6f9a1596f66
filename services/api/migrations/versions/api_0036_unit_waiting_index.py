"""Province scale: a unit's calendar pages its waiting declarations from one index and
counts them without reading them.

GET /v1/orgs/{org_id}/calendar listed every declaration still before the unit (a draft, or
submitted and at the unit's step) in one answer: ~40 000 of one unit at 1M declarations,
about a second. It now pages them in (created_at, id) order, as the other lists do, and
counts them by step and level (deadlines/service.py). The step depends on whether the unit
recorded its review (a `unit_review` row): looked up per declaration, that is one probe
per waiting declaration for the counts (and PostgreSQL may hash the whole review table for
the lookups instead, ~10 ms a request at 100k).

- `declaration.unit_review_recorded`: whether the declaration has a `unit_review` row,
  kept by statement triggers on `unit_review` (a review is written, under the
  declaration's lock, by PUT …/unit-review; never deleted today, kept if it is).
- `ix_declaration_unit_waiting`: the declarations still before their unit, in the
  calendar's order, with what a page shows (level, status, recorded): a page is the
  index's first rows after the cursor, read from the index alone.
- `ix_declaration_unit_recorded`: those of them whose review is recorded (few: a unit
  records its review and passes the declaration up). The counts are the kept base counts
  of `declaration_count` (api_0033: by unit, status and level) for the statuses before the
  unit, less those recorded, counted from this index: no statement reads the unit's
  waiting declarations one by one.

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

# deadlines/service.py BEFORE_UNIT; its queries name them as literals, so the planner
# proves these predicates for a prepared statement's generic plan too.
BEFORE_UNIT = "status IN ('draft', 'submitted', 'unit_review')"

UPGRADE = [
    "ALTER TABLE api.declaration ADD COLUMN unit_review_recorded boolean NOT NULL DEFAULT false",
    "UPDATE api.declaration d SET unit_review_recorded = true "
    "FROM api.unit_review r WHERE r.declaration_id = d.id",
    """CREATE FUNCTION api.unit_review_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE api.declaration d SET unit_review_recorded = true
        FROM (SELECT DISTINCT declaration_id FROM changed) c
        WHERE d.id = c.declaration_id AND NOT d.unit_review_recorded;
    ELSE
        UPDATE api.declaration d SET unit_review_recorded = false
        FROM (SELECT DISTINCT declaration_id FROM changed) c
        WHERE d.id = c.declaration_id AND d.unit_review_recorded
          AND NOT EXISTS (SELECT 1 FROM api.unit_review r WHERE r.declaration_id = d.id);
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER unit_review_recorded_insert AFTER INSERT ON api.unit_review "
    "REFERENCING NEW TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION api.unit_review_recorded()",
    "CREATE TRIGGER unit_review_recorded_delete AFTER DELETE ON api.unit_review "
    "REFERENCING OLD TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION api.unit_review_recorded()",
    "CREATE INDEX ix_declaration_unit_waiting ON api.declaration "
    "(campaign_id, unit_org_id, created_at, id) INCLUDE (level, status, unit_review_recorded) "
    f"WHERE {BEFORE_UNIT}",
    "CREATE INDEX ix_declaration_unit_recorded ON api.declaration "
    f"(campaign_id, unit_org_id) INCLUDE (level, status) WHERE {BEFORE_UNIT} "
    "AND unit_review_recorded",
]

DOWNGRADE = [
    "DROP INDEX api.ix_declaration_unit_recorded",
    "DROP INDEX api.ix_declaration_unit_waiting",
    "DROP TRIGGER unit_review_recorded_delete ON api.unit_review",
    "DROP TRIGGER unit_review_recorded_insert ON api.unit_review",
    "DROP FUNCTION api.unit_review_recorded()",
    "ALTER TABLE api.declaration DROP COLUMN unit_review_recorded",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
