from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.api.journals.schemas import Conversion, DuplicateClaim, PaperCheck
from services.api.registries.consistency import ConsistencyWarning


class RegistryResult(BaseModel):
    registry: Literal["education", "titles", "continuing_education", "social_insurance"]
    title: str
    status: Literal["found", "not_found", "unavailable", "not_checked"]
    verified: bool
    data: dict[str, Any] | None
    source: str | None
    checked_at: datetime | None
    verified_at: datetime | None
    verified_source: str | None
    replaces: list[str]
    upload_required: str | None
    warning: str | None
    clause: str


class LookupsRead(BaseModel):
    declaration_id: uuid.UUID
    version: int
    registries: list[RegistryResult]
    prefilled: list[str]
    facts: dict[str, Any]
    waived_materials: list[str]
    warnings: list[str]


class WarningsRead(BaseModel):
    """What a reviewer (or the applicant, in part) should look at first."""

    declaration_id: uuid.UUID
    flagged_papers: int
    new_flagged_papers: int = Field(
        description="flagged by today's register though not when the declaration was submitted"
    )
    papers: list[PaperCheck]
    decision_consulting: list[Conversion]
    decision_consulting_totals: dict[str, float]
    consistency: list[ConsistencyWarning] | None
    duplicates: list[DuplicateClaim] | None
    registries: list[RegistryResult]
    facts_source: dict[str, Any] | None = Field(
        default=None,
        description="From the last submission's evaluation: typed values the sections "
        "contradicted (ignored), the seeds' date findings on the sections' items (flags for "
        "the reviewers, each with its clause) and items filed in their waiting period with "
        "the date their proof is due",
    )
