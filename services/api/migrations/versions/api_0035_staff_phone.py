"""A staff account's mobile phone, for the reminders a unit reviewer is sent by SMS
(services/api/deadlines/reminders.py): optional, sealed at rest and indexed by a keyed
hash as an applicant's phone is (services/kit/pii.py), shown masked.

Revision ID: api_0035
Revises: api_0034
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "api_0035"
down_revision = "api_0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE api.staff_account ADD COLUMN phone_enc text,"
        " ADD COLUMN phone_bidx varchar(128),"
        " ADD CONSTRAINT staff_account_phone_sealed"
        " CHECK ((phone_enc IS NULL) = (phone_bidx IS NULL))"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE api.staff_account DROP CONSTRAINT staff_account_phone_sealed,"
        " DROP COLUMN phone_bidx, DROP COLUMN phone_enc"
    )
