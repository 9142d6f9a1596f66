"""Access for real clients: portal OAuth clients, refresh tokens, staff accounts, sign-ins.

Revision ID: api_0007
Revises: api_0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "api_0007"
down_revision = "api_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Portals (system to system). The secret is stored only as a SHA-256 hash (it is a
    # 256-bit random string); public keys (PEM, ES256 or RS256) for private_key_jwt.
    op.execute(
        """
        CREATE TABLE api.oauth_client (
            client_id varchar(64) PRIMARY KEY,
            name varchar(100) NOT NULL,
            secret_hash char(64),
            public_keys jsonb NOT NULL DEFAULT '[]',
            scopes text[] NOT NULL,
            jurisdiction text[] NOT NULL,
            rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute > 0),
            status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # Staff of units and title offices: one org, one role, an argon2id password hash.
    op.execute(
        """
        CREATE TABLE api.staff_account (
            id uuid PRIMARY KEY,
            username varchar(64) NOT NULL UNIQUE,
            password_hash text NOT NULL,
            role text NOT NULL CHECK (role IN ('unit_reviewer', 'supervisor', 'county_office',
                'series_office', 'committee_office', 'ops')),
            org_id uuid NOT NULL REFERENCES api.org(id),
            status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
            failed_attempts integer NOT NULL DEFAULT 0,
            locked_until timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # Opaque refresh tokens, stored hashed; one family per sign-in. A used token presented
    # again revokes its whole family.
    op.execute(
        """
        CREATE TABLE api.refresh_token (
            id uuid PRIMARY KEY,
            token_hash char(64) NOT NULL UNIQUE,
            family_id uuid NOT NULL,
            sub varchar(128) NOT NULL,
            role text NOT NULL,
            org_id uuid,
            status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'used', 'revoked')),
            expires_at timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            used_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX refresh_token_family ON api.refresh_token (family_id)")
    # Every sign-in and every failure: who (subject, masked where personal), how, outcome.
    op.execute(
        """
        CREATE TABLE api.sign_in_event (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            method text NOT NULL,
            subject varchar(128) NOT NULL,
            outcome text NOT NULL,
            reason text,
            ip varchar(64),
            request_id varchar(128)
        )
        """
    )
    op.execute("CREATE INDEX sign_in_event_subject ON api.sign_in_event (subject, at)")
    # WeChat mini-program: the openid, bound after a phone check.
    op.execute("ALTER TABLE api.applicant ADD COLUMN wechat_openid varchar(64) UNIQUE")


def downgrade() -> None:
    op.execute("ALTER TABLE api.applicant DROP COLUMN wechat_openid")
    op.execute("DROP TABLE api.sign_in_event")
    op.execute("DROP TABLE api.refresh_token")
    op.execute("DROP TABLE api.staff_account")
    op.execute("DROP TABLE api.oauth_client")
