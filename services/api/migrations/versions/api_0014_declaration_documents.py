"""The gateway records which document serves which material of a declaration.

`api.declaration_document`: one row per document the document service accepted for a
declaration, with the material its kind serves and, for a replacement, the document it
replaced (kept, marked `superseded_by_id`). Attachments may only name rows in force.

Existing attachments are recorded as they stand (they were written by uploads before
the gateway kept this table); their document kind is taken from the entry where given.

Revision ID: api_0014
Revises: api_0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "api_0014"
down_revision = "api_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api.declaration_document (
            document_id uuid PRIMARY KEY,
            declaration_id uuid NOT NULL REFERENCES api.declaration (id),
            document_kind varchar(64) NOT NULL,
            material varchar(64),
            replaces_id uuid,
            superseded_by_id uuid,
            recorded_at timestamptz NOT NULL,
            superseded_at timestamptz
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_api_declaration_document_declaration_id"
        " ON api.declaration_document (declaration_id)"
    )
    op.execute(
        """
        INSERT INTO api.declaration_document
            (document_id, declaration_id, document_kind, material, recorded_at)
        SELECT DISTINCT ON ((a->>'document_id')::uuid)
               (a->>'document_id')::uuid, d.id,
               left(coalesce(a->>'document_kind', a->>'kind'), 64), left(a->>'kind', 64),
               d.updated_at
        FROM api.declaration d, jsonb_array_elements(d.attachments) a
        WHERE a->>'document_id' ~ '^[0-9a-fA-F-]{36}$'
        ORDER BY (a->>'document_id')::uuid, d.updated_at
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE api.declaration_document")
