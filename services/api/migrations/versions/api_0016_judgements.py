"""Open judgements: conditions the eligibility service leaves to a reviewer (met: null
with the level that decides), carried with the filed declaration until that level
records a decision with its reason and clause.

The constraints keep a decision whole: an open judgement has no decision, a decided one
has its reason, clause, who and when; one row per condition of a declaration.

Revision ID: api_0016
Revises: api_0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "api_0016"
down_revision = "api_0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.declaration_judgement (
            id uuid PRIMARY KEY,
            declaration_id uuid NOT NULL REFERENCES api.declaration (id),
            condition_id varchar(64) NOT NULL,
            path varchar(32) NOT NULL,
            message text NOT NULL,
            clause text NOT NULL,
            level varchar(32) NOT NULL
                CHECK (level IN ('unit', 'series_office', 'committee_office')),
            level_named boolean NOT NULL,
            level_basis text NOT NULL,
            position integer NOT NULL CHECK (position >= 0),
            status varchar(16) NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'approved', 'rejected')),
            raised_in integer NOT NULL CHECK (raised_in >= 1),
            reason text,
            decision_clause text,
            decided_by varchar(128),
            decided_role varchar(32),
            decided_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (declaration_id, condition_id),
            CONSTRAINT declaration_judgement_decision_whole CHECK (
                CASE WHEN status = 'open'
                    THEN reason IS NULL AND decision_clause IS NULL AND decided_by IS NULL
                        AND decided_role IS NULL AND decided_at IS NULL
                    ELSE reason IS NOT NULL AND decision_clause IS NOT NULL
                        AND decided_by IS NOT NULL AND decided_role IS NOT NULL
                        AND decided_at IS NOT NULL
                END
            )
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_declaration_judgement_open ON api.declaration_judgement"
        " (declaration_id, position) WHERE status <> 'approved'"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.declaration_judgement")
