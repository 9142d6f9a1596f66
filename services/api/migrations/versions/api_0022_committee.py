"""The committee stage: the expert pool (评委库) and the role `expert`, committee settings,
sessions (评审会) with their drawn panel, defence slots and the secret ballot.

A ballot's choice (`ballot`) shares nothing with the record that an expert voted
(`ballot_cast`) but the session and declaration; both are append-only for the app role.

Revision ID: api_0022
Revises: api_0021
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "api_0022"
down_revision = "api_0021"
branch_labels = None
depends_on = None

ROLES_BEFORE = (
    "'unit_reviewer', 'supervisor', 'county_office', 'series_office', 'committee_office', 'ops'"
)


def upgrade() -> None:
    op.execute(
        f"""
        ALTER TABLE api.staff_account DROP CONSTRAINT staff_account_role_check,
            ADD CONSTRAINT staff_account_role_check CHECK (role IN ({ROLES_BEFORE}, 'expert'))
        """
    )
    op.execute(
        """
        CREATE TABLE api.expert (
            id uuid PRIMARY KEY,
            sub text NOT NULL UNIQUE,
            office_org_id uuid NOT NULL REFERENCES api.org(id),
            name text NOT NULL,
            series text NOT NULL,
            specialties text[] NOT NULL CHECK (cardinality(specialties) > 0),
            title text NOT NULL,
            employer_org_id uuid REFERENCES api.org(id),
            employer_name text NOT NULL,
            region_code varchar(6) NOT NULL,
            conflict_org_ids uuid[] NOT NULL DEFAULT '{}',
            status text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'suspended', 'retired')),
            version integer NOT NULL DEFAULT 1,
            decided_by text,
            decision_reason text,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX expert_pool ON api.expert (office_org_id, series, status)")
    op.execute(
        """
        CREATE TABLE api.committee_setting (
            committee_code text PRIMARY KEY,
            tier text NOT NULL CHECK (tier IN ('provincial', 'prefecture')),
            min_panel integer NOT NULL CHECK (min_panel > 0 AND min_panel % 2 = 1),
            quorum_num integer NOT NULL,
            quorum_den integer NOT NULL,
            pass_num integer NOT NULL,
            pass_den integer NOT NULL,
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL,
            CHECK (quorum_den > 0 AND quorum_num > 0 AND quorum_num <= quorum_den),
            CHECK (pass_den > 0 AND pass_num > 0 AND pass_num <= pass_den)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.committee_session (
            id uuid PRIMARY KEY,
            office_org_id uuid NOT NULL REFERENCES api.org(id),
            committee_code text NOT NULL,
            campaign_id uuid NOT NULL REFERENCES api.campaign(id),
            series text NOT NULL,
            level text NOT NULL,
            panel_size integer NOT NULL CHECK (panel_size > 0 AND panel_size % 2 = 1),
            mix jsonb NOT NULL,
            rule jsonb NOT NULL,
            status text NOT NULL DEFAULT 'created'
                CHECK (status IN ('created', 'drawn', 'open', 'closed')),
            version integer NOT NULL DEFAULT 1,
            seed_sha256 char(64),
            seed text,
            candidates jsonb,
            recusals integer NOT NULL DEFAULT 0,
            created_by text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            opened_at timestamptz,
            closed_at timestamptz,
            CHECK ((status = 'created') = (seed IS NULL)),
            CHECK (seed IS NULL OR seed_sha256 IS NOT NULL)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.session_declaration (
            declaration_id uuid PRIMARY KEY REFERENCES api.declaration(id),
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            outcome jsonb
        )
        """
    )
    op.execute("CREATE INDEX session_declaration_session ON api.session_declaration (session_id)")
    op.execute(
        """
        CREATE TABLE api.panel_seat (
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            expert_id uuid NOT NULL REFERENCES api.expert(id),
            expert_sub text NOT NULL,
            seat integer NOT NULL,
            "group" text NOT NULL,
            round integer NOT NULL,
            status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'recused')),
            recusal_reason text,
            recused_in integer,
            present boolean NOT NULL DEFAULT false,
            PRIMARY KEY (session_id, expert_id),
            UNIQUE (session_id, seat),
            CHECK ((status = 'recused') = (recusal_reason IS NOT NULL)),
            CHECK ((status = 'recused') = (recused_in IS NOT NULL))
        )
        """
    )
    op.execute("CREATE INDEX panel_seat_expert ON api.panel_seat (expert_sub)")
    op.execute(
        """
        CREATE TABLE api.defence_slot (
            id uuid PRIMARY KEY,
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            declaration_id uuid NOT NULL UNIQUE REFERENCES api.declaration(id),
            starts_at timestamptz NOT NULL,
            minutes integer NOT NULL CHECK (minutes BETWEEN 5 AND 120),
            place text,
            video_link text,
            scheduled_by text NOT NULL,
            CHECK (place IS NOT NULL OR video_link IS NOT NULL)
        )
        """
    )
    op.execute("CREATE INDEX defence_slot_session ON api.defence_slot (session_id)")
    op.execute(
        """
        CREATE TABLE api.ballot_cast (
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            expert_id uuid NOT NULL REFERENCES api.expert(id),
            PRIMARY KEY (session_id, declaration_id, expert_id)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.ballot (
            id uuid PRIMARY KEY,
            session_id uuid NOT NULL REFERENCES api.committee_session(id),
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            choice text NOT NULL CHECK (choice IN ('agree', 'disagree', 'abstain'))
        )
        """
    )
    op.execute("CREATE INDEX ballot_declaration ON api.ballot (declaration_id)")


def downgrade() -> None:
    for table in (
        "ballot",
        "ballot_cast",
        "defence_slot",
        "panel_seat",
        "session_declaration",
        "committee_session",
        "committee_setting",
        "expert",
    ):
        op.execute(f"DROP TABLE api.{table}")
    op.execute("DELETE FROM api.staff_account WHERE role = 'expert'")
    op.execute(
        f"""
        ALTER TABLE api.staff_account DROP CONSTRAINT staff_account_role_check,
            ADD CONSTRAINT staff_account_role_check CHECK (role IN ({ROLES_BEFORE}))
        """
    )
