"""The eligibility radar (an applicant's subscription to their own eligibility, and the
unit's roster drawn from it); staff digests in the message centre (one per person, queue
and day, by a dedupe key on the message).

Revision ID: api_0031
Revises: api_0030
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0031"
down_revision = "api_0030"
branch_labels = None
depends_on = None


def _kinds(*kinds: str) -> None:
    op.execute("ALTER TABLE api.message DROP CONSTRAINT message_kind_check")
    values = ", ".join(f"'{k}'" for k in kinds)
    op.execute(
        f"ALTER TABLE api.message ADD CONSTRAINT message_kind_check CHECK (kind IN ({values}))"
    )


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.eligibility_subscription (
            id uuid PRIMARY KEY,
            applicant_sub text NOT NULL UNIQUE,
            unit_id uuid REFERENCES api.org(id),
            region text NOT NULL,
            series text NOT NULL,
            level text NOT NULL,
            request jsonb NOT NULL,
            plan jsonb NOT NULL DEFAULT '[]',
            subscribed_on date NOT NULL,
            next_due_on date,
            campaigns_told jsonb NOT NULL DEFAULT '[]',
            last_told_on date,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_eligibility_subscription_due ON api.eligibility_subscription"
        " (next_due_on) WHERE next_due_on IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX ix_eligibility_subscription_unit ON api.eligibility_subscription (unit_id)"
        " WHERE unit_id IS NOT NULL"
    )
    op.execute("ALTER TABLE api.message ADD COLUMN dedupe_key text UNIQUE")
    _kinds("notice", "announcement", "digest")


def downgrade() -> None:
    op.execute("DELETE FROM api.message WHERE kind = 'digest'")
    _kinds("notice", "announcement")
    op.execute("ALTER TABLE api.message DROP COLUMN dedupe_key")
    op.execute("DROP TABLE api.eligibility_subscription")
