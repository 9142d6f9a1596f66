"""Continuing-education registry: 身份证号 + year → 公需科目 and 专业科目 hours, exam passed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from services.api.registries.base import Query, Registry


class Answer(BaseModel):
    year: int = Field(ge=2000, le=2100)
    public_hours: int = Field(ge=0, le=10_000)
    professional_hours: int = Field(ge=0, le=10_000)
    exam_passed: bool


class ContinuingEducationRegistry(Registry):
    name = "continuing_education"
    title_zh = "继续教育学时"
    path = "/hours/query"
    answer = Answer

    def request(self, query: Query) -> dict[str, Any]:
        return {"id_number": query.id_number, "year": query.year}

    def extract(self, answer: Answer) -> dict[str, Any] | None:
        return answer.model_dump()
