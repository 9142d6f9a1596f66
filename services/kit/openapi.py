"""OpenAPI fragments the services' routes share (FastAPI cannot infer them from a
handler that reads the request stream itself)."""

from __future__ import annotations

from typing import Any

FILE = {"type": "string", "format": "binary"}
# A document's note (备注), refused above this: the document service's form and the
# declaration's attachment entry, which carries the note, hold the same limit.
NOTE_MAX_CHARS = 200


def multipart_body(
    properties: dict[str, dict[str, Any]],
    *,
    required: list[str],
    also: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`openapi_extra` for a multipart/form-data request body (plus other media types)."""
    schema = {"type": "object", "required": required, "properties": properties}
    content = {"multipart/form-data": {"schema": schema}, **(also or {})}
    return {"requestBody": {"required": True, "content": content}}


def scan_upload(kind_description: str) -> dict[str, Any]:
    """The form of a scan upload: the file, its material kind, an optional note."""
    return multipart_body(
        {
            "file": {**FILE, "description": "扫描件或照片"},
            "kind": {"type": "string", "description": kind_description},
            "note": {"type": "string", "maxLength": NOTE_MAX_CHARS, "description": "备注（可选）"},
        },
        required=["file", "kind"],
    )
