"""Electronic title certificates (职称电子证书) and their per-committee serials.

Revision ID: api_0021
Revises: api_0020
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0021"
down_revision = "api_0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.certificate_serial (
            committee_code text NOT NULL,
            year integer NOT NULL,
            last integer NOT NULL CHECK (last BETWEEN 1 AND 999999),
            PRIMARY KEY (committee_code, year)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.certificate (
            id uuid PRIMARY KEY,
            declaration_id uuid NOT NULL UNIQUE REFERENCES api.declaration(id),
            number text NOT NULL UNIQUE,
            committee_code text NOT NULL,
            year integer NOT NULL,
            serial integer NOT NULL CHECK (serial BETWEEN 1 AND 999999),
            data jsonb NOT NULL,
            signature text NOT NULL,
            issued_by text NOT NULL,
            issued_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            revoked_by text,
            revoked_by_role text,
            revocation_reason text CHECK (length(revocation_reason) BETWEEN 1 AND 500),
            revocation_document text,
            UNIQUE (committee_code, year, serial),
            CHECK (
                (revoked_at IS NULL) = (revoked_by IS NULL)
                AND (revoked_at IS NULL) = (revoked_by_role IS NULL)
                AND (revoked_at IS NULL) = (revocation_reason IS NULL)
            )
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.certificate")
    op.execute("DROP TABLE api.certificate_serial")
