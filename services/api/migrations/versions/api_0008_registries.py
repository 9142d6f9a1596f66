"""Data sharing and academic risk: registry lookups, the journal register, claims.

Revision ID: api_0008
Revises: api_0007
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "api_0008"
down_revision = "api_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.registry_lookup (
            declaration_id uuid NOT NULL REFERENCES api.declaration(id) ON DELETE CASCADE,
            kind text NOT NULL CHECK (kind IN
                ('education', 'titles', 'continuing_education', 'social_insurance')),
            status text NOT NULL CHECK (status IN ('found', 'not_found', 'unavailable')),
            source text NOT NULL,
            checked_at timestamptz NOT NULL DEFAULT now(),
            warning text,
            data jsonb,
            verified_at timestamptz,
            verified_source text,
            PRIMARY KEY (declaration_id, kind),
            CHECK ((data IS NULL) = (verified_at IS NULL))
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.journal (
            id uuid PRIMARY KEY,
            issn text UNIQUE CHECK (issn ~ '^[0-9]{4}-[0-9]{3}[0-9X]$'),
            cn text UNIQUE CHECK (cn ~ '^[0-9]{2}-[0-9]{4}$'),
            name text NOT NULL,
            name_key text NOT NULL,
            status text NOT NULL CHECK (status IN ('legitimate', 'suspected_illegal', 'ceased')),
            source text NOT NULL,
            listed_on date NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX journal_name_key ON api.journal (name_key)")
    op.execute(
        """
        CREATE TABLE api.declaration_claim (
            declaration_id uuid NOT NULL REFERENCES api.declaration(id) ON DELETE CASCADE,
            kind text NOT NULL CHECK (kind IN ('paper', 'achievement')),
            fingerprint char(64) NOT NULL,
            year integer NOT NULL,
            applicant_sub text NOT NULL,
            label text NOT NULL,
            PRIMARY KEY (declaration_id, kind, fingerprint)
        )
        """
    )
    op.execute(
        "CREATE INDEX declaration_claim_match ON api.declaration_claim (year, kind, fingerprint)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.declaration_claim")
    op.execute("DROP TABLE api.journal")
    op.execute("DROP TABLE api.registry_lookup")
