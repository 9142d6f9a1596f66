"""Request and response bodies of the document service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict

DeclarationId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="申报编号（由网关分配）")
]
# What the gateway says about the declaration; only these allow deleting or replacing.
EDITABLE_DECLARATION_STATES = ("draft", "returned")
# What the unit itself produces (答辩、审议、公示、推荐材料) it uploads at its own step, which
# the gateway says with `X-Uploader-Role: unit` (桂人社规〔2021〕11号 第二十条).
UNIT_STEP_STATES = ("unit_review",)


class FindingRead(BaseModel):
    code: str
    severity: Literal["error", "warning"]
    message: str
    clause: str | None = None
    details: dict[str, Any] = {}


class ChangeRead(BaseModel):
    code: str
    message: str


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    declaration_id: str
    kind: str
    status: Literal["accepted", "rejected", "superseded"]
    uploader_id: str | None
    original_name: str | None
    note: str | None
    received_size: int
    received_sha256: str
    received_mime: str | None
    stored_size: int | None
    stored_sha256: str | None
    stored_mime: str | None
    width: int | None
    height: int | None
    pages: int | None
    findings: list[FindingRead]
    changes: list[ChangeRead]
    upright_method: str | None
    bucket: str | None
    object_key: str | None
    version_id: str | None
    replaces_id: uuid.UUID | None
    superseded_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class DownloadLink(BaseModel):
    url: str
    expires_at: datetime


class KindRead(BaseModel):
    code: str
    name: str
    material: str | None
    types: list[str]
    max_bytes: int
    max_pdf_bytes: int
    min_width: int
    min_height: int
    max_pages: int
    colour: bool
    aspect_min: float | None
    aspect_max: float | None
