"""The declaration's states and the chain's levels, enforced by the database.

Revision ID: api_0004
Revises: api_0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "api_0004"
down_revision = "api_0003"
branch_labels = None
depends_on = None

STATUSES = (
    "draft", "submitted", "unit_review", "supervisor_review", "county_review",
    "series_office_review", "committee_office_review", "returned", "accepted", "payment_due",
    "paid", "evaluated", "approved", "rejected", "withdrawn",
)  # fmt: skip
KINDS = ("unit", "supervisor", "county_office", "series_office", "committee_office")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    op.execute(
        f"ALTER TABLE api.declaration ADD CONSTRAINT ck_declaration_status"
        f" CHECK (status IN ({_in(STATUSES)}))"
    )
    op.execute(
        f"ALTER TABLE api.review_step ADD CONSTRAINT ck_review_step_kind"
        f" CHECK (kind IN ({_in(KINDS)}))"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE api.review_step DROP CONSTRAINT ck_review_step_kind")
    op.execute("ALTER TABLE api.declaration DROP CONSTRAINT ck_declaration_status")
