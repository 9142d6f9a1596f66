"""Signed checkpoints of the audit chain's head, append-only like the chain itself.

Each row signs (seq, hash, at) of the chain head with an HMAC key the database never
holds (AUDIT_CHECKPOINT_KEY); the same checkpoint is written to the object store.
The app role may only SELECT and INSERT here (grants: services/kit/migrations.py).

Revision ID: api_0013
Revises: api_0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "api_0013"
down_revision = "api_0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.audit_checkpoint (
            seq bigint PRIMARY KEY CHECK (seq >= 0),
            hash char(64) NOT NULL,
            at timestamptz NOT NULL,
            signature char(64) NOT NULL
        )
        """
    )
    op.execute(
        "CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE"
        " ON api.audit_checkpoint FOR EACH ROW EXECUTE FUNCTION api.refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON api.audit_checkpoint"
        " FOR EACH STATEMENT EXECUTE FUNCTION api.refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.audit_checkpoint")
