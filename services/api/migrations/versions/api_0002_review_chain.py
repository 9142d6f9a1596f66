"""Organisations, campaigns, declarations, the review chain, audit, idempotency, calendar.

Revision ID: api_0002
Revises: api_0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "api_0002"
down_revision = "api_0001"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE api.org (
    id uuid PRIMARY KEY,
    parent_id uuid REFERENCES api.org (id),
    kind varchar(32) NOT NULL CHECK (kind IN
        ('unit', 'supervisor', 'county_office', 'series_office', 'committee_office', 'ops')),
    name varchar(200) NOT NULL,
    region_code char(6) NOT NULL CHECK (region_code ~ '^[1-8][0-9]{5}$'),
    credit_code char(18) UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_org_parent ON api.org (parent_id);

CREATE TABLE api.campaign (
    id uuid PRIMARY KEY,
    code varchar(80) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    year integer NOT NULL,
    series varchar(32) NOT NULL,
    region_code char(6) NOT NULL,
    levels jsonb NOT NULL,
    committee_code varchar(80) NOT NULL,
    committee_name varchar(200) NOT NULL,
    windows jsonb NOT NULL,
    posting_rule varchar(16) NOT NULL DEFAULT 'strict'
        CHECK (posting_rule IN ('strict', 'official')),
    fee_yuan integer,
    evaluate_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api.declaration (
    id uuid PRIMARY KEY,
    campaign_id uuid NOT NULL REFERENCES api.campaign (id),
    applicant_sub varchar(128) NOT NULL,
    applicant_phone varchar(20),
    unit_org_id uuid NOT NULL REFERENCES api.org (id),
    year integer NOT NULL,
    series varchar(32) NOT NULL,
    level varchar(32) NOT NULL,
    specialty varchar(100),
    path varchar(32) NOT NULL,
    committee_code varchar(80) NOT NULL,
    sections jsonb NOT NULL,
    attachments jsonb NOT NULL,
    applicant_facts jsonb NOT NULL,
    status varchar(32) NOT NULL,
    version integer NOT NULL DEFAULT 1,
    current_position integer,
    submission_count integer NOT NULL DEFAULT 0,
    eligibility jsonb,
    fee_yuan integer,
    copied_from_id uuid REFERENCES api.declaration (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_declaration_applicant ON api.declaration (applicant_sub, created_at, id);
CREATE INDEX ix_declaration_campaign_unit ON api.declaration (campaign_id, unit_org_id);
-- One live declaration per person, year and level (a withdrawn one or a draft does not count).
CREATE UNIQUE INDEX uq_declaration_same_level_year ON api.declaration (applicant_sub, year, level)
    WHERE status NOT IN ('draft', 'withdrawn');

CREATE TABLE api.declaration_snapshot (
    id uuid PRIMARY KEY,
    declaration_id uuid NOT NULL REFERENCES api.declaration (id),
    n integer NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now(),
    content jsonb NOT NULL,
    sha256 char(64) NOT NULL,
    UNIQUE (declaration_id, n)
);

CREATE TABLE api.review_step (
    id uuid PRIMARY KEY,
    declaration_id uuid NOT NULL REFERENCES api.declaration (id),
    position integer NOT NULL,
    org_id uuid NOT NULL REFERENCES api.org (id),
    org_name varchar(200) NOT NULL,
    kind varchar(32) NOT NULL,
    reached_at timestamptz,
    completed_at timestamptz,
    completed_by varchar(128),
    UNIQUE (declaration_id, position)
);
CREATE INDEX ix_review_step_org ON api.review_step (org_id, declaration_id);

CREATE TABLE api.declaration_return (
    id uuid PRIMARY KEY,
    declaration_id uuid NOT NULL REFERENCES api.declaration (id),
    n integer NOT NULL,
    position integer NOT NULL,
    org_id uuid NOT NULL REFERENCES api.org (id),
    items jsonb NOT NULL,
    deadline_at timestamptz NOT NULL,
    issued_by varchar(128) NOT NULL,
    issued_role varchar(32) NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    UNIQUE (declaration_id, n)
);
CREATE UNIQUE INDEX uq_declaration_return_open ON api.declaration_return (declaration_id)
    WHERE resolved_at IS NULL;

CREATE TABLE api.unit_review (
    declaration_id uuid PRIMARY KEY REFERENCES api.declaration (id),
    defence_on date,
    defence_at timestamptz,
    defence_place varchar(35),
    defence_note text,
    deliberation_on date NOT NULL,
    panel jsonb NOT NULL,
    deliberation_note text,
    posting_start_on date NOT NULL,
    posting_end_on date NOT NULL,
    posting_working_days integer NOT NULL,
    posting_objections text,
    recommendation jsonb NOT NULL,
    recommended_on date NOT NULL,
    agree boolean NOT NULL,
    updated_by varchar(128) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api.audit_entry (
    seq bigint PRIMARY KEY,
    declaration_id uuid,
    actor_sub varchar(128) NOT NULL,
    actor_role varchar(32) NOT NULL,
    actor_org uuid,
    at timestamptz NOT NULL DEFAULT now(),
    action varchar(64) NOT NULL,
    from_status varchar(32),
    to_status varchar(32),
    reason text,
    request_id varchar(128),
    prev_hash char(64) NOT NULL,
    hash char(64) NOT NULL
);
CREATE INDEX ix_audit_entry_declaration ON api.audit_entry (declaration_id, seq);

CREATE TABLE api.idempotency_record (
    principal varchar(160) NOT NULL,
    key varchar(200) NOT NULL,
    method varchar(8) NOT NULL,
    path varchar(300) NOT NULL,
    body_sha256 char(64) NOT NULL,
    status_code integer,
    response jsonb,
    headers jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);

CREATE TABLE api.work_calendar_year (
    year integer PRIMARY KEY,
    source varchar(32) NOT NULL
);
CREATE TABLE api.work_calendar (
    day date PRIMARY KEY,
    workday boolean NOT NULL,
    kind varchar(16) NOT NULL CHECK (kind IN ('workday', 'weekend', 'holiday', 'makeup')),
    name varchar(100),
    source varchar(32) NOT NULL
);
"""

# The hash chain is built inside the database: the trigger serialises writers with an
# advisory lock, numbers the row after the last one and hashes it with the previous
# hash, so no two concurrent requests can fork the chain.
AUDIT_TRIGGERS = r"""
CREATE FUNCTION api.audit_entry_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_seq bigint; last_hash char(64);
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('api.audit_entry'));
    SELECT seq, hash INTO last_seq, last_hash FROM api.audit_entry ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.at := clock_timestamp();
    NEW.hash := encode(sha256(convert_to(concat_ws('|',
        NEW.prev_hash, NEW.seq::text, coalesce(NEW.declaration_id::text, ''),
        NEW.actor_sub, NEW.actor_role, coalesce(NEW.actor_org::text, ''),
        to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        NEW.action, coalesce(NEW.from_status, ''), coalesce(NEW.to_status, ''),
        coalesce(NEW.reason, ''), coalesce(NEW.request_id, '')), 'UTF8')), 'hex');
    RETURN NEW;
END $$;

CREATE TRIGGER audit_entry_chain BEFORE INSERT ON api.audit_entry
    FOR EACH ROW EXECUTE FUNCTION api.audit_entry_chain();

CREATE FUNCTION api.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %.% is not allowed: the table is append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON api.audit_entry
    FOR EACH ROW EXECUTE FUNCTION api.refuse_change();

CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON api.audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION api.refuse_change();

CREATE TRIGGER declaration_snapshot_append_only BEFORE UPDATE OR DELETE
    ON api.declaration_snapshot FOR EACH ROW EXECUTE FUNCTION api.refuse_change();

-- A return, once issued, keeps its items and deadline (一次性告知); only its resolution is set.
CREATE FUNCTION api.declaration_return_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.items IS DISTINCT FROM OLD.items
        OR NEW.deadline_at IS DISTINCT FROM OLD.deadline_at
        OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
        OR NEW.issued_by IS DISTINCT FROM OLD.issued_by
        OR NEW.position IS DISTINCT FROM OLD.position
        OR (OLD.resolved_at IS NOT NULL AND NEW.resolved_at IS DISTINCT FROM OLD.resolved_at) THEN
        RAISE EXCEPTION 'an issued return is immutable' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER declaration_return_frozen BEFORE UPDATE OR DELETE ON api.declaration_return
    FOR EACH ROW EXECUTE FUNCTION api.declaration_return_frozen();
"""


def _statements(sql: str, separator: str) -> list[str]:
    return [part.strip() for part in sql.split(separator) if part.strip()]


def upgrade() -> None:
    # One statement per execute: prepared statements take a single command.
    for statement in _statements(TABLES, ";\n"):
        op.execute(statement)
    # Function bodies contain semicolons; statements there are separated by blank lines.
    for statement in _statements(AUDIT_TRIGGERS, ";\n\n"):
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "work_calendar",
        "work_calendar_year",
        "idempotency_record",
        "audit_entry",
        "unit_review",
        "declaration_return",
        "review_step",
        "declaration_snapshot",
        "declaration",
        "campaign",
        "org",
    ):
        op.execute(f"DROP TABLE IF EXISTS api.{table}")
    for fn in ("audit_entry_chain", "refuse_change", "declaration_return_frozen"):
        op.execute(f"DROP FUNCTION IF EXISTS api.{fn}()")
