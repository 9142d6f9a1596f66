"""The results stage: 复核 with its own sealed ballots, the results posting (二次公示) with
its frozen exports, and objections (异议) raised during it.

Revision ID: api_0025
Revises: api_0024
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0025"
down_revision = "api_0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.recheck (
            id uuid PRIMARY KEY,
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            reason text NOT NULL CHECK (length(reason) > 0),
            status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            version integer NOT NULL DEFAULT 1,
            opened_by text NOT NULL,
            opened_at timestamptz NOT NULL,
            closed_at timestamptz,
            previous jsonb NOT NULL,
            outcome jsonb
        )
        """
    )
    op.execute("CREATE INDEX recheck_declaration ON api.recheck (declaration_id)")
    # One open 复核 per declaration at a time.
    op.execute(
        "CREATE UNIQUE INDEX recheck_one_open ON api.recheck (declaration_id) WHERE status = 'open'"
    )
    op.execute(
        """
        CREATE TABLE api.recheck_ballot_cast (
            recheck_id uuid NOT NULL REFERENCES api.recheck(id),
            expert_id uuid NOT NULL REFERENCES api.expert(id),
            PRIMARY KEY (recheck_id, expert_id)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.recheck_ballot (
            id uuid PRIMARY KEY,
            recheck_id uuid NOT NULL REFERENCES api.recheck(id),
            choice text NOT NULL CHECK (choice IN ('agree', 'disagree', 'abstain'))
        )
        """
    )
    op.execute("CREATE INDEX recheck_ballot_recheck ON api.recheck_ballot (recheck_id)")
    op.execute(
        """
        CREATE TABLE api.results_posting (
            id uuid PRIMARY KEY,
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            -- posting: the results posting (二次公示); publication: the approved list (主动公开)
            kind text NOT NULL DEFAULT 'posting' CHECK (kind IN ('posting', 'publication')),
            office_org_id uuid NOT NULL REFERENCES api.org(id),
            title text NOT NULL,
            starts_on date NOT NULL,
            ends_on date NOT NULL,
            working_days integer NOT NULL CHECK (kind = 'publication' OR working_days >= 5),
            rows jsonb NOT NULL,
            content_sha256 char(64) NOT NULL,
            xlsx bytea NOT NULL,
            xlsx_sha256 char(64) NOT NULL,
            pdf bytea NOT NULL,
            pdf_sha256 char(64) NOT NULL,
            published_by text NOT NULL,
            published_at timestamptz NOT NULL DEFAULT now(),
            version integer NOT NULL DEFAULT 1,
            confirmation_authority text,
            confirmation_document text,
            confirmed_by text,
            confirmed_at timestamptz,
            approval_number text,
            approved_on date,
            approved_by text,
            approved_at timestamptz,
            UNIQUE (session_id, kind),
            CHECK (starts_on <= ends_on),
            CHECK (approved_at IS NULL OR confirmed_at IS NOT NULL)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.results_objection (
            id uuid PRIMARY KEY,
            posting_id uuid NOT NULL REFERENCES api.results_posting(id),
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            content text NOT NULL,
            contact_name text NOT NULL,
            contact_phone_masked text NOT NULL,
            contact_phone_enc text NOT NULL,
            status text NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'upheld', 'dismissed')),
            version integer NOT NULL DEFAULT 1,
            handling text,
            handled_by text,
            handled_at timestamptz,
            received_at timestamptz NOT NULL,
            CHECK ((status = 'open') = (handling IS NULL))
        )
        """
    )
    op.execute("CREATE INDEX results_objection_posting ON api.results_objection (posting_id)")
    op.execute(
        "CREATE INDEX results_objection_declaration ON api.results_objection (declaration_id)"
    )


def downgrade() -> None:
    for table in (
        "results_objection",
        "results_posting",
        "recheck_ballot",
        "recheck_ballot_cast",
        "recheck",
    ):
        op.execute(f"DROP TABLE api.{table}")
