"""Academic risk recorded at submission: each paper's check against the journal register.

Revision ID: api_0009
Revises: api_0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "api_0009"
down_revision = "api_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per paper per submission, flagged or not: "checked, no match" is a fact too,
    # and tells a new match against a later register from a declaration never checked.
    # The matched entry is copied as it stood (status, source, date): the register may
    # change, what the applicant submitted against may not.
    op.execute(
        """
        CREATE TABLE api.paper_flag (
            declaration_id uuid NOT NULL REFERENCES api.declaration (id),
            n integer NOT NULL CHECK (n > 0),
            paper_index integer NOT NULL CHECK (paper_index >= 0),
            title text NOT NULL,
            journal text NOT NULL,
            issn_cn text,
            level text NOT NULL CHECK (level IN ('risk', 'notice', 'none')),
            matched_by text CHECK (matched_by IN ('issn', 'cn', 'name')),
            message text,
            journal_id uuid REFERENCES api.journal (id),
            journal_name text,
            journal_issn text,
            journal_cn text,
            journal_status text
                CHECK (journal_status IN ('legitimate', 'suspected_illegal', 'ceased')),
            journal_source text,
            journal_listed_on date,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (declaration_id, n, paper_index),
            CHECK ((matched_by IS NULL) = (journal_id IS NULL)),
            CHECK ((matched_by IS NULL) = (journal_name IS NULL)),
            CHECK ((matched_by IS NULL) = (journal_status IS NULL)),
            CHECK ((level = 'none') OR (message IS NOT NULL))
        )
        """
    )
    op.execute(
        "CREATE TRIGGER paper_flag_append_only BEFORE UPDATE OR DELETE ON api.paper_flag "
        "FOR EACH ROW EXECUTE FUNCTION api.refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.paper_flag")
