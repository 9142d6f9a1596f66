"""退回补正 tracked item by item (桂工信职办〔2023〕6号 三（三）一次性告知): the submission a
return was issued against (the snapshot its items are compared with) and the applicant's
answer to each item, recorded at the resubmission.

Revision ID: api_0029
Revises: api_0028
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0029"
down_revision = "api_0028"
branch_labels = None
depends_on = None

FROZEN = """
CREATE OR REPLACE FUNCTION api.declaration_return_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.items IS DISTINCT FROM OLD.items
        OR NEW.deadline_at IS DISTINCT FROM OLD.deadline_at
        OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
        OR NEW.issued_by IS DISTINCT FROM OLD.issued_by
        OR NEW.position IS DISTINCT FROM OLD.position
        OR NEW.baseline_n IS DISTINCT FROM OLD.baseline_n
        OR (OLD.resolved_at IS NOT NULL AND NEW.resolved_at IS DISTINCT FROM OLD.resolved_at)
        OR (OLD.resolved_at IS NOT NULL AND NEW.answers IS DISTINCT FROM OLD.answers) THEN
        RAISE EXCEPTION 'an issued return is immutable' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""
# api_0002's function, as it was.
FROZEN_BEFORE = """
CREATE OR REPLACE FUNCTION api.declaration_return_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.items IS DISTINCT FROM OLD.items
        OR NEW.deadline_at IS DISTINCT FROM OLD.deadline_at
        OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
        OR NEW.issued_by IS DISTINCT FROM OLD.issued_by
        OR NEW.position IS DISTINCT FROM OLD.position
        OR (OLD.resolved_at IS NOT NULL AND NEW.resolved_at IS DISTINCT FROM OLD.resolved_at) THEN
        RAISE EXCEPTION 'an issued return is immutable' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.execute("ALTER TABLE api.declaration_return ADD COLUMN baseline_n integer")
    op.execute("ALTER TABLE api.declaration_return ADD COLUMN answers jsonb")
    # Returns issued before: the last submission taken before the return was issued.
    op.execute(
        """
        UPDATE api.declaration_return r SET baseline_n = (
            SELECT max(s.n) FROM api.declaration_snapshot s
            WHERE s.declaration_id = r.declaration_id AND s.taken_at <= r.issued_at
        )
        """
    )
    # The baseline is fixed with the return; the answers are set once, with its resolution.
    op.execute(FROZEN)


def downgrade() -> None:
    op.execute(FROZEN_BEFORE)
    op.execute("ALTER TABLE api.declaration_return DROP COLUMN answers")
    op.execute("ALTER TABLE api.declaration_return DROP COLUMN baseline_n")
