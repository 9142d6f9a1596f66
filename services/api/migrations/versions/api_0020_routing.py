"""The right chain for each declaration: an office says what it does (its duty: the 经济 or
建设 series office of 柳州, a county's 工信 office, the city's 人社 office, the city's 职改办),
so a route can name the office a declaration must pass; a unit says whether it is a local
one (中直驻桂单位, a branch of another city's or province's unit need an 授权或委托函).

Revision ID: api_0020
Revises: api_0019
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0020"
down_revision = "api_0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE api.org
            ADD COLUMN duty varchar(24),
            ADD COLUMN affiliation varchar(24),
            ADD CONSTRAINT org_duty_known CHECK (
                duty IN ('economic', 'construction', 'industry', 'hrss', 'city_title_office')
            ),
            ADD CONSTRAINT org_affiliation_known CHECK (
                affiliation IN ('central', 'out_of_city', 'out_of_province')
            ),
            ADD CONSTRAINT org_duty_of_office CHECK (duty IS NULL OR kind <> 'unit'),
            ADD CONSTRAINT org_affiliation_of_unit CHECK (affiliation IS NULL OR kind = 'unit')
        """
    )
    op.execute("CREATE INDEX org_office_duty ON api.org (parent_id, kind, duty)")


def downgrade() -> None:
    op.execute("DROP INDEX api.org_office_duty")
    op.execute(
        """
        ALTER TABLE api.org
            DROP CONSTRAINT org_affiliation_of_unit,
            DROP CONSTRAINT org_duty_of_office,
            DROP CONSTRAINT org_affiliation_known,
            DROP CONSTRAINT org_duty_known,
            DROP COLUMN affiliation,
            DROP COLUMN duty
        """
    )
