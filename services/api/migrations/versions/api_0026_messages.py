"""The message centre (站内消息) and office announcements (公告); the final status
`abandoned` (视为放弃: a return left unanswered past its deadline).

Revision ID: api_0026
Revises: api_0025
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0026"
down_revision = "api_0025"
branch_labels = None
depends_on = None

BEFORE = (
    "draft", "submitted", "unit_review", "supervisor_review", "county_review",
    "series_office_review", "committee_office_review", "returned", "accepted", "payment_due",
    "paid", "evaluated", "approved", "rejected", "withdrawn",
)  # fmt: skip
AFTER = (*BEFORE, "abandoned")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _status_check(values: tuple[str, ...]) -> None:
    op.execute("ALTER TABLE api.declaration DROP CONSTRAINT ck_declaration_status")
    op.execute(
        f"ALTER TABLE api.declaration ADD CONSTRAINT ck_declaration_status"
        f" CHECK (status IN ({_in(values)}))"
    )


def _same_level_index(excluded: tuple[str, ...]) -> None:
    op.execute("DROP INDEX api.uq_declaration_same_level_year")
    op.execute(
        "CREATE UNIQUE INDEX uq_declaration_same_level_year"
        " ON api.declaration (applicant_sub, year, level)"
        f" WHERE status NOT IN ({_in(excluded)})"
    )


def upgrade() -> None:
    _status_check(AFTER)
    # An abandoned declaration is given up, as a withdrawn one: it does not hold the year's
    # one declaration of that level.
    _same_level_index(("draft", "withdrawn", "abandoned"))
    op.execute(
        """
        CREATE TABLE api.announcement (
            id uuid PRIMARY KEY,
            campaign_id uuid NOT NULL REFERENCES api.campaign(id),
            org_id uuid NOT NULL REFERENCES api.org(id),
            title text NOT NULL CHECK (length(title) > 0),
            body text NOT NULL CHECK (length(body) > 0),
            posted_by text NOT NULL,
            posted_role text NOT NULL,
            recipients integer NOT NULL DEFAULT 0,
            posted_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_announcement_campaign ON api.announcement (campaign_id)")
    op.execute(
        """
        CREATE TABLE api.message (
            id uuid PRIMARY KEY,
            recipient_sub text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('notice', 'announcement')),
            title text NOT NULL,
            body text NOT NULL,
            event text,
            template_code text,
            params jsonb NOT NULL DEFAULT '{}',
            declaration_id uuid REFERENCES api.declaration(id),
            notification_id uuid UNIQUE,
            announcement_id uuid REFERENCES api.announcement(id),
            visible_from timestamptz NOT NULL,
            read_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((kind = 'notice') = (notification_id IS NOT NULL)),
            CHECK ((kind = 'announcement') = (announcement_id IS NOT NULL)),
            UNIQUE (announcement_id, recipient_sub)
        )
        """
    )
    op.execute("CREATE INDEX ix_message_recipient ON api.message (recipient_sub, visible_from, id)")
    op.execute(
        "CREATE INDEX ix_message_unread ON api.message (recipient_sub) WHERE read_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.message")
    op.execute("DROP TABLE api.announcement")
    _same_level_index(("draft", "withdrawn"))
    _status_check(BEFORE)
