"""Blind indexes name their algorithm and key: `hmac-sm3:i1:<64 hex>` does not fit the
char(64) the bare HMAC-SHA256 digests were kept in (services/kit/pii.py).

Downgrading is refused by the database while a versioned digest is stored: rehash back is
not possible without the values, which only the re-encryption job can read.

Revision ID: api_0030
Revises: api_0029
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0030"
down_revision = "api_0029"
branch_labels = None
depends_on = None

COLUMNS = ("id_number_bidx", "phone_bidx")


def upgrade() -> None:
    for column in COLUMNS:
        op.execute(f"ALTER TABLE api.applicant ALTER COLUMN {column} TYPE varchar(128)")


def downgrade() -> None:
    for column in COLUMNS:
        op.execute(f"ALTER TABLE api.applicant ALTER COLUMN {column} TYPE char(64)")
