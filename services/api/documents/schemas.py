"""What the gateway answers about documents (the document service's records, passed on)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FindingRead(BaseModel):
    code: str
    severity: Literal["error", "warning"]
    message: str
    clause: str | None = None
    details: dict[str, Any] = {}


class DocumentRead(BaseModel):
    """The document service's record (`openapi/documents.json`), with the gateway's word on
    what is in force: `status` accepted or superseded, `replaces_id`, `superseded_by_id`."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID
    declaration_id: str
    kind: str
    material: str | None = None
    status: Literal["accepted", "rejected", "superseded"]
    uploader_id: str | None = None
    original_name: str | None = None
    note: str | None = None
    received_size: int
    received_sha256: str
    stored_size: int | None = None
    stored_sha256: str | None = None
    stored_mime: str | None = None
    width: int | None = None
    height: int | None = None
    findings: list[FindingRead] = []
    changes: list[dict[str, Any]] = []
    replaces_id: uuid.UUID | None = None
    superseded_by_id: uuid.UUID | None = None
    created_at: datetime


class DownloadLink(BaseModel):
    url: str
    expires_at: datetime


class KindRead(BaseModel):
    """A material kind the document service takes, with the limits an upload must meet
    (the same answer as its `GET /v1/kinds`): a front end reads these, hard-codes none."""

    code: str
    name: str
    material: str | None = Field(description="the policy material it serves, if any")
    types: list[str] = Field(description="accepted media types, e.g. image/jpeg, application/pdf")
    max_bytes: int = Field(description="largest stored image (bytes)")
    max_pdf_bytes: int
    min_width: int
    min_height: int
    max_pages: int = Field(description="pages a PDF may have (0: no PDF taken)")
    colour: bool
    aspect_min: float | None
    aspect_max: float | None
