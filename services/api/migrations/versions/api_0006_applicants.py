"""Applicant accounts: the identity behind an applicant's tokens, personal data encrypted.

Revision ID: api_0006
Revises: api_0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "api_0006"
down_revision = "api_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `sub` is what the applicant's tokens carry. 身份证号 and phone are stored only
    # sealed (AES-GCM, services/kit/pii.py) with an HMAC blind index for equality lookups.
    op.execute(
        """
        CREATE TABLE api.applicant (
            id uuid PRIMARY KEY,
            sub varchar(128) NOT NULL UNIQUE,
            name varchar(50),
            id_number_enc text,
            id_number_bidx char(64) UNIQUE,
            phone_enc text,
            phone_bidx char(64) UNIQUE,
            status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((id_number_enc IS NULL) = (id_number_bidx IS NULL)),
            CHECK ((phone_enc IS NULL) = (phone_bidx IS NULL))
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.applicant")
