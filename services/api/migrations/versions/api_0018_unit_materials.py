"""The unit's own materials, its check of each original, its pledge, posting objections.

Revision ID: api_0018
Revises: api_0017
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "api_0018"
down_revision = "api_0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.unit_material (
            id uuid PRIMARY KEY,
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            material text NOT NULL,
            document_id uuid NOT NULL,
            source text NOT NULL CHECK (source IN ('uploaded', 'generated')),
            recorded_by text NOT NULL,
            recorded_at timestamptz NOT NULL,
            UNIQUE (declaration_id, document_id)
        )
        """
    )
    op.execute("CREATE INDEX unit_material_declaration ON api.unit_material (declaration_id)")
    op.execute(
        """
        CREATE TABLE api.original_check (
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            document_id uuid NOT NULL,
            seen_original boolean NOT NULL,
            note text,
            checked_by text NOT NULL,
            checked_at timestamptz NOT NULL,
            PRIMARY KEY (declaration_id, document_id),
            CHECK (seen_original OR coalesce(btrim(note), '') <> '')
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.unit_pledge (
            declaration_id uuid PRIMARY KEY REFERENCES api.declaration(id),
            text_version text NOT NULL,
            signed_by text NOT NULL,
            signed_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE api.posting_objection (
            id uuid PRIMARY KEY,
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            received_on date NOT NULL,
            content text NOT NULL,
            recorded_by text NOT NULL,
            recorded_at timestamptz NOT NULL,
            resolution text,
            resolved_by text,
            resolved_at timestamptz,
            CHECK ((resolved_at IS NULL) = (resolution IS NULL))
        )
        """
    )
    op.execute(
        "CREATE INDEX posting_objection_open ON api.posting_objection (declaration_id)"
        " WHERE resolved_at IS NULL"
    )


def downgrade() -> None:
    for table in ("posting_objection", "unit_pledge", "original_check", "unit_material"):
        op.execute(f"DROP TABLE api.{table}")
