"""Scored committees (长治 工程师, 长工信〔2022〕139号 九): the judging model kept with the
session, the 答辩 marks, the 优/中/差 grades and the 量化赋分 adjustments.

Marks are kept as ballots are: `defence_mark_cast` records that an expert marked a
declaration (no second mark), `defence_mark` the two marks under a random id with no
expert, so no query can join a mark to the expert who gave it.

Revision ID: api_0024
Revises: api_0023
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0024"
down_revision = "api_0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The judging rules in force when the session was created (a pack excerpt); NULL for
    # sessions created before: they vote.
    op.execute("ALTER TABLE api.committee_session ADD COLUMN judging jsonb")
    op.execute(
        """
        CREATE TABLE api.defence_mark_cast (
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            expert_id uuid NOT NULL REFERENCES api.expert(id),
            PRIMARY KEY (session_id, declaration_id, expert_id)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.defence_mark (
            id uuid PRIMARY KEY,
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            material numeric(5, 2) NOT NULL CHECK (material BETWEEN 0 AND 100),
            live numeric(5, 2) NOT NULL CHECK (live BETWEEN 0 AND 100)
        )
        """
    )
    op.execute("CREATE INDEX defence_mark_declaration ON api.defence_mark (declaration_id)")
    op.execute(
        """
        CREATE TABLE api.defence_grade (
            declaration_id uuid PRIMARY KEY REFERENCES api.session_declaration(declaration_id),
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            grade text NOT NULL CHECK (grade IN ('excellent', 'medium', 'poor')),
            source text NOT NULL CHECK (source IN ('office', 'rank')),
            set_by text NOT NULL,
            set_at timestamptz NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX defence_grade_session ON api.defence_grade (session_id)")
    op.execute(
        """
        CREATE TABLE api.points_adjustment (
            id uuid PRIMARY KEY,
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            item text NOT NULL,
            points numeric(6, 2) NOT NULL,
            reason text NOT NULL CHECK (length(btrim(reason)) > 0),
            by_sub text NOT NULL,
            by_role text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX points_adjustment_declaration ON api.points_adjustment (declaration_id)"
    )


def downgrade() -> None:
    for table in ("points_adjustment", "defence_grade", "defence_mark", "defence_mark_cast"):
        op.execute(f"DROP TABLE api.{table}")
    op.execute("ALTER TABLE api.committee_session DROP COLUMN judging")
