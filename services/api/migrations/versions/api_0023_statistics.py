"""The unit problem-rate follow-up: the office asks a unit whose recommended declarations
were found with problems for a 说明 (≥ 10 %) or a 说明 and 书面整改方案 (≥ 20 %), the unit
files them as documents, and the committee's office may suspend the unit's recommendations
for the next year (2023年度广西工艺美术系列通知 三（一））.

Revision ID: api_0023
Revises: api_0022
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0023"
down_revision = "api_0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.unit_follow_up (
            id uuid PRIMARY KEY,
            campaign_id uuid NOT NULL REFERENCES api.campaign(id),
            unit_org_id uuid NOT NULL REFERENCES api.org(id),
            series text NOT NULL,
            year integer NOT NULL,
            requirement text NOT NULL CHECK (requirement IN ('explain', 'rectify')),
            recommended integer NOT NULL CHECK (recommended > 0),
            with_problems integer NOT NULL CHECK (with_problems BETWEEN 0 AND recommended),
            requested_by text NOT NULL,
            requested_by_org uuid,
            requested_at timestamptz NOT NULL,
            explanation_document_id uuid,
            plan_document_id uuid,
            suspended_year integer,
            suspension_reason text CHECK (length(suspension_reason) BETWEEN 1 AND 500),
            suspended_by text,
            suspended_at timestamptz,
            UNIQUE (campaign_id, unit_org_id),
            CHECK ((suspended_year IS NULL) = (suspended_at IS NULL)),
            CHECK (suspended_year IS NULL OR suspended_year = year + 1),
            CHECK (suspended_year IS NULL OR requirement = 'rectify')
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_unit_follow_up_suspension ON api.unit_follow_up "
        "(unit_org_id, suspended_year, series) WHERE suspended_year IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.unit_follow_up")
