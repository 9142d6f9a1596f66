"""The integrity register (职称评审诚信档案库): offices record 失信 with its period.

Revision ID: api_0015
Revises: api_0014
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "api_0015"
down_revision = "api_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.integrity_record (
            id uuid PRIMARY KEY,
            applicant_sub text NOT NULL,
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            conduct text NOT NULL CHECK (length(conduct) BETWEEN 1 AND 500),
            basis text NOT NULL CHECK (length(basis) BETWEEN 1 AND 500),
            recorded_on date NOT NULL,
            until date NOT NULL,
            recorded_by text NOT NULL,
            recorded_by_role text NOT NULL,
            recorded_by_org uuid,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            ended_at timestamptz,
            ended_by text,
            end_reason text,
            CHECK (until > recorded_on),
            CHECK ((ended_at IS NULL) = (ended_by IS NULL))
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_integrity_record_applicant_sub ON api.integrity_record (applicant_sub)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.integrity_record")
