"""The document table: one row per upload, accepted rows point at a written S3 object.

Revision ID: documents_0002
Revises: documents_0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "documents_0002"
down_revision = "documents_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("declaration_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("uploader_id", sa.String(64)),
        sa.Column("original_name", sa.String(255)),
        sa.Column("note", sa.String(500)),
        sa.Column("received_size", sa.Integer, nullable=False),
        sa.Column("received_sha256", sa.String(64), nullable=False),
        sa.Column("received_mime", sa.String(100)),
        sa.Column("stored_size", sa.Integer),
        sa.Column("stored_sha256", sa.String(64)),
        sa.Column("stored_mime", sa.String(100)),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("pages", sa.Integer),
        sa.Column("findings", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("changes", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("upright_method", sa.String(32)),
        sa.Column("bucket", sa.String(63)),
        sa.Column("object_key", sa.String(300)),
        sa.Column("version_id", sa.String(200)),
        sa.Column("replaces_id", UUID(as_uuid=True)),
        sa.Column("superseded_by_id", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('accepted', 'rejected', 'superseded')", name="ck_document_status"
        ),
        # An accepted or superseded row always names the object it points at.
        sa.CheckConstraint(
            "status = 'rejected' OR (bucket IS NOT NULL AND object_key IS NOT NULL)",
            name="ck_document_object",
        ),
        schema="documents",
    )
    op.create_index("ix_document_declaration", "document", ["declaration_id"], schema="documents")
    op.create_index("ix_document_object_key", "document", ["object_key"], schema="documents")
    op.create_index(
        "uq_document_accepted_sha",
        "document",
        ["declaration_id", "received_sha256"],
        unique=True,
        schema="documents",
        postgresql_where=sa.text("status = 'accepted'"),
    )


def downgrade() -> None:
    op.drop_table("document", schema="documents")
