"""学信网-style education registry: name + 身份证号 → degrees (level, major, date, certificate)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from services.api.registries.base import Query, Registry
from services.kit.vocabulary import EducationLevel

# The registry's 学历层次 in Chinese, as 学信网 prints it, to our vocabulary.
LEVELS: dict[str, EducationLevel] = {
    "博士研究生": "doctorate",
    "博士": "doctorate",
    "硕士研究生": "master",
    "硕士": "master",
    "第二学士学位": "second_bachelor",
    "本科": "bachelor",
    "专科": "junior_college",
    "高职（专科）": "junior_college",
    "中专": "technical_secondary",
}


class Degree(BaseModel):
    level: str
    school: str = Field(min_length=1, max_length=100)
    major: str = Field(min_length=1, max_length=100)
    graduated_on: date
    certificate_no: str | None = Field(default=None, max_length=64)


class Answer(BaseModel):
    degrees: list[Degree] = Field(default_factory=list, max_length=20)


class EducationRegistry(Registry):
    name = "education"
    title_zh = "学历信息"
    path = "/degrees/query"
    answer = Answer

    def request(self, query: Query) -> dict[str, Any]:
        return {"name": query.name, "id_number": query.id_number}

    def extract(self, answer: Answer) -> dict[str, Any] | None:
        degrees = [
            {
                "level": LEVELS[d.level],
                "school": d.school,
                "major": d.major,
                "graduated_on": d.graduated_on.isoformat(),
                "certificate_no": d.certificate_no,
            }
            for d in answer.degrees
            if d.level in LEVELS
        ]
        return {"degrees": degrees} if degrees else None
