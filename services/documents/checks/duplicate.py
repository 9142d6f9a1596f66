"""Duplicate: the same bytes are already attached to this declaration."""

from __future__ import annotations

from services.documents.checks import Finding


def finding(existing_id: str, existing_kind: str) -> Finding:
    return Finding(
        "duplicate",
        "error",
        "该文件与本申报已上传的材料完全相同，无需重复上传。如需更换，请使用“替换”功能。",
        None,
        {"document_id": existing_id, "kind": existing_kind},
    )
